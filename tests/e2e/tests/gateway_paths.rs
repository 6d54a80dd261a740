//! Request paths through the real gateway, its daprd and the services behind it: ordinary paths
//! reach their service with their meaning kept, paths that daprd or a service would read as
//! another path are refused at the front door, and what a service answers (a 405 and its
//! `Allow`) reaches the client.
//!
//! The unacceptable paths go out over a plain TCP connection, byte for byte as written: reqwest
//! (through the url crate) resolves `.` and `..` segments, `%2e` among them, and turns `\` into
//! `/` before sending, so it could not send the paths this is about.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::time::Duration;

use e2e::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An answer read off the wire.
struct RawAnswer {
    status: u16,
    /// Names lowercased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawAnswer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `GET <target> HTTP/1.1` to the gateway exactly as written, as `curl --path-as-is` or a
/// hand-written client would, and reads the whole answer (the connection is closed after it).
async fn raw_get(target: &str, bearer: &str) -> RawAnswer {
    let address = GATEWAY
        .strip_prefix("http://")
        .expect("the gateway URL is http://host:port");
    let request = format!(
        "GET {target} HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {bearer}\r\n\
         accept: */*\r\nconnection: close\r\n\r\n"
    );
    let exchange = async {
        let mut stream = TcpStream::connect(address)
            .await
            .unwrap_or_else(|e| panic!("the gateway is unreachable at {address}: {e}"));
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        answer
    };
    let answer = tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .unwrap_or_else(|_| panic!("no answer to GET {target} within 30 s"));
    parse_answer(&answer, target)
}

fn parse_answer(answer: &[u8], target: &str) -> RawAnswer {
    let head_end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "GET {target}: no complete answer head: {:?}",
                String::from_utf8_lossy(answer)
            )
        });
    let head = std::str::from_utf8(&answer[..head_end]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("GET {target}: not a status line: {status_line}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let raw_body = &answer[head_end + 4..];
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(raw_body)
    } else {
        raw_body.to_vec()
    };
    RawAnswer {
        status,
        headers,
        body,
    }
}

/// The payload of a chunked body (RFC 9112 §7.1), trailers ignored.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size_field = std::str::from_utf8(&raw[..line_end]).unwrap();
        let size_hex = size_field.split(';').next().unwrap().trim();
        let size = usize::from_str_radix(size_hex, 16).expect("a hexadecimal chunk size");
        if size == 0 {
            return body;
        }
        let start = line_end + 2;
        body.extend_from_slice(&raw[start..start + size]);
        raw = &raw[start + size + 2..];
    }
}

/// What the gateway must answer for an unacceptable path.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// The gateway's own 400: the path matched a route but is not acceptable.
    NotAcceptable,
    /// The gateway's own 404: once decoded, the path is no route at all.
    NoSuchRoute,
}

/// Paths that daprd (or the URL of the invocation) would turn into another path, each with the
/// gateway's answer. Sent with an administrator's token, so authorization stops none of them.
const UNACCEPTABLE_PATHS: &[(&str, Refusal)] = &[
    ("/api/orders/..%2f..%2fusers%2fme", Refusal::NotAcceptable),
    ("/api/orders/..%2F..%2Fusers%2Fme", Refusal::NotAcceptable),
    ("/api/catalog/products/%2F", Refusal::NotAcceptable),
    ("/api/catalog/products/%2f", Refusal::NotAcceptable),
    ("/api/catalog/products/a%2Fb", Refusal::NotAcceptable),
    ("/api/orders/%2e%2e", Refusal::NotAcceptable),
    ("/api/orders/%2E%2E/users/me", Refusal::NotAcceptable),
    ("/api/orders/.%2e", Refusal::NotAcceptable),
    ("/api/orders/..", Refusal::NotAcceptable),
    ("/api/orders/../users/me", Refusal::NotAcceptable),
    ("/api/users/me/..", Refusal::NotAcceptable),
    ("/api/users/me/.", Refusal::NotAcceptable),
    ("/api/catalog/./products", Refusal::NotAcceptable),
    ("/api/admin/users/..%2f..%2forders", Refusal::NotAcceptable),
    (
        "/api/catalog/products/%5C..%5Cusers",
        Refusal::NotAcceptable,
    ),
    (
        "/api/catalog/products\\..\\..\\users",
        Refusal::NotAcceptable,
    ),
    ("/api/catalog/products/a%3Fb", Refusal::NotAcceptable),
    ("/api/catalog/products/a%23b", Refusal::NotAcceptable),
    ("/api/catalog/products/a%25b", Refusal::NotAcceptable),
    ("/api/catalog/products/a%2", Refusal::NotAcceptable),
    ("/api/catalog/products/a%00b", Refusal::NotAcceptable),
    ("/api/catalog/products/%FF", Refusal::NotAcceptable),
    ("/api/orders%2f..%2fusers%2fme", Refusal::NoSuchRoute),
];

