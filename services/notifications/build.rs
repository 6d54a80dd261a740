//! Embeds the message templates (`templates/<language>/…`) into the binary, so the service and
//! its image carry them and a template that is missing fails the build, not a send.
fn main() {
    minijinja_embed::embed_templates!("templates");
}
