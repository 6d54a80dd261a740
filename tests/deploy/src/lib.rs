//! What the deploy checks share: the tools `./shop test` installs (scripts/lib/deploy.sh), the
//! built overlays as YAML documents, and readings of the files the manifests must agree with
//! (dapr/dapr.yaml, components/, the services' sources).
//!
//! A missing tool is a failure, never a skip: the checks run where `./shop test` runs, which
//! installs the tools first and exports where they are.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub use serde_norway::Value;

/// The overlays under deploy/overlays, each a complete deployment.
pub const OVERLAYS: &[&str] = &["local", "production"];

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: run the deploy checks through `./shop test`, or export what \
             `ensure_deploy_tools` (scripts/lib/deploy.sh) exports"
        )
    })
}

/// kustomize, kubectl-validate and the CRD directories, from the environment.
pub struct Tools {
    kustomize: PathBuf,
    kubectl_validate: PathBuf,
    kubernetes_version: String,
    crd_dirs: Vec<PathBuf>,
}

/// The CRD directories under $DEPLOY_CRDS_DIR, one per project whose resources the manifests use.
pub const CRD_SOURCES: &[&str] = &["dapr", "strimzi", "cloudnative-pg", "rabbitmq"];

impl Tools {
    pub fn from_env() -> Self {
        let crds = PathBuf::from(required_env("DEPLOY_CRDS_DIR"));
        let crd_dirs: Vec<PathBuf> = CRD_SOURCES.iter().map(|s| crds.join(s)).collect();
        for dir in &crd_dirs {
            let yaml_files = std::fs::read_dir(dir)
                .unwrap_or_else(|e| panic!("CRD directory {}: {e}", dir.display()))
                .filter(|entry| {
                    entry
                        .as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "yaml"))
                })
                .count();
            assert!(yaml_files > 0, "no CRDs in {}", dir.display());
        }
        let tools = Self {
            kustomize: required_env("KUSTOMIZE_BIN").into(),
            kubectl_validate: required_env("KUBECTL_VALIDATE_BIN").into(),
            kubernetes_version: required_env("DEPLOY_KUBERNETES_VERSION"),
            crd_dirs,
        };
        for tool in [&tools.kustomize, &tools.kubectl_validate] {
            assert!(tool.is_file(), "{} is missing", tool.display());
        }
        tools
    }

    /// `kustomize build deploy/overlays/<overlay>`: the manifests as applied.
    pub fn build(&self, overlay: &str) -> String {
        let dir = repo_root().join("deploy/overlays").join(overlay);
        let output = Command::new(&self.kustomize)
            .arg("build")
            .arg(&dir)
            .output()
            .expect("running kustomize");
        assert!(
            output.status.success(),
            "kustomize build {} failed:\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("kustomize prints UTF-8")
    }

    /// Validates a YAML stream against the Kubernetes API schemas of `DEPLOY_KUBERNETES_VERSION`
    /// and the CRDs; `Err` carries the validator's complaint.
    pub fn validate(&self, yaml: &str) -> Result<(), String> {
        let mut file = tempfile::Builder::new()
            .suffix(".yaml")
            .tempfile()
            .expect("a temporary file");
        file.write_all(yaml.as_bytes())
            .expect("writing the manifests");
        let crds = self
            .crd_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(",");
        let output = Command::new(&self.kubectl_validate)
            .arg("--version")
            .arg(&self.kubernetes_version)
            .arg("--local-crds")
            .arg(crds)
            .arg("--output")
            .arg("json")
            .arg(file.path())
            .output()
            .expect("running kubectl-validate");
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}

/// The documents of a YAML stream (empty ones dropped).
pub fn documents(yaml: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(yaml)
        .map(|document| {
            <Value as serde::Deserialize>::deserialize(document).expect("valid YAML from kustomize")
        })
        .filter(|value| !value.is_null())
        .collect()
}

/// A YAML stream of `documents`.
pub fn to_yaml(documents: &[Value]) -> String {
    documents
        .iter()
        .map(|d| serde_norway::to_string(d).expect("serializable"))
        .collect::<Vec<_>>()
        .join("---\n")
}

/// Follows a path of mapping keys and sequence indexes ("spec.metadata.0.name").
pub fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(value, |v, step| match step.parse::<usize>() {
            Ok(index) if v.is_sequence() => v.get(index),
            _ => v.get(step),
        })
}

