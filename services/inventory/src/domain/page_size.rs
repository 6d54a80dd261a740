//! How many products one catalogue page holds.

use super::FieldError;

/// The query parameter a client sets the page size with.
const FIELD: &str = "limit";

/// Enough for a grid of products on one screen without a second request.
const DEFAULT: u32 = 20;

/// Larger pages make one request cost as much as many, and nobody scrolls through more at once.
const MAX: u32 = 100;

/// The number of products on one page of a listing: 1 to 100, 20 when the client does not say.
///
/// Out-of-range values are refused, not clamped: a client that asks for 500 and silently gets
/// 100 would take the short page for the end of the list, so it gets a 4xx telling it the limit
/// instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(u32);

impl PageSize {
    /// `None` (the parameter is absent) is the default size.
    pub fn parse(requested: Option<u32>) -> Result<Self, FieldError> {
        match requested {
            None => Ok(Self::default()),
            Some(size) if (1..=MAX).contains(&size) => Ok(Self(size)),
            Some(_) => Err(FieldError::new(
                FIELD,
                format!("must be between 1 and {MAX}"),
            )),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for PageSize {
    fn default() -> Self {
        Self(DEFAULT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_is_20() {
        assert_eq!(PageSize::parse(None), Ok(PageSize::default()));
        assert_eq!(PageSize::default().get(), 20);
    }

    #[test]
    fn accepts_1_and_100() {
        assert_eq!(PageSize::parse(Some(1)).expect("valid").get(), 1);
        assert_eq!(PageSize::parse(Some(100)).expect("valid").get(), 100);
    }

    #[test]
    fn rejects_0_and_101_instead_of_clamping() {
        for size in [0, 101, u32::MAX] {
            assert_eq!(
                PageSize::parse(Some(size)),
                Err(FieldError::new("limit", "must be between 1 and 100")),
                "{size}"
            );
        }
    }
}
