//! Users and the gateway, end to end: sign up, sign in, profiles, tokens, and the front door's
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly
//! rules (authentication, roles, body limits, rate limits), through real sidecars.

use std::time::Duration;

use access_token::{AccessClaims, AccessTokenKey};
use e2e::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn registering_twice_with_the_same_email_in_any_case_is_a_conflict() {
    let user = register_user().await;
    let again = http()
        .post(format!("{GATEWAY}/api/users/register"))
        .json(&json!({ "email": user.email.to_uppercase(), "password": "another long password", "displayName": "Twin" }))
        .send()
        .await
        .unwrap();
    let body = problem(again, StatusCode::CONFLICT).await;
    assert_eq!(body["type"], "/problems/email-taken");
}

#[tokio::test]
async fn invalid_registrations_list_every_bad_field() {
    let response = http()
        .post(format!("{GATEWAY}/api/users/register"))
        .json(&json!({ "email": "not-an-email", "password": "short", "displayName": "" }))
        .send()
        .await
        .unwrap();
    let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["type"], "/problems/validation-error");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["email", "password", "displayName"] {
        assert!(
            fields
                .iter()
                .any(|f| f.eq_ignore_ascii_case(field) || f.eq_ignore_ascii_case("display_name")),
            "{field} not reported: {body}"
        );
    }

    let email = format!("same-{}@example.com", uuid::Uuid::new_v4());
    let response = http()
        .post(format!("{GATEWAY}/api/users/register"))
        .json(&json!({ "email": email, "password": email.to_uppercase(), "displayName": "Lazy" }))
        .send()
        .await
        .unwrap();
    let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(body["errors"].to_string().contains("password"), "{body}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let user = register_user().await;
    let tokens = login(&user.email, &user.password).await;
    assert_eq!(tokens["tokenType"], "Bearer");
    assert!(
        tokens["refreshToken"]
            .as_str()
            .is_some_and(|t| t.len() >= 40)
    );

    let wrong = http()
        .post(format!("{GATEWAY}/api/users/login"))
        .json(&json!({ "email": user.email, "password": "not the password at all" }))
        .send()
        .await
        .unwrap();
    let unknown = http()
        .post(format!("{GATEWAY}/api/users/login"))
        .json(&json!({ "email": format!("nobody-{}@example.com", uuid::Uuid::new_v4()), "password": "whatever it may be" }))
        .send()
        .await
        .unwrap();
    let wrong = problem(wrong, StatusCode::UNAUTHORIZED).await;
    let unknown = problem(unknown, StatusCode::UNAUTHORIZED).await;
    assert_eq!(wrong, unknown, "the two failures must be indistinguishable");
}

#[tokio::test]
async fn a_user_reads_and_updates_their_profile() {
    let user = register_user().await;
    let token = access_token(&user).await;
    let me = http()
        .get(format!("{GATEWAY}/api/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["email"], user.email);
    assert_eq!(me["roles"], json!(["customer"]));
    assert!(
        me.get("passwordHash").is_none() && !me.to_string().contains("argon2"),
        "{me}"
    );

    let update = json!({
        "displayName": "  Ada Lovelace ",
        "phone": "+44 20 7946 0958",
        "shippingAddresses": [{ "recipient": "Ada", "line1": "12 St James's Square", "city": "London", "postalCode": "SW1Y 4JH", "country": "gb" }]
    });
    let updated = http()
        .patch(format!("{GATEWAY}/api/users/me"))
        .bearer_auth(&token)
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    let updated: Value = updated.json().await.unwrap();
    assert_eq!(updated["displayName"], "Ada Lovelace");
    assert_eq!(updated["phone"], "+442079460958");
    assert_eq!(updated["shippingAddresses"][0]["country"], "GB");

    let bad = http()
        .patch(format!("{GATEWAY}/api/users/me"))
        .bearer_auth(&token)
        .json(&json!({ "phone": "0800 not a number" }))
        .send()
        .await
        .unwrap();
    problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;

    let cleared = http()
        .patch(format!("{GATEWAY}/api/users/me"))
        .bearer_auth(&token)
        .json(&json!({ "phone": null }))
        .send()
        .await
        .unwrap();
    let cleared: Value = cleared.json().await.unwrap();
    assert_eq!(cleared["phone"], Value::Null);
    assert_eq!(
        cleared["displayName"], "Ada Lovelace",
        "absent fields stay as they are"
    );
}

#[tokio::test]
async fn identity_headers_from_clients_are_ignored() {
    let victim = register_user().await;
    let attacker = register_user().await;
    let unauthenticated = http()
        .get(format!("{GATEWAY}/api/users/me"))
        .header("x-user-id", &victim.user_id)
        .header("x-user-roles", "admin")
        .send()
        .await
        .unwrap();
    problem(unauthenticated, StatusCode::UNAUTHORIZED).await;

    let token = access_token(&attacker).await;
    let me: Value = http()
        .get(format!("{GATEWAY}/api/users/me"))
        .bearer_auth(&token)
        .header("x-user-id", &victim.user_id)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], attacker.email);
}

