# Traces and metrics for the running shop, all real programs on loopback, installed once into
# $SHOP_CACHE (keyed by version) and started by `./shop up` before the apps:
# - Zipkin server (Maven Central, its exec jar with the UI inside): the trace backend, UI at
#   http://127.0.0.1:9411/zipkin/. Every daprd exports to it natively (dapr/config.yaml,
#   tracing.zipkin).
# - The OpenTelemetry Collector, built with the collector's own `builder` from the Go module
#   proxy (observability/otelcol-builder.yaml): the services export their spans with
#   opentelemetry-otlp over OTLP/gRPC to it on 127.0.0.1:4317, and it forwards them to Zipkin,
#   which has no OTLP intake of its own.
# - Prometheus (Debian's package, promtool included): scrapes every service's /metrics and every
#   daprd's metrics port (observability/prometheus.yml), evaluates the recording and alert rules
#   (observability/rules/), UI at http://127.0.0.1:9090.
# - Chromium (Debian's package), headless: only the tests use it, to screenshot both UIs.
# Docs: docs/architecture.md, "Observability".

ZIPKIN_VERSION=${ZIPKIN_VERSION:-3.6.1}
# The builder and every collector module at one release (see observability/otelcol-builder.yaml).
OTELCOL_VERSION=${OTELCOL_VERSION:-0.148.0}
ZIPKIN_PORT=${ZIPKIN_PORT:-9411}
OTLP_GRPC_PORT=${OTLP_GRPC_PORT:-4317}
# The collector's own telemetry (its metrics), moved off its default 8888.
OTELCOL_METRICS_PORT=${OTELCOL_METRICS_PORT:-8888}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
ZIPKIN_HOME=$SHOP_CACHE/zipkin-$ZIPKIN_VERSION
ZIPKIN_JAR=$ZIPKIN_HOME/zipkin-server-$ZIPKIN_VERSION-exec.jar
# Keyed by the manifest too: a component added to it is a new build.
OTELCOL_HOME=$SHOP_CACHE/otelcol-$OTELCOL_VERSION-$(sha256sum "$REPO_ROOT/observability/otelcol-builder.yaml" | cut -c1-12)
OBSERVABILITY_DIR=$REPO_ROOT/observability

