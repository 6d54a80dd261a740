//! Field errors (defined in `contracts`, shared by every service) and the text rule several
//! services' value types build on.

pub use contracts::FieldError;

/// A required, single-line piece of text: trimmed, 1 to `max_chars` characters (Unicode scalar
/// values, so every script gets the same room), no control characters.
///
/// Names and address lines end up in HTML, emails, labels and log lines; a newline or an escape
/// sequence in them could forge a log entry or a mail header, and PostgreSQL cannot store a NUL,
/// so control characters are refused rather than escaped at every use.
pub fn single_line_text(
    field: &'static str,
    raw: &str,
    max_chars: usize,
) -> Result<String, FieldError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if trimmed.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters such as line breaks or tabs",
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(single_line_text("name", "  Ada  ", 3), Ok("Ada".to_owned()));
        assert_eq!(single_line_text("name", "ééé", 3), Ok("ééé".to_owned()));
        assert!(single_line_text("name", "   ", 3).is_err());
        assert!(single_line_text("name", "Adam", 3).is_err());
        assert!(single_line_text("name", "A\nB", 3).is_err());
    }
}