async fn refresh(refresh_token: &str) -> reqwest::Response {
    http()
        .post(format!("{GATEWAY}/api/users/refresh"))
        .json(&json!({ "refreshToken": refresh_token }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_revokes_its_family() {
    let user = register_user().await;
    let first = login(&user.email, &user.password).await;
    let first_refresh = first["refreshToken"].as_str().unwrap();

    let second = refresh(first_refresh).await;
    assert_eq!(second.status(), StatusCode::OK);
    let second: Value = second.json().await.unwrap();
    let second_refresh = second["refreshToken"].as_str().unwrap();
    assert_ne!(second_refresh, first_refresh);
    let me = http()
        .get(format!("{GATEWAY}/api/users/me"))
        .bearer_auth(second["accessToken"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    // The old token was used once: using it again is refused, and burns the new one too.
    let replay = problem(refresh(first_refresh).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(replay["type"], "/problems/invalid-refresh-token");
    problem(refresh(second_refresh).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let user = register_user().await;
    let session = login(&user.email, &user.password).await;
    let refresh_token = session["refreshToken"].as_str().unwrap();
    let logout = http()
        .post(format!("{GATEWAY}/api/users/logout"))
        .json(&json!({ "refreshToken": refresh_token }))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    problem(refresh(refresh_token).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn expired_tampered_and_malformed_access_tokens_get_401() {
    let user = register_user().await;
    let key = AccessTokenKey::from_secret(secret("jwt-signing-key").as_bytes());
    let now = chrono::Utc::now().timestamp();
    let expired = key
        .sign(&AccessClaims {
            sub: user.user_id.parse().unwrap(),
            roles: vec!["customer".into()],
            iat: now - 3600,
            exp: now - 60,
            jti: uuid::Uuid::new_v4(),
            iss: "shop-users".into(),
        })
        .unwrap();
    let response = http()
        .get(format!("{GATEWAY}/api/users/me"))
        .bearer_auth(&expired)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response, StatusCode::UNAUTHORIZED).await["type"],
        "/problems/token-expired"
    );

    // A valid token whose payload is swapped for one claiming admin, signature kept.
    let token = access_token(&user).await;
    let forged_payload = AccessTokenKey::from_secret(b"someone-else's key, not ours at all")
        .issue(
            user.user_id.parse().unwrap(),
            vec!["admin".into()],
            Duration::from_secs(600),
        )
        .unwrap()
        .0;
    let mut parts: Vec<&str> = token.split('.').collect();
    let payload = forged_payload.split('.').nth(1).unwrap().to_owned();
    parts[1] = &payload;
    let tampered = parts.join(".");
    for bad in [tampered.as_str(), "not.a.token", "garbage"] {
        let response = http()
            .get(format!("{GATEWAY}/api/admin/users"))
            .bearer_auth(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(response, StatusCode::UNAUTHORIZED).await["type"],
            "/problems/unauthorized"
        );
    }
    let response = http()
        .get(format!("{GATEWAY}/api/users/me"))
        .header("authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn admin_routes_are_for_admins_only() {
    let customer = register_user().await;
    let token = access_token(&customer).await;
    let forbidden = http()
        .get(format!("{GATEWAY}/api/admin/users"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(forbidden, StatusCode::FORBIDDEN).await["type"],
        "/problems/forbidden"
    );

    // The first administrator comes from configuration (the secret store), not from an endpoint.
    let admin_token = login(&secret("admin-email"), &secret("admin-password")).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = http()
        .get(format!("{GATEWAY}/api/admin/users?limit=200"))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    let listed: Value = listed.json().await.unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["email"] == customer.email),
        "the new customer is listed"
    );
}

#[tokio::test]
async fn the_users_port_refuses_calls_that_bypass_dapr() {
    let direct = http()
        .post(format!("http://127.0.0.1:{}/users/register", app_port("users")))
        .json(&json!({ "email": "direct@example.com", "password": "a long enough password", "displayName": "Direct" }))
        .send()
        .await
        .unwrap();
    problem(direct, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_problems() {
    let huge = "x".repeat(2 * 1024 * 1024);
    let response = http()
        .post(format!("{GATEWAY}/api/users/register"))
        .header("content-type", "application/json")
        .body(format!("{{\"email\":\"{huge}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response, StatusCode::PAYLOAD_TOO_LARGE).await["type"],
        "/problems/payload-too-large"
    );

    let response = http()
        .post(format!("{GATEWAY}/api/users/register"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response, StatusCode::BAD_REQUEST).await["type"],
        "/problems/bad-request"
    );

    let response = http()
        .post(format!("{GATEWAY}/api/users/login"))
        .json(&json!({ "email": "a@example.com", "password": "x", "isAdmin": true }))
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn a_client_over_its_rate_limit_gets_429_with_retry_after() {
    // A client address of its own (all of 127.0.0.0/8 is loopback), so other tests keep theirs.
    let client = reqwest::Client::builder()
        .local_address("127.0.0.77".parse::<std::net::IpAddr>().unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    // A route the gateway answers itself (401: no token) after the limiter, so the requests
    // arrive faster than the bucket refills whatever the speed of the services behind it.
    let requests = (0..800).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .get(format!("{GATEWAY}/api/orders/mine"))
                .send()
                .await
        })
    });
    let mut limited = None;
    for request in requests {
        let response = request.await.unwrap().expect("gateway answers");
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
        }
    }
    let response = limited.expect("800 requests at once exceed the burst of the rate limit");
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    assert_eq!(
        problem(response, StatusCode::TOO_MANY_REQUESTS).await["type"],
        "/problems/rate-limited"
    );
}

#[tokio::test]
async fn registration_publishes_user_registered_through_the_outbox_to_kafka() {
    require_kafka();
    let user = register_user().await;
    let events: Value = eventually(
        "analytics to receive shop.user.registered.v1",
        Duration::from_secs(45),
        || async {
            let response = http()
                .get(invoke_url(
                    "analytics",
                    &format!("analytics/events?subject={}", user.user_id),
                ))
                .send()
                .await
                .ok()?;
            let events: Value = response.json().await.ok()?;
            (events
                .as_array()?
                .iter()
                .any(|e| e["eventType"] == "shop.user.registered.v1"))
            .then_some(events)
        },
    )
    .await;
    let registered = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["eventType"] == "shop.user.registered.v1")
        .unwrap();
    assert_eq!(registered["topic"], "user-events");
    assert_eq!(registered["source"], "shop/users");
    assert_eq!(registered["payload"]["email"], user.email);
    assert_eq!(registered["payload"]["userId"], user.user_id);
    assert!(
        registered["payload"].get("password").is_none()
            && registered["payload"].get("passwordHash").is_none()
    );
    assert_eq!(
        events.as_array().unwrap().len(),
        1,
        "exactly one event per registration: {events}"
    );
}

#[tokio::test]
async fn browsers_from_allowed_origins_get_cors_headers() {
    let preflight = http()
        .request(
            reqwest::Method::OPTIONS,
            format!("{GATEWAY}/api/users/login"),
        )
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );

    let foreign = http()
        .request(
            reqwest::Method::OPTIONS,
            format!("{GATEWAY}/api/users/login"),
        )
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        foreign
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
