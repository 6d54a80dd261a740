//! The path of a request below its route's public prefix, checked to mean the same thing to
//! the gateway (which authorizes it), to the service invocation URL (which the url crate
//! normalizes), to daprd (which percent-decodes the method path and cleans it before calling
//! the app) and to the service (which routes on what daprd hands it).
//!
//! A path that one of those steps would turn into another path must not be forwarded: the
//! gateway would authorize `/api/orders/<x>` and the call would land on `/users/me`, or on the
//! product list. So a segment may not be `.` or `..` (plainly or percent-encoded), and no
//! segment may hide a separator or delimiter behind percent-encoding (`/`, `\`, `?`, `#`, or a
//! `%` that a second decoding would read as an escape). Percent-encoded ordinary characters
//! (`%20`, `%C3%A9`) decode to what the client meant, everywhere, and are kept.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters is percent-encoded in a segment we send.
const SEGMENT_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Why a path is refused; the message is the `detail` of the 400 the client gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UnacceptablePath {
    #[error("the path is not acceptable: it has a '.' or '..' segment (plain or percent-encoded)")]
    DotSegment,
    #[error("the path is not acceptable: it has a backslash (plain or percent-encoded)")]
    Backslash,
    #[error("the path is not acceptable: it has a percent-encoded '/'")]
    EncodedSlash,
    #[error(
        "the path is not acceptable: it has a percent-encoded '?', '#' or '%', or a malformed percent-encoding"
    )]
    EncodedDelimiter,
    #[error("the path is not acceptable: it has control characters")]
    ControlCharacter,
    #[error("the path is not acceptable: it has percent-encoded bytes that are not UTF-8")]
    NotUtf8,
    #[error("the path is not acceptable: it is not below the route's prefix")]
    OutsidePrefix,
}

/// The part of a request path below a route's prefix, e.g. `products/ABC-1` for
/// `/api/catalog/products/ABC-1` on the `api/catalog` route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    decoded: String,
    encoded: String,
}

impl ResourcePath {
    /// Checks every segment of `raw_path` (the request target's path, still percent-encoded)
    /// and keeps what lies below `route_prefix` (`api/orders`). Empty segments are dropped, as
    /// salvo's router does; a trailing slash is kept.
    pub fn parse(raw_path: &str, route_prefix: &str) -> Result<Self, UnacceptablePath> {
        let segments = raw_path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(decode_segment)
            .collect::<Result<Vec<_>, _>>()?;
        let prefix: Vec<&str> = route_prefix
            .split('/')
            .filter(|segment| !segment.is_empty())
            .collect();
        if segments.len() < prefix.len() || segments.iter().zip(&prefix).any(|(s, p)| s != p) {
            return Err(UnacceptablePath::OutsidePrefix);
        }
        let rest = &segments[prefix.len()..];
        let trailing_slash = if raw_path.ends_with('/') && !rest.is_empty() {
            "/"
        } else {
            ""
        };
        let encoded: Vec<String> = rest
            .iter()
            .map(|segment| utf8_percent_encode(segment, SEGMENT_ENCODE_SET).to_string())
            .collect();
        Ok(Self {
            decoded: rest.join("/") + trailing_slash,
            encoded: encoded.join("/") + trailing_slash,
        })
    }

    /// The path as the service will see it, for deciding who may call it: `products/ABC-1`.
    pub fn decoded(&self) -> &str {
        &self.decoded
    }

    /// The path for the service invocation URL, percent-encoded but for `/` between segments
    /// (daprd refuses a path with spaces or control characters, and answers 403 for the app).
    pub fn encoded(&self) -> &str {
        &self.encoded
    }
}

fn decode_segment(raw: &str) -> Result<String, UnacceptablePath> {
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| UnacceptablePath::NotUtf8)?;
    if decoded == "." || decoded == ".." {
        return Err(UnacceptablePath::DotSegment);
    }
    for c in decoded.chars() {
        match c {
            '\\' => return Err(UnacceptablePath::Backslash),
            '/' => return Err(UnacceptablePath::EncodedSlash),
            // A `%` left after decoding is either an encoded `%` or a malformed escape, which
            // percent_decode_str keeps as it is.
            '?' | '#' | '%' => return Err(UnacceptablePath::EncodedDelimiter),
            c if c.is_control() => return Err(UnacceptablePath::ControlCharacter),
            _ => {}
        }
    }
    Ok(decoded.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<ResourcePath, UnacceptablePath> {
        ResourcePath::parse(raw, "api/catalog")
    }

    #[test]
    fn ordinary_paths_keep_their_meaning() {
        let path = parse("/api/catalog/products/ABC-1").unwrap();
        assert_eq!(path.decoded(), "products/ABC-1");
        assert_eq!(path.encoded(), "products/ABC-1");

        let path = parse("/api/catalog/products/caf%C3%A9%20noir/").unwrap();
        assert_eq!(path.decoded(), "products/café noir/");
        assert_eq!(path.encoded(), "products/caf%C3%A9%20noir/");

        // Characters daprd would refuse raw go out encoded, and decode to what was meant.
        let path = parse("/api/catalog/a%20b%C3%A9+;").unwrap();
        assert_eq!(path.encoded(), "a%20b%C3%A9%2B%3B");

        assert_eq!(parse("/api/catalog").unwrap().decoded(), "");
        assert_eq!(parse("/api/catalog/").unwrap().encoded(), "");
        assert_eq!(
            parse("//api//catalog//products").unwrap().decoded(),
            "products"
        );
        // Dots inside a segment are no dot segment.
        assert_eq!(
            parse("/api/catalog/v1.2/...").unwrap().decoded(),
            "v1.2/..."
        );
    }

    #[test]
    fn paths_that_would_change_meaning_downstream_are_refused() {
        use UnacceptablePath::*;
        let cases = [
            ("/api/catalog/products/%2F", EncodedSlash),
            ("/api/catalog/products/%2f", EncodedSlash),
            ("/api/catalog/..%2f..%2fusers%2fme", EncodedSlash),
            ("/api/catalog/..", DotSegment),
            ("/api/catalog/products/.", DotSegment),
            ("/api/catalog/%2e%2e", DotSegment),
            ("/api/catalog/.%2E", DotSegment),
            ("/api/catalog/%2e/products", DotSegment),
            ("/api/catalog/a\\b", Backslash),
            ("/api/catalog/a%5Cb", Backslash),
            ("/api/catalog/a%3Fb", EncodedDelimiter),
            ("/api/catalog/a%23b", EncodedDelimiter),
            ("/api/catalog/a%25b", EncodedDelimiter),
            ("/api/catalog/a%2", EncodedDelimiter),
            ("/api/catalog/a%zz", EncodedDelimiter),
            ("/api/catalog/a%00b", ControlCharacter),
            ("/api/catalog/a%0Ab", ControlCharacter),
            ("/api/catalog/%FF", NotUtf8),
            ("/api/orders/1", OutsidePrefix),
            ("/api", OutsidePrefix),
        ];
        for (raw, reason) in cases {
            assert_eq!(parse(raw), Err(reason), "{raw}");
        }
    }

    #[test]
    fn the_reason_says_the_path_is_not_acceptable() {
        assert!(
            UnacceptablePath::EncodedSlash
                .to_string()
                .starts_with("the path is not acceptable")
        );
    }
}
