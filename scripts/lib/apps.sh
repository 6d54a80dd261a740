# The services: build them, run them with their sidecars through `dapr run -f dapr/`, wait until
# every one is ready, and run the tests against them.

# Traces and metrics (Zipkin, the OpenTelemetry Collector, Prometheus), started before the apps.
source "$(dirname "${BASH_SOURCE[0]}")/observability.sh"

# App id -> app port, and app id -> its sidecar's Dapr HTTP port, read from dapr/dapr.yaml: the
# run file `dapr run -f` starts the apps from is the one place the ports are written down
# (shop-client reads it too). A plain reading of that file's layout, no YAML library: each
# `- ` item at the indentation of the first one under `apps:` is an app, and its appID, appPort
# and daprHTTPPort are plain scalars.
declare -gA APP_PORTS=() DAPR_HTTP_PORTS=()
read_run_file_ports() {
  local run_file=$REPO_ROOT/dapr/dapr.yaml id app_port http_port s
  [[ -r $run_file ]] || die "cannot read $run_file"
  while read -r id app_port http_port; do
    APP_PORTS[$id]=$app_port
    DAPR_HTTP_PORTS[$id]=$http_port
  done < <(awk '
    function flush() { if (id != "") print id, app_port, http_port; id = app_port = http_port = "" }
    function value(  v) { v = $0; sub(/^[^:]*:[ \t]*/, "", v); gsub(/["\047]/, "", v); return v }
    { sub(/[ \t]+#.*$/, "") }
    /^[^ \t#]/ { flush(); in_apps = ($0 ~ /^apps:/); next }
    !in_apps { next }
    match($0, /^[ \t]*- /) && (item_indent == "" || RLENGTH == item_indent) {
      flush(); item_indent = RLENGTH; sub(/- /, "  ")
    }
    /^[ \t]*appID:/ { id = value() }
    /^[ \t]*appPort:/ { app_port = value() }
    /^[ \t]*daprHTTPPort:/ { http_port = value() }
    END { flush() }
  ' "$run_file")
  for s in "${SERVICES[@]}"; do
    [[ ${APP_PORTS[$s]:-} =~ ^[0-9]+$ && ${DAPR_HTTP_PORTS[$s]:-} =~ ^[0-9]+$ ]] \
      || die "$run_file has no appPort or no daprHTTPPort for $s"
  done
}
read_run_file_ports

ensure_rust() {
  command -v cargo >/dev/null && return 0
  [[ -x $HOME/.cargo/bin/cargo ]] && { export PATH=$HOME/.cargo/bin:$PATH; return 0; }
  die "cargo is required (rustup from crates.io's toolchain is preinstalled on these machines)"
}

# The services' build profile: dev (the default: fast to build, what the tests run) or
# release (`./shop up --release`, and what `./shop bench` measures). Switching restarts them.
SHOP_PROFILE=${SHOP_PROFILE:-dev}
profile_dir() { [[ $SHOP_PROFILE == release ]] && echo release || echo debug; }

build_services() {
  ensure_rust
  local flags=() s
  [[ $SHOP_PROFILE == release ]] && flags=(--release)
  log "building the services, $SHOP_PROFILE profile (cargo target in $CARGO_TARGET_DIR)"
  (cd "$REPO_ROOT" && cargo build --workspace --bins --locked -q "${flags[@]}") || die "cargo build failed"
  mkdir -p "$SHOP_RUN/bin"
  for s in "${SERVICES[@]}"; do
    ln -sf "$CARGO_TARGET_DIR/$(profile_dir)/$s" "$SHOP_RUN/bin/$s"
  done
}

dapr_cli() { DAPR_RUNTIME_PATH=$DAPR_HOME "$DAPR_HOME/dapr" "$@"; }

app_ready() { curl -fs -o /dev/null "http://127.0.0.1:${APP_PORTS[$1]}/readyz"; }

all_apps_ready() {
  local s
  for s in "${SERVICES[@]}"; do app_ready "$s" || return 1; done
}

# The binaries changed since the running apps started?
apps_outdated() {
  local stamp=$SHOP_RUN/dapr/run.started s
  [[ -f $stamp ]] || return 0
  [[ $(cat "$SHOP_RUN/dapr/run.profile" 2>/dev/null) == "$SHOP_PROFILE" ]] || return 0
  for s in "${SERVICES[@]}"; do
    [[ $CARGO_TARGET_DIR/$(profile_dir)/$s -nt $stamp ]] && return 0
  done
  [[ -n $(find "$REPO_ROOT/components" "$REPO_ROOT/dapr" "$REPO_ROOT/scripts/notifications/sidecar-runtime" \
    -newer "$stamp" -print -quit) ]] && return 0
  return 1
}

start_apps() {
  local pidfile=$SHOP_RUN/dapr/run.pid
  if pid_alive "$pidfile" && ! apps_outdated && all_apps_ready; then
    log "services already running and up to date"
    return 0
  fi
  stop_apps
  mkdir -p "$SHOP_RUN/logs" "$SHOP_RUN/dapr"
  # The Dapr CLI writes each app's and sidecar's log under <appDirPath>/.dapr/logs; point that
  # into .run/ so that all data and logs live in the one git-ignored directory.
  local s
  for s in "${SERVICES[@]}"; do
    mkdir -p "$SHOP_RUN/apps/$s"
    [[ -L $REPO_ROOT/services/$s/.dapr ]] || rm -rf "$REPO_ROOT/services/$s/.dapr"
    ln -sfn "../../.run/apps/$s" "$REPO_ROOT/services/$s/.dapr"
  done
  log "starting the services with their Dapr sidecars (dapr run -f dapr/)"
  touch "$SHOP_RUN/dapr/run.started"
  echo "$SHOP_PROFILE" > "$SHOP_RUN/dapr/run.profile"
  # The app API token reaches daprd (APP_API_TOKEN, which it sends to the app on every call)
  # and the apps (which refuse calls without it) through the environment, never a file in git.
  (
    cd "$REPO_ROOT"
    export APP_API_TOKEN; APP_API_TOKEN=$(secret app-api-token)
    export DAPR_RUNTIME_PATH=$DAPR_HOME
    # For the notifications sidecar's launcher (its runtimePath in dapr/dapr.yaml), which turns
    # them into that one daprd's HTTPS_PROXY and SSL_CERT_FILE: WireMock playing Twilio. Under
    # these names they do nothing for any other process.
    export NOTIFICATIONS_SIDECAR_HTTPS_PROXY=http://127.0.0.1:$WIREMOCK_PORT
    export NOTIFICATIONS_SIDECAR_CA_FILE=$SHOP_RUN/wiremock/ca.crt
    setsid nohup "$DAPR_HOME/dapr" run -f dapr/ >"$SHOP_RUN/logs/dapr-run.log" 2>&1 &
    echo $! > "$pidfile"
  )
  local i
  for ((i = 0; i < 240; i++)); do
    all_apps_ready && break
    pid_alive "$pidfile" || { tail -n 40 "$SHOP_RUN/logs/dapr-run.log" >&2; die "dapr run -f exited; see $SHOP_RUN/logs/dapr-run.log"; }
    sleep 0.5
  done
  if ! all_apps_ready; then
    local s
    for s in "${SERVICES[@]}"; do app_ready "$s" || log "not ready: $s (./shop logs $s)"; done
    die "the services did not all become ready within 120s"
  fi
  log "all ${#SERVICES[@]} services and sidecars are ready"
}

stop_apps() {
  local pidfile=$SHOP_RUN/dapr/run.pid
  if pid_alive "$pidfile"; then
    log "stopping the services"
    (cd "$REPO_ROOT" && dapr_cli stop -f dapr/ >/dev/null 2>&1) || true
    local i; for ((i = 0; i < 40; i++)); do pid_alive "$pidfile" || break; sleep 0.25; done
    pid_alive "$pidfile" && kill -- -"$(cat "$pidfile")" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  # Leftovers hold the ports: an interrupted run, or a process the crash tests restarted
  # outside `dapr run` (tests/e2e/src/process.rs). Ask them to stop, wait, then insist.
  local patterns=("$DAPR_BIN/daprd") s
  for s in "${SERVICES[@]}"; do patterns+=("^$SHOP_RUN/bin/$s\$" "^\.\./\.\./\.run/bin/$s\$"); done
  local p i
  for p in "${patterns[@]}"; do pkill -f "$p" 2>/dev/null || true; done
  for ((i = 0; i < 60; i++)); do
    local left=0
    for p in "${patterns[@]}"; do pgrep -f "$p" >/dev/null && left=1; done
    ((left)) || return 0
    sleep 0.25
  done
  for p in "${patterns[@]}"; do pkill -9 -f "$p" 2>/dev/null || true; done
}

system_up() {
  local started=$SECONDS
  mkdir -p "$SHOP_RUN"
  install_packages
  build_dapr
  ensure_secrets
  start_postgres
  start_rabbitmq
  start_kafka
  start_dapr_control_plane
  start_stripe_providers
  start_notification_providers
  start_observability
  build_services
  start_apps
  log "system up in $((SECONDS - started))s: gateway on http://127.0.0.1:${APP_PORTS[gateway]}"
}

system_stop() {
  stop_apps
  stop_pidfile "$SHOP_RUN/dapr/scheduler.pid"
  stop_pidfile "$SHOP_RUN/dapr/placement.pid"
  stop_stripe_providers
  stop_notification_providers
  stop_observability
  stop_kafka
  stop_rabbitmq
  stop_postgres
  log "stopped"
}

system_status() {
  local ok=0
  check() { if "$@" >/dev/null 2>&1; then printf '  %-14s up\n' "$label"; else printf '  %-14s DOWN\n' "$label"; ok=1; fi; }
  label=postgres check as_postgres "$(pg_bin)/pg_isready" -h 127.0.0.1 -p "$PG_PORT"
  label=rabbitmq check curl -fsS -u "shop:$(secret rabbitmq-password)" "http://127.0.0.1:$RABBITMQ_MGMT_PORT/api/overview"
  label=kafka check pid_alive "$SHOP_RUN/kafka/kafka.pid"
  label=placement check curl -fsS "http://127.0.0.1:$PLACEMENT_HEALTH_PORT/healthz"
  label=scheduler check curl -fsS "http://127.0.0.1:$SCHEDULER_HEALTH_PORT/healthz"
  label=localstripe check localstripe_ready
  label=stripe-mock check stripe_mock_ready
  label=mailpit check mailpit_ready
  label=wiremock check wiremock_ready
  local s
  for s in "${SERVICES[@]}"; do label=$s check app_ready "$s"; done
  observability_status
  dapr_cli list 2>/dev/null || true
  return $ok
}

app_logs() {
  local dir=$REPO_ROOT/services/$1/.dapr/logs
  [[ -d $dir ]] || die "no logs for $1 yet"
  tail -n 50 -F "$(ls -t "$dir"/*_app_*.log | head -n 1)" "$(ls -t "$dir"/*_daprd_*.log | head -n 1)"
}

# What the end-to-end tests need to know about the running system.
print_test_env() {
  echo "SHOP_RUN=$SHOP_RUN"
  echo "KAFKA_HOME=$KAFKA_HOME"
  echo "KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT"
  echo "RABBITMQ_MGMT_URL=http://127.0.0.1:$RABBITMQ_MGMT_PORT"
  echo "RABBITMQ_AMQP_ADDR=127.0.0.1:$RABBITMQ_PORT"
  echo "LOCALSTRIPE_URL=http://127.0.0.1:$LOCALSTRIPE_PORT"
  echo "STRIPE_MOCK_URL=http://127.0.0.1:$STRIPE_MOCK_PORT"
  echo "MAILPIT_URL=http://127.0.0.1:$MAILPIT_HTTP_PORT"
  echo "WIREMOCK_URL=http://127.0.0.1:$WIREMOCK_PORT"
  echo "DATABASE_URL=$(route_tests_database_url)"
  echo "SQLX_OFFLINE=true"
  print_observability_env
  echo "PYTHON_TOOLS=$SHOP_CACHE/python-tools-$(sha256sum "$REPO_ROOT/tests/python/requirements.lock" | cut -c1-12)"
}

run_tests() {
  ensure_rust
  ensure_python_tools
  ensure_deploy_tools
  ensure_nix
  local out=$SHOP_RUN/logs/test.log status=0
  mkdir -p "$SHOP_RUN/logs"
  log "running every test: unit, integration and end-to-end"
  # The end-to-end tests read where things are from here; missing infrastructure fails them.
  export SHOP_RUN KAFKA_HOME
  export KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT
  export RABBITMQ_MGMT_URL=http://127.0.0.1:$RABBITMQ_MGMT_PORT
  export RABBITMQ_AMQP_ADDR=127.0.0.1:$RABBITMQ_PORT
  # The Stripe-compatible servers (keys: stripe-api-authorization, stripe-webhook-secret in
  # $SHOP_RUN/secrets/secrets.json).
  export LOCALSTRIPE_URL=http://127.0.0.1:$LOCALSTRIPE_PORT
  export STRIPE_MOCK_URL=http://127.0.0.1:$STRIPE_MOCK_PORT
  # The notification servers: Mailpit's REST API (its SMTP port is components/email.yaml's) and
  # WireMock's admin API and request journal (/__admin). Keys: smtp-user, smtp-password,
  # twilio-account-sid, twilio-auth-token in $SHOP_RUN/secrets/secrets.json.
  export MAILPIT_URL=http://127.0.0.1:$MAILPIT_HTTP_PORT
  export WIREMOCK_URL=http://127.0.0.1:$WIREMOCK_PORT
  # Zipkin's and Prometheus' APIs, and the rules promtool checks.
  eval "$(print_observability_env | sed 's/^/export /')"
  # The route tests' databases (sqlx::test). Queries stay checked against the committed
  # offline data: with DATABASE_URL set, sqlx's macros would otherwise ask this database.
  export DATABASE_URL; DATABASE_URL=$(route_tests_database_url)
  export SQLX_OFFLINE=true
  (cd "$REPO_ROOT" && cargo test --workspace --locked --no-fail-fast "$@" 2>&1) | tee "$out" || status=$?
  local passed failed ignored
  passed=$(grep -oE '^test result: .* ([0-9]+) passed' "$out" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
  # Only cargo's own result lines: a tool's report inside a test's output (schemathesis prints
  # "1 failed") is not a test.
  failed=$(grep -oE '^test result: .*' "$out" | grep -oE '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
  ignored=$(grep -oE '^test result: .*' "$out" | grep -oE '[0-9]+ ignored' | awk '{s+=$1} END {print s+0}')
  if ((status != 0 || failed != 0)); then
    log "some tests failed; logs: $SHOP_RUN/apps/<service>/logs (./shop logs <service>) and $SHOP_RUN"
    echo "test result: FAILED. $passed passed; $failed failed; $ignored ignored (all crates)"
    return 1
  fi
  echo "test result: ok. $passed passed; $failed failed; $ignored ignored (all crates)"
}

# The benchmarks measure release builds: `./shop bench` brings the system up with
# SHOP_PROFILE=release (restarting dev builds), and the load generator is a release build too.
run_benchmarks() {
  ensure_rust
  export SHOP_RUN SHOP_PROFILE
  seed_demo_data # the catalog scenarios read the demo catalog
  prepare_raw_postgres_baseline
  log "running the benchmarks against the running system ($SHOP_PROFILE builds)"
  (cd "$REPO_ROOT" && cargo run -q --release --locked -p bench --bin shop-bench -- "$@")
}

# The orders benchmark's baseline: pgbench against a scratch database on the same Postgres
# (owned by orders, so the benchmark needs no superuser), recreated empty on every run.
prepare_raw_postgres_baseline() {
  local sock db=bench_raw
  sock=$(readlink -f "$SHOP_RUN/postgres")
  as_postgres psql -q -h "$sock" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -d postgres \
    -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db OWNER orders" >/dev/null
  export PGBENCH PSQL BENCH_RAW_DATABASE_URL
  PGBENCH=$(pg_bin)/pgbench PSQL=$(pg_bin)/psql
  BENCH_RAW_DATABASE_URL="postgres://orders:$(secret postgres-orders-password)@127.0.0.1:$PG_PORT/$db"
  # The analytics scenario's scratch copy of analytics' database (a million synthetic events),
  # so the live dashboard never shows them.
  as_postgres psql -q -h "$sock" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -d postgres \
    -c "DROP DATABASE IF EXISTS bench_analytics" -c "CREATE DATABASE bench_analytics OWNER analytics" >/dev/null
  export BENCH_ANALYTICS_DATABASE_URL="postgres://analytics:$(secret postgres-analytics-password)@127.0.0.1:$PG_PORT/bench_analytics"
}

seed_demo_data() {
  ensure_rust
  export SHOP_RUN
  log "loading the demo catalog through the gateway"
  (cd "$REPO_ROOT" && cargo run -q --locked -p demo-data --bin shop-seed)
}

# A few minutes of a shop's life through the gateway, for the dashboard (tools/demo-data).
run_demo() {
  ensure_rust
  export SHOP_RUN
  log "demo: customers and orders through the gateway; the dashboard is http://127.0.0.1:${APP_PORTS[gateway]}/dashboard"
  (cd "$REPO_ROOT" && cargo run -q --locked -p demo-data --bin shop-demo -- "$@")
}

# Rebuilds analytics' projections from its event log, through its sidecar: the rebuild runs in
# the background (a large log outlasts an invocation's timeout), so start it, then poll.
replay_analytics() {
  local url=http://127.0.0.1:${DAPR_HTTP_PORTS[analytics]}/v1.0/invoke/analytics/method/internal/projections/rebuild
  log "rebuilding analytics' projections from its event log"
  curl -fsS -X POST -o /dev/null "$url" || die "starting the rebuild failed (is one running already?): ./shop logs analytics"
  local state
  while true; do
    state=$(curl -fsS "$url") || die "reading the rebuild's state failed"
    case $state in
      *'"running":true'*) sleep 1 ;;
      *'"error":null'*) echo "$state"; return 0 ;;
      *) die "the rebuild failed: $state" ;;
    esac
  done
}

# Rebuilds both order read models from the event streams, through the orders sidecar. The
# replay runs in the background (it outlasts a Dapr invocation's timeout): start it, then poll.
replay_orders() {
  local orders=http://127.0.0.1:${DAPR_HTTP_PORTS[orders]}/v1.0/invoke/orders/method
  log "replaying every order stream into fresh read models"
  local started location state
  started=$(curl -fsS -D - -o /dev/null -X POST "$orders/internal/read-models/replays?reset=true") \
    || die "starting the replay failed (is one running already?): ./shop logs orders"
  location=$(awk 'tolower($1) == "location:" { print $2 }' <<<"$started" | tr -d '\r')
  [[ -n $location ]] || die "the replay gave no location"
  while true; do
    state=$(curl -fsS "$orders$location") || die "reading the replay's state failed"
    case $state in
      *'"state":"running"'*) sleep 1 ;;
      *'"state":"finished"'*) echo "$state"; return 0 ;;
      *) die "the replay failed: $state" ;;
    esac
  done
}
