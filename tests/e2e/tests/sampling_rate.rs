//! One sampling rate for the whole trace: daprd's (`samplingRate` in dapr/config.yaml, and its
//! copy for Kubernetes) and the apps' (`OTEL_TRACES_SAMPLER_ARG` in dapr/dapr.yaml) are written in
//! different files; if they drifted apart, a trace would be kept by one side and dropped by the
//! other. No system needed: this reads the files.
#![allow(clippy::unwrap_used)]

use std::path::Path;

/// The values of `key:` in the file at `path` (relative to the repository), quotes removed.
fn values(path: &str, key: &str) -> Vec<String> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.strip_prefix(&format!("{key}:")))
        .map(|value| {
            value
                .split('#')
                .next()
                .unwrap()
                .trim()
                .trim_matches('"')
                .to_owned()
        })
        .collect()
}

#[test]
fn daprd_and_the_apps_sample_traces_at_one_rate() {
    let daprd = values("dapr/config.yaml", "samplingRate");
    let apps = values("dapr/dapr.yaml", "OTEL_TRACES_SAMPLER_ARG");
    let deployed = values("deploy/base/dapr/config.yaml", "samplingRate");
    assert_eq!(
        daprd.len(),
        1,
        "one samplingRate in dapr/config.yaml: {daprd:?}"
    );
    assert!(
        !apps.is_empty(),
        "the apps' sampler argument is set in dapr/dapr.yaml"
    );
    let rate: f64 = daprd[0].parse().unwrap();
    assert!((0.0..=1.0).contains(&rate), "{rate}");
    for value in apps.iter().chain(&deployed) {
        assert_eq!(
            value.parse::<f64>().unwrap(),
            rate,
            "every rate is daprd's {rate}"
        );
    }
}
