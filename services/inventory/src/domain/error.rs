//! Field errors are shared by every service (a 422 problem lists them the same way everywhere).

pub use service_runtime::FieldError;
