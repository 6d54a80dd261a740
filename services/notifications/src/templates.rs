//! Renders messages from the templates in `templates/<language>/` (embedded at build time by
//! `build.rs`): `<kind>.subject.txt`, `<kind>.html` and `<kind>.txt` for email, `<kind>.sms.txt`
//! for a text message. HTML is escaped by MiniJinja (the `.html` extension turns it on), so a
//! display name cannot inject markup into an email; the text forms are not escaped.

use minijinja::Environment;
use serde::Serialize;

use crate::domain::{Language, MessageKind};

/// An email as it will be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
#[error("rendering {template} failed: {source:#}")]
pub struct RenderError {
    template: String,
    source: minijinja::Error,
}

/// The templates, loaded once.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn load() -> Self {
        let mut env = Environment::new();
        // A variable a template names but the context lacks is a bug in one or the other: fail
        // the render (and the test that renders every template) instead of sending a blank.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        minijinja_embed::load_templates!(&mut env);
        Self { env }
    }

    fn render(&self, name: String, context: &impl Serialize) -> Result<String, RenderError> {
        let template = self.env.get_template(&name).map_err(|source| RenderError {
            template: name.clone(),
            source,
        })?;
        template.render(context).map_err(|source| RenderError {
            template: name,
            source,
        })
    }

    pub fn email(
        &self,
        kind: MessageKind,
        language: Language,
        context: &impl Serialize,
    ) -> Result<RenderedEmail, RenderError> {
        let base = format!("{}/{}", language.as_str(), kind.as_str());
        let subject = self.render(format!("{base}.subject.txt"), context)?;
        Ok(RenderedEmail {
            // One line: a header cannot hold a line break.
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            html: self.render(format!("{base}.html"), context)?,
            text: self
                .render(format!("{base}.txt"), context)?
                .trim()
                .to_owned()
                + "\n",
        })
    }

    pub fn sms(
        &self,
        kind: MessageKind,
        language: Language,
        context: &impl Serialize,
    ) -> Result<String, RenderError> {
        let name = format!("{}/{}.sms.txt", language.as_str(), kind.as_str());
        let text = self.render(name, context)?;
        Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}
