//! Success answers other than `200 OK` with JSON, documented as exactly what they are.
//!
//! A handler returning `Result<(), E>` is documented by salvo-oapi with a `200` response it never
//! sends; these types render and document their own status instead.

use salvo::http::StatusCode;
use salvo::oapi::{Components, Content, EndpointOutRegister, Operation, Response, ToSchema};
use salvo::prelude::*;
use serde::Serialize;

/// `201 Created` with the new resource as JSON.
pub struct Created<T>(pub T);

impl<T: Serialize + Send> Scribe for Created<T> {
    fn render(self, res: &mut salvo::Response) {
        res.status_code(StatusCode::CREATED);
        res.render(Json(self.0));
    }
}

impl<T: ToSchema> EndpointOutRegister for Created<T> {
    fn register(components: &mut Components, operation: &mut Operation) {
        let schema = T::to_schema(components);
        operation.responses.insert(
            "201",
            Response::new("Created").add_content("application/json", Content::new(schema)),
        );
    }
}

/// `204 No Content`.
pub struct NoContent;

impl Scribe for NoContent {
    fn render(self, res: &mut salvo::Response) {
        res.status_code(StatusCode::NO_CONTENT);
    }
}

impl EndpointOutRegister for NoContent {
    fn register(_components: &mut Components, operation: &mut Operation) {
        operation
            .responses
            .insert("204", Response::new("No content"));
    }
}
