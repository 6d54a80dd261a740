//! The Prometheus rules, checked by Prometheus' own tool: `promtool check rules` (syntax, PromQL,
//! templates) and `promtool test rules` (observability/rules-tests/: synthetic series in, the
//! alerts that must and must not fire out). promtool comes with Debian's prometheus package,
//! which `./shop up` installs; without it this fails.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn observability_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../observability")
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no rule files in {}", dir.display());
    files
}

fn promtool(args: &[&str], files: &[PathBuf], dir: &Path) -> String {
    let output = Command::new("promtool")
        .args(args)
        .args(files)
        .current_dir(dir)
        .output()
        .expect("promtool runs (Debian package prometheus; ./shop up installs it)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "promtool {args:?}:\n{report}");
    report
}

#[test]
fn the_rules_pass_promtool_check() {
    let dir = observability_dir().join("rules");
    let report = promtool(&["check", "rules"], &yaml_files(&dir), &dir);
    assert!(report.contains("SUCCESS"), "{report}");
}

#[test]
fn the_alerts_fire_on_the_series_they_are_written_for_and_only_then() {
    let dir = observability_dir().join("rules-tests");
    let report = promtool(&["test", "rules"], &yaml_files(&dir), &dir);
    assert!(report.contains("SUCCESS"), "{report}");
}