#[tokio::test]
async fn paths_that_would_change_meaning_downstream_are_refused_at_the_gateway() {
    let admin = admin_access_token().await;
    for (path, refusal) in UNACCEPTABLE_PATHS {
        let answer = raw_get(path, &admin).await;
        assert!(
            answer.status < 500,
            "{path}: {} (never a server error)",
            answer.status
        );
        assert_eq!(
            answer.header("content-type"),
            Some(PROBLEM_JSON),
            "{path}: {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
        let problem: Value = serde_json::from_slice(&answer.body)
            .unwrap_or_else(|e| panic!("{path}: the problem is not JSON: {e}"));
        // Both answers are the gateway's own, not another route's: only the gateway says "the
        // path is not acceptable", and the 404 is its router's (the services' 404s for an
        // unknown id or SKU have types of their own).
        match refusal {
            Refusal::NotAcceptable => {
                assert_eq!(answer.status, 400, "{path}: {problem}");
                assert_eq!(problem["type"], "/problems/bad-request", "{path}");
                let detail = problem["detail"].as_str().unwrap_or_default();
                assert!(
                    detail.starts_with("the path is not acceptable"),
                    "{path}: {problem}"
                );
            }
            Refusal::NoSuchRoute => {
                assert_eq!(answer.status, 404, "{path}: {problem}");
                assert_eq!(problem["type"], "/problems/not-found", "{path}");
                assert!(problem.get("detail").is_none(), "{path}: {problem}");
            }
        }
    }
}

/// A product of its own, in a category of its own, so that a listing shows exactly it.
async fn own_product(admin: &str) -> (String, String) {
    let tag = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
    let sku = format!("GWP-{}", tag.to_uppercase());
    let category = format!("e2e-paths-{tag}");
    let created = http()
        .post(format!("{GATEWAY}/api/admin/catalog/products"))
        .bearer_auth(admin)
        .json(&json!({ "sku": sku, "name": "Path Lamp", "category": category, "price": { "minorUnits": 1_500, "currency": "EUR" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    (sku, category)
}

#[tokio::test]
async fn a_product_is_read_back_however_its_path_is_encoded() {
    let admin = admin_access_token().await;
    let (sku, category) = own_product(&admin).await;

    // Plainly; with an encoded space either side, which inventory trims from a SKU; with its
    // first letter percent-encoded. Each arrives decoded, as the same SKU.
    let first = sku.as_bytes()[0];
    let encoded_first = format!("%{first:02X}{}", &sku[1..]);
    for written in [sku.clone(), format!("%20{sku}%20"), encoded_first] {
        let response = http()
            .get(format!("{GATEWAY}/api/catalog/products/{written}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{written}");
        let product: Value = response.json().await.unwrap();
        assert_eq!(product["sku"], sku, "{written}");
    }

    // Empty segments and a trailing slash are no other path, and the query goes along.
    let response = http()
        .get(format!(
            "{GATEWAY}/api/catalog//products/?category={category}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.unwrap();
    let skus: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, [sku.as_str()]);
}

#[tokio::test]
async fn encoded_ordinary_characters_reach_inventory_which_answers_itself() {
    // Decoded before inventory reads it (an undecoded `%` is no SKU character: 422), trimmed,
    // uppercased, and unknown: inventory's own 404.
    let tag = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
    let response = http()
        .get(format!("{GATEWAY}/api/catalog/products/%20nope-{tag}"))
        .send()
        .await
        .unwrap();
    let body = problem(response, StatusCode::NOT_FOUND).await;
    assert_eq!(body["type"], "/problems/unknown-sku");
    assert_eq!(
        body["detail"],
        format!("no product with SKU NOPE-{}", tag.to_uppercase())
    );

    // `é` is acceptable in a path, so it is passed on; a SKU is ASCII, so inventory, not the
    // gateway, says no.
    let response = http()
        .get(format!("{GATEWAY}/api/catalog/products/caf%C3%A9-noir"))
        .send()
        .await
        .unwrap();
    let body = problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["type"], "/problems/validation-error");
    assert_eq!(body["errors"][0]["field"], "sku");
}

// Answers passed on

#[tokio::test]
async fn a_405_from_a_service_reaches_the_client_with_its_allow_header() {
    let user = register_user().await;
    let token = access_token(&user).await;
    // users has GET and PATCH on /users/me, no DELETE: salvo there answers 405 with `Allow`.
    let response = http()
        .delete(format!("{GATEWAY}/api/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allowed: Vec<String> = response
        .headers()
        .get_all("allow")
        .iter()
        .flat_map(|value| {
            value
                .to_str()
                .unwrap()
                .split(',')
                .map(|method| method.trim().to_ascii_uppercase())
                .collect::<Vec<_>>()
        })
        .collect();
    for method in ["GET", "PATCH"] {
        assert!(
            allowed.iter().any(|m| m == method),
            "allow: {allowed:?} lacks {method}"
        );
    }
    assert!(!allowed.iter().any(|m| m == "DELETE"), "allow: {allowed:?}");
    let body = problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    assert_eq!(body["type"], "/problems/method-not-allowed");

    // And nothing was deleted.
    let me = http()
        .get(format!("{GATEWAY}/api/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}
