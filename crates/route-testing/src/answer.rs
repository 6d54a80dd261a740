//! Reading an answer: its JSON body, or the problem+json body of a refusal.

use salvo::Response;
use salvo::http::StatusCode;
use salvo::test::ResponseExt;
use serde_json::Value;

/// The content type of an RFC 9457 problem, which every service answers a refusal with.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The JSON body of a response that must have `status`.
pub async fn json_body(response: &mut Response, status: StatusCode) -> Value {
    let body: Value = response.take_json().await.expect("a JSON body");
    assert_eq!(response.status_code, Some(status), "{body}");
    body
}

/// The problem+json body of a response that must have `status`, in its status line, its
/// content type and its body.
pub async fn problem(response: &mut Response, status: StatusCode) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().expect("a visible ASCII content type").to_owned());
    // Read as text first, so a failed assertion shows whatever the body was.
    let bytes = response.take_bytes(None).await.expect("a body");
    let body = String::from_utf8(bytes.to_vec()).expect("a UTF-8 body");
    assert_eq!(response.status_code, Some(status), "{body}");
    assert_eq!(content_type.as_deref(), Some(PROBLEM_JSON), "{body}");
    let body: Value = serde_json::from_str(&body).expect("a JSON problem");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    body
}

/// The `field` of each entry of a validation problem's `errors`, in its order.
pub fn fields(problem: &Value) -> Vec<&str> {
    validation_errors(problem, "field")
}

/// The `message` of each entry of a validation problem's `errors`, in its order.
pub fn messages(problem: &Value) -> Vec<&str> {
    validation_errors(problem, "message")
}

fn validation_errors<'a>(problem: &'a Value, key: &str) -> Vec<&'a str> {
    assert_eq!(problem["type"], "/problems/validation-error", "{problem}");
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {problem}"))
        .iter()
        .map(|error| {
            error[key]
                .as_str()
                .unwrap_or_else(|| panic!("no {key} in {error}"))
        })
        .collect()
}
