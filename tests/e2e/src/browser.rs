//! A real browser for the tests: Debian's headless Chromium, driven through Debian's
//! `chromedriver` with the W3C WebDriver protocol (plain JSON over HTTP, so a handful of calls
//! here instead of a client library). `./shop up` installs both; a machine without them fails
//! the test that needs them, saying so.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::{eventually, http};

/// Where chromedriver listens: a fixed loopback port below the ephemeral range, like every port
/// of the system.
const DRIVER_PORT: u16 = 9615;
const CHROMIUM: &str = "/usr/bin/chromium";

/// One browser session; the driver (and with it the browser) stops when this is dropped.
pub struct Browser {
    driver: Child,
    session: String,
    base: String,
}

/// Where a test's screenshots and other output go: `$SHOP_RUN/test-output/<test>/`.
pub fn test_output_dir(test: &str) -> PathBuf {
    let run = std::env::var("SHOP_RUN").unwrap_or_else(|_| ".run".into());
    let dir = Path::new(&run).join("test-output").join(test);
    std::fs::create_dir_all(&dir).expect("the test output directory can be made");
    dir
}

impl Browser {
    pub async fn start() -> Self {
        let driver = Command::new("chromedriver")
            .arg(format!("--port={DRIVER_PORT}"))
            // The dashboard's days are the browser's; the tests' are UTC.
            .env("TZ", "UTC")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver cannot start ({e}): `./shop up` installs Debian's chromium-driver"
                )
            });
        assert!(
            Path::new(CHROMIUM).exists(),
            "{CHROMIUM} is missing: `./shop up` installs Debian's chromium"
        );
        let base = format!("http://127.0.0.1:{DRIVER_PORT}");
        eventually(
            "chromedriver to listen",
            Duration::from_secs(20),
            || async { http().get(format!("{base}/status")).send().await.ok() },
        )
        .await;
        let created: Value = http()
            .post(format!("{base}/session"))
            .json(&json!({ "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                             "--disable-dev-shm-usage", "--window-size=1400,2000"]
                }
            }}}))
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("a session answer");
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {created}"))
            .to_owned();
        Self {
            driver,
            session,
            base,
        }
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}/{path}", self.base, self.session);
        let mut request = http().request(method.clone(), &url);
        if method != reqwest::Method::GET {
            request = request.json(&body);
        }
        let answer: Value = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("chromedriver does not answer {path}: {e}"))
            .json()
            .await
            .expect("a WebDriver answer");
        if answer["value"]["error"].is_string() {
            panic!("WebDriver {path} failed: {}", answer["value"]);
        }
        answer["value"].clone()
    }

    pub async fn open(&self, url: &str) {
        self.command(reqwest::Method::POST, "url", json!({ "url": url }))
            .await;
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page and returns its value.
    pub async fn run(&self, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "execute/sync",
            json!({ "script": script, "args": args }),
        )
        .await
    }

    async fn element(&self, css: &str) -> String {
        let found = self
            .command(
                reqwest::Method::POST,
                "element",
                json!({ "using": "css selector", "value": css }),
            )
            .await;
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_owned()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("element/{id}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("element/{id}/click"),
            json!({}),
        )
        .await;
    }

    /// Waits until `script` returns something other than null or false, and returns it.
    pub async fn wait_for(&self, what: &str, timeout: Duration, script: &str) -> Value {
        eventually(what, timeout, || async {
            let value = self.run(script, json!([])).await;
            (!value.is_null() && value != Value::Bool(false)).then_some(value)
        })
        .await
    }

    /// Saves a PNG of the whole window and returns its size in bytes.
    pub async fn screenshot(&self, file: &Path) -> usize {
        let encoded = self
            .command(reqwest::Method::GET, "screenshot", Value::Null)
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("base64 PNG"))
            .expect("a PNG");
        std::fs::write(file, &png).expect("the screenshot is saved");
        png.len()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Best effort: ending the session closes the browser; killing the driver ends the rest.
        let _ = std::process::Command::new("curl")
            .args(["-s", "-X", "DELETE"])
            .arg(format!("{}/session/{}", self.base, self.session))
            .stdout(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
