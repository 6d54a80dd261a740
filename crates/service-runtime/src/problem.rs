//! RFC 9457 problem details, the one shape every error of every service takes on the wire.
//!
//! Each kind of error has a stable `type` (a relative URI under `/problems/`), so clients can
//! match on it; `title` is the same for every occurrence of a kind and `detail` explains this one.
//! Internal causes never end up here: services log them with the request id instead.

use salvo::http::StatusCode;
use salvo::http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use salvo::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};

pub const CONTENT_TYPE_PROBLEM: &str = "application/problem+json";

#[derive(Debug, Clone, PartialEq, Serialize, salvo::oapi::ToSchema)]
#[salvo(schema(name = "Problem", example = json!({
    "type": "/problems/validation-error",
    "title": "The request is well-formed but some fields are invalid",
    "status": 422,
    "errors": [{ "field": "email", "message": "must be an email address" }]
})))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Extension members (RFC 9457 §3.2), e.g. the field errors of a validation problem.
    #[serde(flatten)]
    #[salvo(schema(value_type = Object, additional_properties = true))]
    pub extensions: Map<String, Value>,
}

impl Problem {
    /// A problem of kind `kind` (a short slug such as `validation-error`).
    pub fn new(status: StatusCode, kind: &str, title: impl Into<String>) -> Self {
        Self {
            kind: format!("/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail: None,
            instance: None,
            extensions: Map::new(),
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_instance(mut self, instance: impl Into<String>) -> Self {
        self.instance = Some(instance.into());
        self
    }

    pub fn with_extension(mut self, name: &str, value: impl Serialize) -> Self {
        // Serializing plain data into a Value cannot fail; fall back to null rather than panic.
        self.extensions.insert(
            name.into(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        );
        self
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    // The common kinds, so that the same situation has the same `type` in every service.

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The request is malformed",
        )
        .with_detail(detail)
    }

    pub fn validation(errors: impl Serialize) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-error",
            "The request is well-formed but some fields are invalid",
        )
        .with_extension("errors", errors)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "The resource does not exist",
        )
        .with_detail(detail)
    }

    pub fn conflict(kind: &str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            kind,
            "The request conflicts with the current state",
        )
        .with_detail(detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication is required",
        )
        .with_detail(detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "The caller may not do this",
        )
        .with_detail(detail)
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "dependency-unavailable",
            "A service this request depends on is unavailable",
        )
        .with_detail(detail)
    }

    /// For failures whose cause must stay in the logs.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error",
            "Something went wrong on our side",
        )
    }

    /// The problem for a bare status code, used where salvo itself answers (404, 405, 413...).
    pub fn from_status(status: StatusCode) -> Self {
        let reason = status.canonical_reason().unwrap_or("Error");
        let kind = reason.to_ascii_lowercase().replace(' ', "-");
        Self::new(status, &kind, reason)
    }
}

/// Seconds a client is asked to wait before retrying a 503: what a dependency's restart or an
/// actor's move to another host takes (see docs/architecture.md, "Orders").
const RETRY_AFTER_UNAVAILABLE_SECONDS: &str = "2";

impl Scribe for Problem {
    fn render(self, res: &mut Response) {
        res.status_code(self.status_code());
        res.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_PROBLEM));
        if self.status == StatusCode::SERVICE_UNAVAILABLE.as_u16()
            && !res.headers().contains_key(RETRY_AFTER)
        {
            res.headers_mut().insert(
                RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_UNAVAILABLE_SECONDS),
            );
        }
        match serde_json::to_vec(&self) {
            Ok(body) => {
                res.body(body);
            }
            Err(error) => tracing::error!(%error, "could not serialize a problem"),
        }
    }
}

