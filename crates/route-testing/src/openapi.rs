//! Reading a service's own OpenAPI document in its route tests.

use serde_json::Value;

/// The schema `schema` stands for, following a `#/components/schemas/X` reference.
pub fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            &document["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// The operation's parameter called `name`; a test fails when there is none.
pub fn parameter<'a>(operation: &'a Value, name: &str) -> &'a Value {
    operation["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("no parameters: {operation}"))
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no parameter {name}: {operation}"))
}