/// The entry `key` of the mapping at `path`, for keys with dots in them (annotations, labels,
/// Kafka settings): `key_at(d, "metadata.labels", "strimzi.io/cluster")`.
pub fn key_at<'a>(value: &'a Value, path: &str, key: &str) -> Option<&'a Value> {
    at(value, path)?.get(key)
}

/// A string at `key_at(value, path, key)`, or a panic naming what is missing.
pub fn str_key_at<'a>(value: &'a Value, path: &str, key: &str) -> &'a str {
    key_at(value, path, key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {path}[{key}] in {}", describe(value)))
}

/// A string at `path`, or a panic naming what is missing.
pub fn str_at<'a>(value: &'a Value, path: &str) -> &'a str {
    at(value, path)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {path} in {}", describe(value)))
}

/// "Kind/name", for messages.
pub fn describe(value: &Value) -> String {
    format!(
        "{}/{}",
        at(value, "kind").and_then(Value::as_str).unwrap_or("?"),
        at(value, "metadata.name")
            .and_then(Value::as_str)
            .unwrap_or("?")
    )
}

/// The built overlay's documents of one kind.
pub fn of_kind<'a>(documents: &'a [Value], kind: &str) -> Vec<&'a Value> {
    documents
        .iter()
        .filter(|d| at(d, "kind").and_then(Value::as_str) == Some(kind))
        .collect()
}

/// The one document of `kind` named `name`.
pub fn named<'a>(documents: &'a [Value], kind: &str, name: &str) -> &'a Value {
    let found: Vec<_> = of_kind(documents, kind)
        .into_iter()
        .filter(|d| at(d, "metadata.name").and_then(Value::as_str) == Some(name))
        .collect();
    assert_eq!(found.len(), 1, "expected one {kind}/{name}");
    found[0]
}

/// A file of the repository, as text.
pub fn read(relative: &str) -> String {
    let path = repo_root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The documents of a YAML file of the repository.
pub fn read_yaml(relative: &str) -> Vec<Value> {
    documents(&read(relative))
}

/// One app of dapr/dapr.yaml, the run file that is the one table of app ids and ports.
#[derive(Debug)]
pub struct RunFileApp {
    pub app_id: String,
    pub app_port: u64,
}

pub fn run_file_apps() -> Vec<RunFileApp> {
    let run_file = &read_yaml("dapr/dapr.yaml")[0];
    at(run_file, "apps")
        .and_then(Value::as_sequence)
        .expect("apps in dapr/dapr.yaml")
        .iter()
        .map(|app| RunFileApp {
            app_id: str_at(app, "appID").to_owned(),
            app_port: at(app, "appPort").and_then(Value::as_u64).expect("appPort"),
        })
        .collect()
}

/// The Dapr components of components/ (file name, document).
pub fn source_components() -> Vec<(String, Value)> {
    let dir = repo_root().join("components");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("components/")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .flat_map(|path| {
            let name = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            documents(&std::fs::read_to_string(&path).expect("a component file"))
                .into_iter()
                .map(move |doc| (name.clone(), doc))
        })
        .collect()
}

/// Every string literal `"…"` that follows `marker` in the Rust sources under `dir`, e.g. the
/// secret names in `.secret("jwt-signing-key")`.
pub fn literals_after(dir: &str, marker: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for path in rust_files(&repo_root().join(dir)) {
        let text = std::fs::read_to_string(&path).expect("a source file");
        for (index, _) in text.match_indices(marker) {
            let rest = &text[index + marker.len()..];
            if let Some(literal) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                found.insert(literal.to_owned());
            }
        }
    }
    found
}

/// The Rust files under `dir`, outside `tests/` directories (what the service runs, not what
/// its tests do).
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("a source directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                if path
                    .file_name()
                    .is_some_and(|n| n != "tests" && n != "target")
                {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|x| x == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The Secrets deploy/secrets.sh makes, as documents.
pub fn generated_secrets() -> Vec<Value> {
    let output = Command::new("bash")
        .arg(repo_root().join("deploy/secrets.sh"))
        .output()
        .expect("running deploy/secrets.sh");
    assert!(
        output.status.success(),
        "deploy/secrets.sh failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    documents(&String::from_utf8(output.stdout).expect("UTF-8"))
}
