//! The baseline for the event store: raw Postgres on the same machine, in the same run.
//! pgbench, with as many clients as the appends scenario has workers, each transaction writing
//! the two rows an append writes (a new event key, and the stream's head moved on) into a table
//! shaped like Dapr's `dapr_state`, in a scratch database `./shop bench` creates. Nothing
//! between the client and Postgres: what any store on this machine can do at best.

use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

const SCHEMA: &str = "DROP TABLE IF EXISTS raw_state;
CREATE TABLE raw_state (
    key text NOT NULL PRIMARY KEY,
    value bytea NOT NULL,
    etag uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz,
    expires_at timestamptz
);";

/// One append: the next event of the client's stream (first write) and its head (upsert).
const APPEND: &str = r#"\set n random(1, 1000000000000)
BEGIN;
INSERT INTO raw_state (key, value, etag)
  VALUES ('raw-' || :client_id || '-event-' || :n,
          convert_to('{"sequence":1,"type":"bench.appended.v1","data":{"n":1}}', 'UTF8'),
          gen_random_uuid());
INSERT INTO raw_state (key, value, etag)
  VALUES ('raw-' || :client_id || '-head', convert_to('{"version":1}', 'UTF8'), gen_random_uuid())
  ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, etag = gen_random_uuid(), updated_at = now();
END;
"#;

/// Two-row transactions per second with `clients` clients for `measured`.
pub fn two_row_transactions_per_second(clients: usize, measured: Duration) -> anyhow::Result<f64> {
    let url = std::env::var("BENCH_RAW_DATABASE_URL")
        .context("BENCH_RAW_DATABASE_URL is not set: run the benchmarks with `./shop bench`")?;
    let pgbench = std::env::var("PGBENCH")
        .context("PGBENCH is not set: run the benchmarks with `./shop bench`")?;
    let psql =
        std::env::var("PSQL").context("PSQL is not set: run the benchmarks with `./shop bench`")?;
    eprintln!("running raw Postgres (pgbench, {clients} clients, two-row transactions) ...");
    let schema = Command::new(&psql)
        .args(["-q", "-v", "ON_ERROR_STOP=1", "-c", SCHEMA, &url])
        .output()
        .with_context(|| format!("running {psql}"))?;
    if !schema.status.success() {
        bail!(
            "creating the raw table: {}",
            String::from_utf8_lossy(&schema.stderr)
        );
    }
    let script = std::env::temp_dir().join(format!("shop-bench-append-{}.sql", std::process::id()));
    std::fs::write(&script, APPEND)?;
    let output = Command::new(&pgbench)
        .args([
            "-n",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &measured.as_secs().max(1).to_string(),
            "-f",
        ])
        .arg(&script)
        .arg(&url)
        .output()
        .with_context(|| format!("running {pgbench}"));
    let _ = std::fs::remove_file(&script);
    let output = output?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "pgbench failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    tps(&stdout).with_context(|| format!("no tps in pgbench's report: {stdout}"))
}

/// `tps = 3099.12 (without initial connection time)`.
fn tps(report: &str) -> Option<f64> {
    report
        .lines()
        .find(|line| line.starts_with("tps = "))?
        .trim_start_matches("tps = ")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_rate_is_read_from_pgbench_s_report() {
        let report = "latency average = 5.1 ms\ninitial connection time = 20.1 ms\ntps = 3099.120 (without initial connection time)\n";
        assert_eq!(super::tps(report), Some(3099.12));
    }
}
