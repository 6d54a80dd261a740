//! One OpenAPI 3.1 document for the whole public API, and an interactive page for it.
//!
//! Each service documents its own routes from its handlers' types (salvo-oapi) and serves the
//! result at `/openapi.json`, reachable through Dapr only. The gateway fetches those documents
//! through service invocation, keeps the operations it exposes, rewrites their paths to the
//! public `/api/...` ones, and adds what the gateway itself may answer on any route (rate limit,
//! body limit, authentication, unavailable or slow services). So the document is derived from
//! the code that serves each route; nobody maintains it by hand.

use std::collections::BTreeSet;

use salvo::http::StatusCode;
use salvo::prelude::*;
use serde_json::{Map, Value, json};
use service_runtime::{Problem, Sidecar};

use super::UPSTREAMS;

pub const DOCUMENT_PATH: &str = "/api/openapi.json";

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
    })
}

/// The responses the gateway adds to every operation, whatever the service does.
fn gateway_responses(operation: &mut Map<String, Value>, secured: bool, has_body: bool) {
    let responses = operation.entry("responses").or_insert_with(|| json!({}));
    let Some(responses) = responses.as_object_mut() else {
        return;
    };
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| problem_response(description));
    };
    add(
        "429",
        "Too many requests from this client; see `retry-after`",
    );
    add(
        "400",
        "The request is malformed (for example, a path with a `.` or `..` segment, or with an encoded `/`, `\\`, `?`, `#` or `%`)",
    );
    add("503", "The service behind this route is unavailable");
    add(
        "504",
        "The service behind this route did not answer in time",
    );
    if has_body {
        add("413", "The request body is larger than the gateway accepts");
    }
    if secured {
        add("401", "No valid access token");
    }
}

/// Rewrites one service document's paths to the public ones and merges it into `merged`.
fn merge_service_document(merged: &mut Value, app_id: &str, document: Value) {
    let paths = document
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (path, mut item) in paths {
        let Some(public) = UPSTREAMS.iter().find_map(|upstream| {
            let prefix = format!("/{}", upstream.app_prefix);
            let rest = path.strip_prefix(&prefix)?;
            (upstream.app_id == app_id && (rest.is_empty() || rest.starts_with('/')))
                .then(|| format!("/{}{rest}", upstream.public_prefix))
        }) else {
            continue; // internal routes (Dapr callbacks, the document itself) stay private
        };
        if let Some(operations) = item.as_object_mut() {
            for operation in operations.values_mut().filter_map(Value::as_object_mut) {
                let secured = operation
                    .get("security")
                    .is_some_and(|s| s.as_array().is_some_and(|a| !a.is_empty()));
                let has_body = operation.contains_key("requestBody");
                gateway_responses(operation, secured, has_body);
            }
        }
        merged["paths"][public] = item;
    }
    if let Some(schemas) = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            merged["components"]["schemas"][name] = schema.clone();
        }
    }
    if let Some(tags) = document.get("tags").and_then(Value::as_array)
        && let Some(all) = merged["tags"].as_array_mut()
    {
        all.extend(tags.iter().cloned());
    }
}

fn base_document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Shop platform API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The public API of the shop platform, served by the gateway. Errors are RFC 9457 problem details (`application/problem+json`) with a stable `type` per kind of error."
        },
        "servers": [{ "url": "/" }],
        "paths": {},
        "tags": [],
        "components": {
            "schemas": {},
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" }
            }
        }
    })
}

/// `GET /api/openapi.json`: the merged document.
#[handler]
pub async fn api_document(depot: &mut Depot, res: &mut Response) -> Result<(), Problem> {
    let sidecar = depot
        .get_typed::<Sidecar>()
        .map_err(|_| Problem::internal())?;
    let mut merged = base_document();
    let apps: BTreeSet<&str> = UPSTREAMS.iter().map(|u| u.app_id).collect();
    for app_id in apps {
        let response = sidecar
            .invoke(reqwest::Method::GET, app_id, "openapi.json")
            .send()
            .await
            .map_err(|error| {
                tracing::warn!(%error, app_id, "fetching an OpenAPI document failed");
                Problem::unavailable(format!("the {app_id} service did not answer"))
            })?;
        match response.status() {
            // A service without public routes yet has no document.
            StatusCode::NOT_FOUND => continue,
            status if !status.is_success() => {
                return Err(Problem::unavailable(format!(
                    "the {app_id} service answered {status} for its API document"
                )));
            }
            _ => {}
        }
        let document: Value = response.json().await.map_err(|error| {
            tracing::error!(%error, app_id, "a service's OpenAPI document is not JSON");
            Problem::internal()
        })?;
        merge_service_document(&mut merged, app_id, document);
    }
    res.render(Json(merged));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_public_and_internal_ones_are_dropped() {
        let mut merged = base_document();
        let document = json!({
            "paths": {
                "/users/me": { "get": { "security": [{ "bearer": [] }], "responses": { "200": { "description": "ok" } } } },
                "/admin/users": { "get": { "responses": {} } },
                "/usersfoo": { "get": { "responses": {} } },
                "/openapi.json": { "get": { "responses": {} } }
            },
            "components": { "schemas": { "Profile": { "type": "object" } } }
        });
        merge_service_document(&mut merged, "users", document);
        let paths = merged["paths"].as_object().unwrap();
        assert_eq!(
            paths.keys().collect::<Vec<_>>(),
            ["/api/admin/users", "/api/users/me"]
        );
        let me = &merged["paths"]["/api/users/me"]["get"]["responses"];
        assert!(me.get("200").is_some() && me.get("401").is_some() && me.get("429").is_some());
        assert!(
            merged["paths"]["/api/admin/users"]["get"]["responses"]
                .get("401")
                .is_none()
        );
        assert_eq!(merged["components"]["schemas"]["Profile"]["type"], "object");
    }
}
