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

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation of the document, as `(path, method, operation)`.
pub fn operations(document: &Value) -> Vec<(String, String, &Value)> {
    document["paths"]
        .as_object()
        .unwrap_or_else(|| panic!("no paths: {document}"))
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(method, _)| HTTP_METHODS.contains(&method.as_str()))
                .map(move |(method, operation)| (path.clone(), method.clone(), operation))
        })
        .collect()
}

/// Every operation of the document, named `"<method> <path>"` (`"post /orders"`).
pub fn named_operations(document: &Value) -> Vec<(String, &Value)> {
    operations(document)
        .into_iter()
        .map(|(path, method, operation)| (format!("{method} {path}"), operation))
        .collect()
}
