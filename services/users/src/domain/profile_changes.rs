//! A change a user makes to their own profile.

use super::{DisplayName, FieldError, PhoneNumber, ShippingAddress, ShippingAddressInput};

/// Enough addresses for home, work and a few relatives; a bound so one profile cannot grow
/// without limit.
pub const MAX_SHIPPING_ADDRESSES: usize = 10;

/// A partial update, every given field checked: `None` leaves a field as it is; for the phone,
/// `Some(None)` removes it.
#[derive(Debug)]
pub struct ProfileChanges {
    pub display_name: Option<DisplayName>,
    pub phone: Option<Option<PhoneNumber>>,
    pub shipping_addresses: Option<Vec<ShippingAddress>>,
}

impl ProfileChanges {
    /// Checks every given field and reports all that are invalid, not just the first.
    pub fn parse(
        display_name: Option<&str>,
        phone: Option<Option<&str>>,
        shipping_addresses: Option<Vec<ShippingAddressInput>>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let display_name = display_name
            .map(DisplayName::parse)
            .transpose()
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let phone = match phone {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => PhoneNumber::parse(raw)
                .map(Some)
                .map_err(|e| errors.push(e))
                .ok(),
        };
        if shipping_addresses
            .as_ref()
            .is_some_and(|a| a.len() > MAX_SHIPPING_ADDRESSES)
        {
            errors.push(FieldError {
                field: "shippingAddresses",
                message: format!("at most {MAX_SHIPPING_ADDRESSES} addresses"),
            });
        }
        let shipping_addresses = shipping_addresses.map(|inputs| {
            let mut addresses = Vec::with_capacity(inputs.len().min(MAX_SHIPPING_ADDRESSES));
            for input in inputs {
                match ShippingAddress::parse(input) {
                    Ok(address) => addresses.push(address),
                    Err(mut field_errors) => errors.append(&mut field_errors),
                }
            }
            addresses
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            display_name,
            phone,
            shipping_addresses,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address() -> ShippingAddressInput {
        ShippingAddressInput {
            recipient: "Ann".to_owned(),
            line1: "Invalidenstraße 117".to_owned(),
            line2: None,
            city: "Berlin".to_owned(),
            postal_code: "10115".to_owned(),
            country: "de".to_owned(),
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|error| error.field).collect()
    }

    #[test]
    fn absent_fields_change_nothing_and_a_null_phone_removes_it() {
        let changes = ProfileChanges::parse(None, Some(None), None).expect("valid");
        assert!(changes.display_name.is_none());
        assert_eq!(changes.phone, Some(None));
        assert!(changes.shipping_addresses.is_none());
        let nothing = ProfileChanges::parse(None, None, None).expect("valid");
        assert_eq!(nothing.phone, None);
    }

    #[test]
    fn given_fields_are_parsed_into_their_normal_form() {
        let changes = ProfileChanges::parse(
            Some(" Ann "),
            Some(Some("+49 151 12345678")),
            Some(vec![address()]),
        )
        .expect("valid");
        assert_eq!(
            changes.display_name.map(|n| n.to_string()),
            Some("Ann".into())
        );
        assert_eq!(
            changes.phone.flatten().map(|p| p.to_string()),
            Some("+4915112345678".into())
        );
        assert_eq!(changes.shipping_addresses.map(|a| a.len()), Some(1));
    }

    #[test]
    fn reports_every_invalid_field() {
        let errors = ProfileChanges::parse(
            Some(""),
            Some(Some("0800 not a number")),
            Some(vec![
                ShippingAddressInput::default();
                MAX_SHIPPING_ADDRESSES + 1
            ]),
        )
        .expect_err("invalid");
        let fields = fields(&errors);
        assert_eq!(fields[..3], ["displayName", "phone", "shippingAddresses"]);
        assert!(fields[3..].iter().all(|f| *f != "shippingAddresses"));
    }

    #[test]
    fn ten_addresses_are_allowed() {
        let changes =
            ProfileChanges::parse(None, None, Some(vec![address(); MAX_SHIPPING_ADDRESSES]))
                .expect("valid");
        assert_eq!(
            changes.shipping_addresses.map(|a| a.len()),
            Some(MAX_SHIPPING_ADDRESSES)
        );
    }
}
