//! The secrets `./shop up` generates, kept in the git-ignored run directory.

use std::path::PathBuf;

use serde_json::Value;

/// The secret `name` (an admin password, the app API token, ...) from `$SHOP_RUN`.
pub fn secret(name: &str) -> String {
    let run = std::env::var("SHOP_RUN").unwrap_or_else(|_| {
        panic!(
            "SHOP_RUN is not set: run through `./shop` (test, bench, seed), which starts the system and sets it"
        )
    });
    let path = PathBuf::from(run).join("secrets/secrets.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let secrets: Value = serde_json::from_str(&text).expect("secrets are JSON");
    secrets[name]
        .as_str()
        .unwrap_or_else(|| panic!("no secret {name}"))
        .to_owned()
}