/// Adds `application/problem+json` responses for `statuses` to an OpenAPI operation, keeping any
/// the endpoint already describes itself (its own wording is more precise than a default).
pub fn register_problem_responses(
    components: &mut salvo::oapi::Components,
    operation: &mut salvo::oapi::Operation,
    statuses: &[(u16, &str)],
) {
    use salvo::oapi::ToSchema;
    let schema = Problem::to_schema(components);
    for (status, description) in statuses {
        let key = status.to_string();
        if !operation.responses.contains_key(&key) {
            operation.responses.insert(
                key,
                salvo::oapi::Response::new(*description).add_content(
                    CONTENT_TYPE_PROBLEM,
                    salvo::oapi::Content::new(schema.clone()),
                ),
            );
        }
    }
}

/// Makes a service's error type answer as problem+json and document itself: every endpoint
/// returning `Result<_, TheError>` then lists the error's problem responses (and 500) in the
/// OpenAPI document without a line on the endpoint. The type needs `From<TheError> for Problem`.
///
/// ```text
/// service_runtime::problem_responses!(OrdersError {
///     404 => "No such order",
///     409 => "The order's status does not allow this",
/// });
/// ```
#[macro_export]
macro_rules! problem_responses {
    ($error:ty { $($status:literal => $description:literal),* $(,)? }) => {
        impl $crate::reexport::salvo::oapi::EndpointOutRegister for $error {
            fn register(
                components: &mut $crate::reexport::salvo::oapi::Components,
                operation: &mut $crate::reexport::salvo::oapi::Operation,
            ) {
                $crate::problem::register_problem_responses(
                    components,
                    operation,
                    &[
                        $(($status, $description),)*
                        (500, "Something went wrong on our side (details are in the service's log)"),
                    ],
                );
            }
        }

        #[$crate::reexport::salvo::async_trait]
        impl $crate::reexport::salvo::Writer for $error {
            async fn write(
                self,
                req: &mut $crate::reexport::salvo::Request,
                depot: &mut $crate::reexport::salvo::Depot,
                res: &mut $crate::reexport::salvo::Response,
            ) {
                $crate::reexport::salvo::Writer::write(
                    $crate::Problem::from(self),
                    req,
                    depot,
                    res,
                )
                .await;
            }
        }
    };
}

/// Renders salvo's own error responses (unknown route, wrong method, body too large, bad
/// content) as problem+json too, so a client never sees an HTML error page.
#[handler]
pub async fn render_status_as_problem(res: &mut Response, ctrl: &mut FlowCtrl) {
    let status = res.status_code.unwrap_or(StatusCode::NOT_FOUND);
    let is_problem = res
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(CONTENT_TYPE_PROBLEM.as_bytes()));
    if (status.is_client_error() || status.is_server_error()) && !is_problem {
        res.render(Problem::from_status(status));
        ctrl.skip_rest();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_rfc9457_member_names_and_extensions() {
        let problem = Problem::validation(vec!["email"]).with_instance("/api/users");
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["type"], "/problems/validation-error");
        assert_eq!(json["status"], 422);
        assert_eq!(json["instance"], "/api/users");
        assert_eq!(json["errors"][0], "email");
        assert!(json.get("detail").is_none());
    }

    #[test]
    fn registered_problem_responses_keep_what_the_endpoint_wrote() {
        let mut components = salvo::oapi::Components::new();
        let mut operation = salvo::oapi::Operation::new();
        operation
            .responses
            .insert("404", salvo::oapi::Response::new("No such order"));
        register_problem_responses(
            &mut components,
            &mut operation,
            &[(404, "Not found"), (409, "Conflict")],
        );
        let json = serde_json::to_value(&operation).unwrap();
        assert_eq!(json["responses"]["404"]["description"], "No such order");
        assert_eq!(json["responses"]["409"]["description"], "Conflict");
        assert!(json["responses"]["409"]["content"][CONTENT_TYPE_PROBLEM].is_object());
    }

    #[test]
    fn bare_statuses_get_a_stable_kind() {
        let problem = Problem::from_status(StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(problem.kind, "/problems/payload-too-large");
        assert_eq!(problem.status, 413);
    }
}
