//! What the flake's tests read: the repository's files, Nix (Debian's nix-bin, which `./shop test`
//! installs), the pins of `nix/PINS.md` and the versions of `scripts/versions.env` as the flake
//! and the bootstrap each see them.
//!
//! Two test files: `tests/offline.rs` needs only Nix and the checkout (it also runs inside
//! `nix flake check`), `tests/machine.rs` needs what the bootstrap installed and cached.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's top directory (this crate lives in `tests/nix`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root exists")
}

pub fn read(relative: &str) -> String {
    let path = repo_root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// A Nix command: from `NIX_BIN_DIR` (set by `./shop test`) or PATH, with the settings Nix 2.8
/// needs here (no build users, the flake commands enabled) unless `NIX_CONFIG` says otherwise.
pub fn nix(program: &str) -> Command {
    let path = match std::env::var_os("NIX_BIN_DIR") {
        Some(dir) => PathBuf::from(dir).join(program),
        None => PathBuf::from(program),
    };
    let mut command = Command::new(path);
    if std::env::var_os("NIX_CONFIG").is_none() {
        command.env(
            "NIX_CONFIG",
            "build-users-group =\nexperimental-features = nix-command flakes",
        );
    }
    command.current_dir(repo_root());
    command
}

/// Runs a command and returns its standard output; any failure fails the test, with its stderr.
/// A missing program fails too: `./shop test` installs everything these tests use.
pub fn run(command: &mut Command) -> String {
    let output: Output = command.output().unwrap_or_else(|e| {
        panic!(
            "cannot run {:?}: {e} (./shop test installs it: scripts/lib/nix.sh)",
            command.get_program()
        )
    });
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the output is UTF-8")
}

/// Every `.nix` file of the repository (not under target/, .git/ or .run/).
pub fn nix_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if path.is_dir() {
                if !matches!(name, "target" | ".git" | ".run" | "node_modules" | "result") {
                    walk(&path, found);
                }
            } else if name.ends_with(".nix") {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(&repo_root(), &mut found);
    found.sort();
    found
}

/// One pinned source from a table of `nix/PINS.md`: what the row names it, its commit, its
/// hash (`narHash` or `fetchFromGitHub`'s) and its commit time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub label: String,
    pub rev: String,
    pub hash: String,
    pub last_modified: u64,
}

/// The pins of `nix/PINS.md`: every table row with a 40-digit commit, an SRI hash and a commit
/// time, plus pins written inside a note as `owner/repo rev, hash, time`.
pub fn pins() -> Vec<Pin> {
    let text = read("nix/PINS.md");
    let mut pins = Vec::new();
    for line in text.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 4 || !is_rev(cells[1]) {
            continue;
        }
        pins.push(Pin {
            label: cells[0].to_string(),
            rev: cells[1].to_string(),
            hash: cells[2].to_string(),
            last_modified: cells[3].parse().expect("a commit time in seconds"),
        });
        // A note naming a further node: "needs node X: owner/repo <rev>, <hash>, <time>".
        if let Some(note) = cells
            .get(4)
            .and_then(|n| n.split_once(": ").map(|(_, r)| r))
        {
            let parts: Vec<&str> = note.split([' ', ',']).filter(|p| !p.is_empty()).collect();
            if let [label, rev, hash, time] = parts.as_slice()
                && is_rev(rev)
            {
                pins.push(Pin {
                    label: label.to_string(),
                    rev: rev.to_string(),
                    hash: hash.to_string(),
                    last_modified: time.parse().expect("a commit time in seconds"),
                });
            }
        }
    }
    pins
}

fn is_rev(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Every SRI sha256 hash written in `text` (`sha256-` and 44 base64 characters).
pub fn sri_hashes(text: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("sha256-") {
        let candidate = &rest[start..];
        let body: String = candidate["sha256-".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            .collect();
        if body.len() == 44 {
            hashes.push(format!("sha256-{body}"));
        }
        rest = &candidate["sha256-".len()..];
    }
    hashes
}

/// `scripts/versions.env` as the flake reads it: `nix/versions.nix`, evaluated by Nix.
pub fn flake_versions() -> BTreeMap<String, String> {
    let json =
        run(nix("nix-instantiate").args(["--eval", "--strict", "--json", "nix/versions.nix"]));
    let value: serde_json::Value = serde_json::from_str(&json).expect("versions.nix gives JSON");
    value
        .as_object()
        .expect("versions.nix gives a set")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("a string").to_string()))
        .collect()
}

/// The keys `scripts/versions.env` sets.
pub fn version_keys() -> Vec<String> {
    read("scripts/versions.env")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, _)| k.trim().to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('#'))
        .collect()
}

/// The same keys as the bootstrap sees them: `scripts/lib/common.sh` sourced by bash, with none
/// of them in the environment beforehand.
pub fn bootstrap_versions() -> BTreeMap<String, String> {
    let keys = version_keys();
    let script = format!(
        "set -euo pipefail; source scripts/lib/common.sh; for k in {}; do printf '%s=%s\\n' \"$k\" \"${{!k}}\"; done",
        keys.join(" ")
    );
    let mut command = Command::new("bash");
    command.args(["-c", &script]).current_dir(repo_root());
    for key in &keys {
        command.env_remove(key);
    }
    run(&mut command)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The vendorHash `nix/dapr.nix` pins for a Dapr version.
pub fn committed_dapr_vendor_hash(version: &str) -> String {
    let text = read("nix/dapr.nix");
    let block = text
        .split_once(&format!("\"{version}\" = {{"))
        .map(|(_, rest)| rest.split_once('}').map_or(rest, |(b, _)| b))
        .unwrap_or_else(|| panic!("nix/dapr.nix pins nothing for dapr {version}"));
    let line = block
        .lines()
        .find(|l| l.trim_start().starts_with("vendorHash"))
        .expect("a vendorHash line");
    sri_hashes(line).pop().expect("an SRI hash")
}
