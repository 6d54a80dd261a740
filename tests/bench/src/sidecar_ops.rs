//! Sidecar operations, counted by the sidecars themselves: every call an app makes to its
//! daprd's API (gRPC: state, publish, actors, bindings, secrets; HTTP: service invocation,
//! actor reminders and state), read from each daprd's Prometheus endpoint
//! (`dapr_grpc_io_server_completed_rpcs`, `dapr_http_server_request_count`) before and after a
//! scenario. Health checks are left out: they are not the work of a request.

use std::collections::BTreeMap;

use anyhow::Context;

/// Calls by (app id, API method or path), as counted so far.
#[derive(Debug, Clone, Default)]
pub struct Counts(BTreeMap<(String, String), u64>);

impl Counts {
    /// Reads every sidecar's counters now.
    pub async fn read() -> anyhow::Result<Self> {
        let client = shop_client::http();
        let mut counts = BTreeMap::new();
        for (app, port) in shop_client::SIDECAR_METRICS_PORTS {
            let url = format!("http://127.0.0.1:{port}/metrics");
            let text = client
                .get(&url)
                .send()
                .await
                .with_context(|| format!("{app}'s sidecar metrics at {url}"))?
                .text()
                .await?;
            for (operation, value) in operations(&text) {
                *counts.entry(((*app).to_owned(), operation)).or_default() += value;
            }
        }
        Ok(Self(counts))
    }

    /// Reads the counters once they have stopped moving (a second apart), for at most a
    /// minute: what a scenario set off has finished.
    pub async fn settled() -> anyhow::Result<Self> {
        let mut last = Self::read().await?;
        for _ in 0..60 {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let now = Self::read().await?;
            if now.total() == last.total() {
                return Ok(now);
            }
            last = now;
        }
        Ok(last)
    }

    /// What happened between `before` and `self`.
    pub fn since(&self, before: &Self) -> Self {
        Self(
            self.0
                .iter()
                .map(|(key, after)| {
                    let earlier = before.0.get(key).copied().unwrap_or(0);
                    (key.clone(), after.saturating_sub(earlier))
                })
                .filter(|(_, n)| *n > 0)
                .collect(),
        )
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// One line per (app, operation), most frequent first, each divided by `per`.
    pub fn breakdown(&self, per: u64) -> Vec<String> {
        let mut rows: Vec<_> = self.0.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1));
        rows.into_iter()
            .map(|((app, operation), n)| {
                format!(
                    "    {:>6.2}  {app:<14} {operation}",
                    *n as f64 / per.max(1) as f64
                )
            })
            .collect()
    }
}

/// The API calls in one sidecar's metrics text: (operation, count) per series, successes and
/// failures alike (a failed call was made too).
fn operations(text: &str) -> Vec<(String, u64)> {
    let mut found = Vec::new();
    for line in text.lines() {
        let (series, value) = match line.rsplit_once(' ') {
            Some(parts) => parts,
            None => continue,
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        let operation = if series.starts_with("dapr_grpc_io_server_completed_rpcs{") {
            label(series, "grpc_server_method").map(|m| {
                m.trim_start_matches("/dapr.proto.runtime.v1.Dapr/")
                    .to_owned()
            })
        } else if series.starts_with("dapr_http_server_request_count{") {
            label(series, "path")
                .filter(|path| !path.contains("healthz") && !path.contains("metadata"))
                .map(|path| {
                    format!(
                        "{} {}",
                        label(series, "method").unwrap_or_default(),
                        http_operation(&path)
                    )
                })
        } else {
            None
        };
        if let Some(operation) = operation {
            found.push((operation, value as u64));
        }
    }
    found
}

/// An HTTP API path without what varies per call (ids), so calls group by what they do.
fn http_operation(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("/v1.0/invoke/") {
        // /v1.0/invoke/<app>/method/<route...>: the target app and the route's first segments.
        let mut parts = rest.splitn(3, '/');
        let app = parts.next().unwrap_or_default();
        let route = parts.nth(1).unwrap_or_default();
        let head: Vec<&str> = route.split('/').take(2).collect();
        return format!("invoke {app}/{}", head.join("/"));
    }
    path.to_owned()
}

fn label(series: &str, name: &str) -> Option<String> {
    let start = series.find(&format!("{name}=\""))? + name.len() + 2;
    let end = series[start..].find('"')? + start;
    Some(series[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_calls_are_read_from_both_counters_and_health_checks_are_not() {
        let text = r#"# HELP x
dapr_grpc_io_server_completed_rpcs{app_id="orders",grpc_server_method="/dapr.proto.runtime.v1.Dapr/InvokeActor",grpc_server_status="OK"} 226
dapr_http_server_request_count{app_id="orders",method="GET",path="/v1.0/healthz/outbound",status="204"} 11
dapr_http_server_request_count{app_id="orders",method="GET",path="/v1.0/invoke/payments/method/internal/payment-methods/pm_card_visa",status="200"} 59
dapr_http_client_completed_count{app_id="orders",method="GET",path="/dapr/config",status="200"} 1
"#;
        assert_eq!(
            operations(text),
            [
                ("InvokeActor".to_owned(), 226),
                (
                    "GET invoke payments/internal/payment-methods".to_owned(),
                    59
                ),
            ]
        );
    }
}
