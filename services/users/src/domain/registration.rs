//! What a new customer asks for when they register.

use super::{DisplayName, Email, FieldError, Password};

/// A registration whose every field has been checked: holding one means the account may be
/// created (unless the email address is taken, which only the database knows).
#[derive(Debug)]
pub struct Registration {
    pub email: Email,
    pub password: Password,
    pub display_name: DisplayName,
}

impl Registration {
    /// Checks every field and reports all that are invalid, not just the first. The password
    /// is judged against the email address, so it is only judged once the address is valid.
    pub fn parse(
        email: &str,
        password: String,
        display_name: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = Email::parse(email).map_err(|e| errors.push(e)).ok();
        let display_name = DisplayName::parse(display_name)
            .map_err(|e| errors.push(e))
            .ok();
        let password = email.as_ref().and_then(|email| {
            Password::parse(password, email)
                .map_err(|e| errors.push(e))
                .ok()
        });
        match (email, password, display_name) {
            (Some(email), Some(password), Some(display_name)) => Ok(Self {
                email,
                password,
                display_name,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|error| error.field).collect()
    }

    #[test]
    fn accepts_a_valid_registration_in_normalised_form() {
        let registration =
            Registration::parse(" Ann@Example.com ", "a long passphrase".to_owned(), " Ann ")
                .expect("valid registration");
        assert_eq!(registration.email.as_str(), "ann@example.com");
        assert_eq!(registration.display_name.as_str(), "Ann");
        assert_eq!(registration.password.expose(), "a long passphrase");
    }

    #[test]
    fn reports_every_invalid_field() {
        let errors = Registration::parse("ann@example.com", "short".to_owned(), " ")
            .expect_err("invalid registration");
        assert_eq!(fields(&errors), ["displayName", "password"]);
    }

    #[test]
    fn a_password_equal_to_the_email_is_refused() {
        let errors = Registration::parse(
            "jonathan.smith@example.com",
            "Jonathan.Smith@example.com".to_owned(),
            "Jon",
        )
        .expect_err("the password is the address");
        assert_eq!(fields(&errors), ["password"]);
    }

    #[test]
    fn without_a_valid_email_the_password_is_not_judged() {
        let errors = Registration::parse("not-an-email", "short".to_owned(), "Ann")
            .expect_err("invalid email");
        assert_eq!(fields(&errors), ["email"]);
    }
}
