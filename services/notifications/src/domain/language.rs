//! The languages messages are written in.

use serde::Serialize;

/// A language the templates exist in (`templates/<code>/`). English is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    De,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::De];

    /// The ISO 639-1 code of a language the shop writes in, exactly as [`Language::as_str`]
    /// gives it.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_codes_of_the_templates_languages_parse() {
        assert_eq!(Language::parse("de"), Some(Language::De));
        assert_eq!(Language::parse("DE"), None);
        assert_eq!(Language::parse("en-GB"), None);
        assert_eq!(Language::parse("fr"), None);
        assert_eq!(Language::parse(""), None);
        for language in Language::ALL {
            assert_eq!(Language::parse(language.as_str()), Some(language));
        }
    }
}
