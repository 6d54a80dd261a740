//! The gateway's domain: the few values it checks once and relies on afterwards. No I/O here.

mod resource_path;

pub use resource_path::ResourcePath;
