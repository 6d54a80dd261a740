mod accounts;
mod admin;
mod body;
mod profile;
mod sessions;
mod stats;

use salvo::prelude::*;

use crate::app::UsersApp;

pub fn router(app: UsersApp) -> Router {
    Router::new()
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
        )
}
