//! Crashing a running process for real (SIGKILL) and starting it again the way it was started:
//! same executable, arguments, environment and working directory, read from `/proc` before
//! the kill. This is what a supervisor (systemd, Kubernetes) does after a crash; `dapr run -f`
//! does not restart what dies, so the tests do it.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// How a process was started.
#[derive(Debug, Clone)]
pub struct Launch {
    pub pid: u32,
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: PathBuf,
}

fn nul_separated(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == 0)
        .filter(|part| !part.is_empty())
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect()
}

/// The one live process whose argv satisfies `matches`.
pub fn find(what: &str, matches: impl Fn(&[String]) -> bool) -> Launch {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc is readable") {
        let Ok(entry) = entry else { continue };
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let dir = entry.path();
        let Ok(cmdline) = std::fs::read(dir.join("cmdline")) else {
            continue;
        };
        let argv = nul_separated(&cmdline);
        if argv.is_empty() || !matches(&argv) {
            continue;
        }
        let Ok(environ) = std::fs::read(dir.join("environ")) else {
            continue;
        };
        let env = nul_separated(&environ)
            .into_iter()
            .filter_map(|pair| {
                pair.split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
            })
            .collect();
        let Ok(cwd) = std::fs::read_link(dir.join("cwd")) else {
            continue;
        };
        found.push(Launch {
            pid,
            argv,
            env,
            cwd,
        });
    }
    assert_eq!(
        found.len(),
        1,
        "expected exactly one {what} process, found {found:?}: is the system up (`./shop status`)?"
    );
    found.remove(0)
}

/// The orders service's own process.
pub fn orders_app() -> Launch {
    app_process("orders")
}

/// The orders service's Dapr sidecar (daprd with `--app-id orders`).
pub fn orders_sidecar() -> Launch {
    sidecar_process("orders")
}

/// Service `app`'s own process, as `dapr run -f` started it.
pub fn app_process(app: &str) -> Launch {
    let binary = format!(".run/bin/{app}");
    find(&format!("{app} app"), |argv| {
        argv.len() == 1 && argv[0].ends_with(&binary)
    })
}

/// Service `app`'s Dapr sidecar (daprd with `--app-id <app>`).
pub fn sidecar_process(app: &str) -> Launch {
    find(&format!("{app} daprd"), |argv| {
        argv[0].ends_with("daprd") && argv.windows(2).any(|w| w[0] == "--app-id" && w[1] == app)
    })
}

/// Dapr's placement service, which tells every sidecar where each actor lives.
pub fn placement() -> Launch {
    find("Dapr placement", |argv| argv[0].ends_with("/placement"))
}

fn alive(pid: u32) -> bool {
    // A killed child of `dapr run` is a zombie until the CLI reaps it: count that as dead.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.contains(") Z "))
        .unwrap_or(false)
}

/// SIGKILL: no shutdown hook, no drain, no flush.
pub fn kill_9(launch: &Launch) {
    let status = Command::new("kill")
        .args(["-9", &launch.pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -9 {} failed", launch.pid);
    for _ in 0..100 {
        if !alive(launch.pid) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("process {} survived kill -9", launch.pid);
}

/// Starts the process again as it was launched, in its own process group (so it outlives the
/// test), logging to `<SHOP_RUN>/logs/<log_name>.log`.
// Never waited for on purpose: the process is the system's, not the test's, and must outlive
// it; once the test process exits, init adopts (and reaps) it.
#[allow(clippy::zombie_processes)]
pub fn relaunch(launch: &Launch, log_name: &str) -> u32 {
    let run = std::env::var("SHOP_RUN").expect("SHOP_RUN is set by ./shop test");
    let log_path = PathBuf::from(run)
        .join("logs")
        .join(format!("{log_name}.log"));
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .expect("log file");
    let child = Command::new(&launch.argv[0])
        .args(&launch.argv[1..])
        .env_clear()
        .envs(launch.env.iter().cloned())
        .current_dir(&launch.cwd)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("relaunching {:?} failed: {e}", launch.argv[0]));
    child.id()
}

/// Waits until `url` answers with a success status.
pub async fn wait_until_healthy(url: &str, timeout: Duration) {
    crate::eventually(&format!("{url} to answer"), timeout, || async {
        let response = crate::http().get(url).send().await.ok()?;
        response.status().is_success().then_some(())
    })
    .await;
}

fn orders_readyz() -> String {
    format!("http://127.0.0.1:{}/readyz", crate::app_port("orders"))
}

/// kill -9 the orders service, start it again, and wait until it is ready.
pub async fn crash_and_restart_orders_app() {
    let launch = orders_app();
    kill_9(&launch);
    tokio::time::sleep(Duration::from_millis(500)).await;
    relaunch(&launch, "orders-app-relaunched");
    wait_until_healthy(&orders_readyz(), Duration::from_secs(90)).await;
}

/// kill -9 the orders sidecar (daprd), start it again, and wait until it is ready.
pub async fn crash_and_restart_orders_sidecar() {
    let launch = orders_sidecar();
    kill_9(&launch);
    tokio::time::sleep(Duration::from_millis(500)).await;
    relaunch(&launch, "orders-daprd-relaunched");
    wait_until_healthy(
        &format!("{}/v1.0/healthz", crate::sidecar("orders")),
        Duration::from_secs(120),
    )
    .await;
    wait_until_healthy(&orders_readyz(), Duration::from_secs(60)).await;
}

/// The Kafka broker (one KRaft process, `kafka.Kafka` main class).
pub fn kafka_broker() -> Launch {
    find("Kafka broker", |argv| {
        argv[0].ends_with("java") && argv.iter().any(|a| a == "kafka.Kafka")
    })
}

/// Starts a killed Kafka broker again and records its pid where `./shop` looks for it, so
/// `./shop stop` and `./shop up` keep managing it.
pub async fn restart_kafka(launch: &Launch) {
    let pid = relaunch(launch, "kafka-relaunched");
    let run = std::env::var("SHOP_RUN").expect("SHOP_RUN is set by ./shop test");
    std::fs::write(PathBuf::from(run).join("kafka/kafka.pid"), pid.to_string())
        .expect("the Kafka pid file is writable");
    crate::eventually(
        "Kafka to listen again",
        Duration::from_secs(120),
        || async {
            std::net::TcpStream::connect_timeout(
                &crate::required_env("KAFKA_BOOTSTRAP")
                    .parse()
                    .expect("an address"),
                Duration::from_secs(1),
            )
            .ok()
            .map(|_| ())
        },
    )
    .await;
}
