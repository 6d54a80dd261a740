//! The flake against what the bootstrap installed and cached on this machine: the committed lock
//! read offline, and every hash computed here recomputed from the cached sources. `./shop test`
//! prepares all of it (scripts/lib/nix.sh, ensure_nix); nothing here is skipped when missing.

use nix_checks::{committed_dapr_vendor_hash, flake_versions, nix, read, repo_root, run};
use std::process::Command;

#[test]
fn nix_flake_metadata_reads_the_committed_lock_offline() {
    let before = read("flake.lock");
    let metadata = run(nix("nix").args([
        "flake",
        "metadata",
        "--json",
        "--offline",
        "--no-update-lock-file",
        "--no-write-lock-file",
        ".",
    ]));
    let metadata: serde_json::Value = serde_json::from_str(&metadata).expect("JSON");
    let lock: serde_json::Value = serde_json::from_str(&before).expect("JSON");
    assert_eq!(metadata["locks"], lock, "Nix reads the lock as committed");
    assert_eq!(read("flake.lock"), before, "and leaves it unchanged");
}

#[test]
fn daprd_vendor_hash_recomputes_from_the_cached_modules() {
    // nix/dapr/vendor-hash.sh repeats what buildGoModule's goModules derivation does (go mod
    // download in the pinned source, the module cache's download directory without sumdb) and
    // hashes the result like Nix; the modules come from $SHOP_CACHE, offline.
    let version = &flake_versions()["DAPR_RUNTIME_VERSION"];
    let computed = run(Command::new("bash")
        .arg(repo_root().join("nix/dapr/vendor-hash.sh"))
        .arg("compute"));
    assert_eq!(computed.trim(), committed_dapr_vendor_hash(version));
}

#[test]
fn the_kafka_jars_of_the_flake_are_the_bootstraps() {
    // Written again from $KAFKA_HOME/libs (sha256 of each cached jar) and compared.
    let fresh = std::env::temp_dir().join(format!("nix-checks-jars-{}.txt", std::process::id()));
    run(Command::new("bash")
        .arg(repo_root().join("nix/kafka/jars.sh"))
        .arg(&fresh));
    let text = std::fs::read_to_string(&fresh).expect("written");
    let _ = std::fs::remove_file(&fresh);
    assert_eq!(
        text,
        read("nix/kafka/jars.txt"),
        "nix/kafka/jars.sh gives another list"
    );
}

#[test]
fn the_rabbitmq_packages_of_the_flake_are_the_installed_ones() {
    // Written again from the installed packages and Debian's package index, and compared.
    let fresh = std::env::temp_dir().join(format!("nix-checks-debs-{}.txt", std::process::id()));
    run(Command::new("bash")
        .arg(repo_root().join("nix/rabbitmq/debs.sh"))
        .arg(&fresh));
    let text = std::fs::read_to_string(&fresh).expect("written");
    let _ = std::fs::remove_file(&fresh);
    assert_eq!(
        text,
        read("nix/rabbitmq/debs.txt"),
        "nix/rabbitmq/debs.sh gives another list"
    );
}

#[test]
fn the_bootstrap_runs_the_pinned_versions() {
    let v = flake_versions();
    let rustc = run(Command::new("rustc").arg("--version"));
    assert!(
        rustc.starts_with(&format!("rustc {} ", v["RUST_VERSION"])),
        "./shop builds with {rustc:?}, the flake with {}",
        v["RUST_VERSION"]
    );
    // The servers ./shop starts: the Postgres infra.sh picks, Debian's RabbitMQ, our daprd.
    let script = "set -euo pipefail; source scripts/lib/common.sh; source scripts/lib/infra.sh; \
                  \"$(pg_bin)/postgres\" --version; \
                  dpkg-query -W -f '${Version}\\n' rabbitmq-server; \
                  \"$DAPR_BIN/daprd\" --version";
    let out = run(Command::new("bash")
        .args(["-c", script])
        .current_dir(repo_root()));
    let lines: Vec<&str> = out.lines().collect();
    let [postgres, rabbitmq, daprd] = lines.as_slice() else {
        panic!("unexpected output: {out}");
    };
    let pg_major = postgres
        .rsplit(' ')
        .next()
        .and_then(|version| version.split('.').next())
        .expect("a version");
    assert_eq!(pg_major, v["POSTGRES_MAJOR"], "{postgres}");
    assert_eq!(
        rabbitmq.split('.').next(),
        Some(v["RABBITMQ_MAJOR"].as_str()),
        "{rabbitmq}"
    );
    assert_eq!(daprd.trim(), v["DAPR_RUNTIME_VERSION"], "daprd --version");
}
