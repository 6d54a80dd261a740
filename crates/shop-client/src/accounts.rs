//! Accounts made and signed in through the gateway, as a customer or the administrator would.

use serde_json::Value;

use crate::{GATEWAY, http, secret};

/// A customer account made for one test or one benchmark run.
pub struct RegisteredUser {
    pub email: String,
    pub password: String,
    pub user_id: String,
}

/// Registers a fresh customer (a unique email) through the gateway.
pub async fn register_user() -> RegisteredUser {
    let email = format!("customer-{}@example.com", uuid::Uuid::new_v4());
    let password = "correct horse battery staple".to_owned();
    let response = http()
        .post(format!("{GATEWAY}/api/users/register"))
        .json(&serde_json::json!({ "email": email, "password": password, "displayName": "Test Customer" }))
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(
        response.status(),
        reqwest::StatusCode::CREATED,
        "registration failed"
    );
    let body: Value = response.json().await.expect("json");
    RegisteredUser {
        email,
        password,
        user_id: body["userId"].as_str().expect("user id").to_owned(),
    }
}

/// Signs in through the gateway; returns the token pair as JSON.
pub async fn login(email: &str, password: &str) -> Value {
    let response = http()
        .post(format!("{GATEWAY}/api/users/login"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(response.status(), reqwest::StatusCode::OK, "login failed");
    response.json().await.expect("json")
}

/// The access token of a fresh session for `user`.
pub async fn access_token(user: &RegisteredUser) -> String {
    login(&user.email, &user.password).await["accessToken"]
        .as_str()
        .expect("access token")
        .to_owned()
}

/// Signs the configured administrator in and returns an access token.
pub async fn admin_access_token() -> String {
    login(&secret("admin-email"), &secret("admin-password")).await["accessToken"]
        .as_str()
        .expect("access token")
        .to_owned()
}
