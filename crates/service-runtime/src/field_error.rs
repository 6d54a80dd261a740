//! Field errors and the single-line text rule live in `contracts` (value types of several
//! services parse with them); the runtime re-exports them where its request handling reports them.

pub use contracts::{FieldError, single_line_text};
