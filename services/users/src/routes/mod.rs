//! The HTTP surface: thin handlers that read a request, call the application, and render.

mod accounts;
mod admin;
mod contact;
mod profile;
mod sessions;
mod stats;

use salvo::oapi::OpenApi;
use salvo::prelude::*;

use crate::app::UsersApp;

/// A domain length bound (characters) in the type `validator`'s `length` takes.
const fn bound(chars: usize) -> u64 {
    chars as u64
}

/// Every route of the service, with `app` injected, and this service's part of the public
/// OpenAPI document at `openapi.json` (the gateway merges it into the one document).
pub fn router(app: UsersApp) -> Router {
    let router = Router::new()
        .hoop(salvo::affix_state::inject(app))
        .push(Router::with_path("admin/users").get(admin::list_users))
        .push(
            Router::with_path("users")
                .push(Router::with_path("register").post(accounts::register))
                .push(Router::with_path("login").post(sessions::login))
                .push(Router::with_path("refresh").post(sessions::refresh))
                .push(Router::with_path("logout").post(sessions::logout))
                .push(
                    Router::with_path("me")
                        .get(profile::get_profile)
                        .patch(profile::update_profile),
                )
                .push(Router::with_path("stats").get(stats::get_stats)),
        );
    let openapi = OpenApi::new("shop users", env!("CARGO_PKG_VERSION")).merge_router(&router);
    router.push(openapi.into_router("openapi.json")).push(
        Router::with_path(format!(
            "{}/{{id}}/contact",
            contracts::user::CONTACT_METHOD
        ))
        .get(contact::get_contact),
    )
}