# --- installs
ensure_observability_packages() {
  local missing=()
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v chromium >/dev/null || missing+=(chromium)
  ((${#missing[@]})) || return 0
  log "installing from Debian: ${missing[*]}"
  local sudo=; [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get update -q >/dev/null
  # Debian's prometheus package starts a system-wide Prometheus on :9090 where it can: stop it,
  # ours owns the port and reads our configuration.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || die "installing ${missing[*]} failed"
  $sudo pkill -u prometheus -x prometheus 2>/dev/null || true
  $sudo pkill -u prometheus -x prometheus-node-exporter 2>/dev/null || true
}

fetch_zipkin() {
  [[ -f $ZIPKIN_JAR ]] && return 0
  command -v mvn >/dev/null || die "mvn is required to fetch Zipkin"
  log "resolving Zipkin server $ZIPKIN_VERSION from Maven Central"
  mkdir -p "$ZIPKIN_HOME"
  # The exec jar is a self-contained Spring Boot-style archive (server, storage, UI).
  mvn -q -B dependency:copy -Dartifact="io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" \
    -DoutputDirectory="$ZIPKIN_HOME/tmp" >&2 || die "resolving Zipkin failed"
  mv "$ZIPKIN_HOME/tmp/zipkin-server-$ZIPKIN_VERSION-exec.jar" "$ZIPKIN_JAR"
  rm -rf "$ZIPKIN_HOME/tmp"
}

build_otelcol() {
  [[ -x $OTELCOL_HOME/shop-otelcol ]] && return 0
  command -v go >/dev/null || die "go is required to build the OpenTelemetry Collector"
  log "building the OpenTelemetry Collector $OTELCOL_VERSION with its builder (a few minutes the first time)"
  local work=$OTELCOL_HOME.tmp
  rm -rf "$work" && mkdir -p "$work"
  GOBIN=$work CGO_ENABLED=0 go install "go.opentelemetry.io/collector/cmd/builder@v$OTELCOL_VERSION" >&2 \
    || die "installing the collector builder failed"
  cp "$OBSERVABILITY_DIR/otelcol-builder.yaml" "$work/manifest.yaml"
  # The builder writes the sources (main.go, components.go, go.mod) into output_path, runs
  # `go mod tidy` and `go build` there.
  (cd "$work" && CGO_ENABLED=0 ./builder --config manifest.yaml >&2) || die "building the collector failed"
  mkdir -p "$OTELCOL_HOME"
  mv "$work/build/shop-otelcol" "$OTELCOL_HOME/shop-otelcol"
  rm -rf "$work"
}

# --- Zipkin: in-memory storage (traces are for looking at now, not kept across restarts), the
# newest 100 000 spans kept. A span with its tags takes a few kilobytes of heap: 200 000 of them
# in 512 MB ran out of memory under the tracing benchmark (seen here), so the heap is 1 GB, and
# an exhausted heap ends the process (./shop up then starts a new one) rather than leaving a
# server that accepts connections and answers nothing.
# Every readiness probe here gives up after 5 s: a server that accepts and never answers (Zipkin
# out of heap, seen here) is down, and ./shop status must not hang on it.
zipkin_ready() { curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$ZIPKIN_PORT/health"; }

start_zipkin() {
  fetch_zipkin
  local dir=$SHOP_RUN/zipkin
  local pidfile=$dir/zipkin.pid logfile=$dir/zipkin.log
  mkdir -p "$dir"
  if pid_alive "$pidfile"; then
    wait_for "Zipkin" 60 zipkin_ready
    return 0
  fi
  zipkin_ready 2>/dev/null && die "something ./shop did not start answers on 127.0.0.1:$ZIPKIN_PORT"
  log "starting Zipkin $ZIPKIN_VERSION on 127.0.0.1:$ZIPKIN_PORT (UI: /zipkin/)"
  local pid
  pid=$(MEM_MAX_SPANS=100000 nohup java -Xmx1g -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -jar "$ZIPKIN_JAR" \
    '--armeria.ports[0].ip=127.0.0.1' "--armeria.ports[0].port=$ZIPKIN_PORT" \
    >"$logfile" 2>&1 & echo $!)
  echo "$pid" > "$pidfile"
  wait_until_up "Zipkin" 120 "$pid" "$logfile" zipkin_ready
}

# --- the OpenTelemetry Collector: OTLP/gRPC in on 127.0.0.1:4317, Zipkin out.
otelcol_ready() { curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$OTELCOL_METRICS_PORT/metrics"; }

start_otelcol() {
  build_otelcol
  local dir=$SHOP_RUN/otelcol
  local pidfile=$dir/otelcol.pid logfile=$dir/otelcol.log
  mkdir -p "$dir"
  # A new build or a changed configuration replaces the running collector.
  local stamp; stamp=$(cat "$OBSERVABILITY_DIR/otelcol.yaml" "$OTELCOL_HOME/shop-otelcol" | sha256sum | cut -c1-16)
  if pid_alive "$pidfile" && [[ $(cat "$dir/started.stamp" 2>/dev/null) == "$stamp" ]]; then
    wait_for "OpenTelemetry Collector" 30 otelcol_ready
    return 0
  fi
  stop_pidfile "$pidfile"
  otelcol_ready 2>/dev/null && die "something ./shop did not start answers on 127.0.0.1:$OTELCOL_METRICS_PORT"
  log "starting the OpenTelemetry Collector on 127.0.0.1:$OTLP_GRPC_PORT (OTLP/gRPC → Zipkin)"
  local pid
  pid=$(OTLP_GRPC_PORT=$OTLP_GRPC_PORT ZIPKIN_PORT=$ZIPKIN_PORT OTELCOL_METRICS_PORT=$OTELCOL_METRICS_PORT \
    nohup "$OTELCOL_HOME/shop-otelcol" --config "$OBSERVABILITY_DIR/otelcol.yaml" \
    >"$logfile" 2>&1 & echo $!)
  echo "$pid" > "$pidfile"
  echo "$stamp" > "$dir/started.stamp"
  wait_until_up "OpenTelemetry Collector" 60 "$pid" "$logfile" otelcol_ready
}

# --- Prometheus. Its configuration is written from dapr/dapr.yaml on every start (the one port
# table: each app's appPort serves /metrics, each sidecar's metricsPort daprd's metrics), with
# the rules from observability/rules/. A running Prometheus re-reads it (POST /-/reload).
prometheus_ready() { curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"; }

# app id -> its sidecar's metricsPort, from dapr/dapr.yaml (the layout read_run_file_ports reads).
sidecar_metrics_ports() {
  awk '
    { sub(/[ \t]+#.*$/, "") }
    /^[^ \t#]/ { in_apps = ($0 ~ /^apps:/); next }
    !in_apps { next }
    /^[ \t]*- appID:/ { id = $NF }
    /^[ \t]*appID:/ { id = $NF }
    /^[ \t]*metricsPort:/ { print id, $NF }
  ' "$REPO_ROOT/dapr/dapr.yaml"
}

write_prometheus_config() {
  local file=$1 s id port
  {
    cat <<YAML
# Written by scripts/lib/observability.sh from dapr/dapr.yaml on every ./shop up; edit that
# script or observability/rules/, not this file.
global:
  # Short intervals for a local system: alerts with a for: of 30 s fire within a minute.
  scrape_interval: 5s
  scrape_timeout: 4s
  evaluation_interval: 5s
rule_files:
  - $OBSERVABILITY_DIR/rules/*.yml
scrape_configs:
  # Every service's own /metrics, on its app port (exempt from the app API token, like the
  # health probes).
  - job_name: services
    static_configs:
YAML
    for s in "${SERVICES[@]}"; do
      printf '      - targets: ["127.0.0.1:%s"]\n        labels: {app_id: "%s"}\n' "${APP_PORTS[$s]}" "$s"
    done
    cat <<YAML
  # Every daprd's metrics port (dapr.yaml metricsPort). daprd labels its own series with
  # app_id already; the target label is kept for the sidecar as a whole (up, process_*).
  - job_name: daprd
    honor_labels: true
    static_configs:
YAML
    while read -r id port; do
      printf '      - targets: ["127.0.0.1:%s"]\n        labels: {app_id: "%s"}\n' "$port" "$id"
    done < <(sidecar_metrics_ports)
    cat <<YAML
  - job_name: dapr-control-plane
    static_configs:
      - targets: ["127.0.0.1:$PLACEMENT_METRICS_PORT"]
        labels: {component: placement}
      - targets: ["127.0.0.1:$SCHEDULER_METRICS_PORT"]
        labels: {component: scheduler}
  - job_name: otelcol
    static_configs:
      - targets: ["127.0.0.1:$OTELCOL_METRICS_PORT"]
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:$PROMETHEUS_PORT"]
YAML
  } > "$file.tmp"
  mv "$file.tmp" "$file"
}

start_prometheus() {
  command -v prometheus >/dev/null || die "prometheus is not installed (Debian package prometheus)"
  local dir=$SHOP_RUN/prometheus
  local pidfile=$dir/prometheus.pid logfile=$dir/prometheus.log config=$dir/prometheus.yml
  mkdir -p "$dir/data"
  write_prometheus_config "$config"
  promtool check config "$config" >/dev/null || die "the Prometheus configuration is invalid: promtool check config $config"
  if pid_alive "$pidfile"; then
    wait_for "Prometheus" 30 prometheus_ready
    curl -fsS -o /dev/null -X POST "http://127.0.0.1:$PROMETHEUS_PORT/-/reload" \
      || die "Prometheus refused to reload $config; see $logfile"
    return 0
  fi
  prometheus_ready 2>/dev/null && die "something ./shop did not start answers on 127.0.0.1:$PROMETHEUS_PORT"
  log "starting Prometheus on 127.0.0.1:$PROMETHEUS_PORT"
  local pid
  # --web.enable-lifecycle: /-/reload, so a new configuration or rule needs no restart.
  pid=$(nohup prometheus --config.file="$config" --storage.tsdb.path="$dir/data" \
    --storage.tsdb.retention.time=7d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.enable-lifecycle >"$logfile" 2>&1 & echo $!)
  echo "$pid" > "$pidfile"
  wait_until_up "Prometheus" 60 "$pid" "$logfile" prometheus_ready
}

# --- all of it
start_observability() {
  ensure_observability_packages
  start_zipkin
  start_otelcol
  start_prometheus
}

stop_observability() {
  stop_pidfile "$SHOP_RUN/prometheus/prometheus.pid"
  stop_pidfile "$SHOP_RUN/otelcol/otelcol.pid"
  stop_pidfile "$SHOP_RUN/zipkin/zipkin.pid"
}

# For ./shop status: whether each is up, and where to look.
observability_status() {
  label=zipkin check zipkin_ready
  label=otelcol check otelcol_ready
  label=prometheus check prometheus_ready
  echo "  traces:     http://127.0.0.1:$ZIPKIN_PORT/zipkin/"
  echo "  metrics:    http://127.0.0.1:$PROMETHEUS_PORT/ (alerts: /alerts, rules: /rules)"
  echo "  docs:       $REPO_ROOT/docs/architecture.md#observability"
}

print_observability_env() {
  echo "ZIPKIN_URL=http://127.0.0.1:$ZIPKIN_PORT"
  echo "PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT"
  echo "OBSERVABILITY_DIR=$OBSERVABILITY_DIR"
}
