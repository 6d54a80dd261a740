//! Field errors are shared by every service (a 422 problem lists them the same way everywhere).

pub use contracts::FieldError;

/// The value of one parsed field, or `None` with its error added to `errors`: parsing a request
/// goes on after the first invalid field, so the 422 names every field to fix at once.
pub fn keep<T>(parsed: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    parsed.map_err(|e| errors.push(e)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_values_and_collects_errors() {
        let mut errors = Vec::new();
        assert_eq!(keep(Ok(1), &mut errors), Some(1));
        assert_eq!(
            keep::<u8>(Err(FieldError::new("a", "bad")), &mut errors),
            None
        );
        assert_eq!(
            keep::<u8>(Err(FieldError::new("b", "worse")), &mut errors),
            None
        );
        assert_eq!(
            errors,
            [FieldError::new("a", "bad"), FieldError::new("b", "worse")]
        );
    }
}
