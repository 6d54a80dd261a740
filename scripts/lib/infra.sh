# Installs and runs the real infrastructure: Postgres and RabbitMQ from Debian, Kafka from its
# Maven Central jars, Dapr's placement and scheduler from our own build. Everything runs on
# loopback with data and logs under $SHOP_RUN; every start is idempotent.

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

as_postgres() { # Postgres refuses to run as root: run its tools as the postgres user then.
  # From /: the postgres user may not be allowed into the current directory.
  if [[ $(id -u) == 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_bin() {
  # Nix's dev shell names its Postgres (of the same major) here.
  [[ -n ${SHOP_PG_BIN:-} ]] && { echo "$SHOP_PG_BIN"; return 0; }
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir ]] || die "no Postgres server found in /usr/lib/postgresql"
  echo "$dir"
}

install_packages() {
  local missing=()
  if [[ -z ${SHOP_PG_BIN:-} ]]; then
    [[ -d /usr/lib/postgresql ]] && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql postgresql-contrib)
  fi
  command -v psql >/dev/null || missing+=(postgresql-client)
  [[ -x "$RABBITMQ_BIN"/rabbitmq-server ]] || missing+=(rabbitmq-server)
  command -v java >/dev/null || missing+=(default-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  command -v curl >/dev/null || missing+=(curl)
  # The browser tests (the analytics dashboard) drive Debian's Chromium through its WebDriver.
  command -v chromedriver >/dev/null || missing+=(chromium chromium-driver)
  ((${#missing[@]})) || return 0
  log "installing from Debian: ${missing[*]}"
  local sudo=; [[ $(id -u) == 0 ]] || sudo=sudo
  # The packages' own init scripts would start system-wide daemons; we run our own instances.
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts a system RabbitMQ (and Postgres cluster) where it can: stop them so ours own the ports.
  $sudo pkill -u rabbitmq beam.smp 2>/dev/null || true
  if command -v pg_ctlcluster >/dev/null; then
    pg_lsclusters -h 2>/dev/null | while read -r ver name _; do $sudo pg_ctlcluster "$ver" "$name" stop 2>/dev/null || true; done
  fi
}

# --- secrets: generated once per checkout, kept out of git, served by Dapr's local file secret store.
ensure_secrets() {
  local file=$SHOP_RUN/secrets/secrets.json
  mkdir -p "$SHOP_RUN/secrets"
  # Generated once; a key added to this list later is added to an existing file, nothing else
  # changes, so a second run keeps every password the databases already use.
  python3 - "$file" "${DATABASES[*]} orderstore" <<'PY'
import json, os, secrets, string, sys
path, databases = sys.argv[1], sys.argv[2].split()
current = json.load(open(path)) if os.path.exists(path) else {}
# Letters and digits only. A URL-safe token may begin with "-", and a password that begins with
# "-" is read as an option by command-line tools (rabbitmqctl refused one in CI, once in 32 runs).
def alnum(n):
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))
wanted = {f"postgres-{name}-password": lambda: alnum(32) for name in databases}
wanted.update({
    "rabbitmq-password": lambda: alnum(32),
    "app-api-token": lambda: alnum(43),
    "jwt-signing-key": lambda: alnum(64),
    "admin-email": lambda: "admin@shop.local",
    "admin-password": lambda: alnum(32),
    "postgres-route-tests-password": lambda: alnum(32),
    # Stripe (localstripe, stripe-mock; scripts/lib/payments.sh). The API key is kept as the
    # whole Authorization value, since the `stripe` binding sends its securityToken verbatim.
    # Letters and digits only: stripe-mock accepts a key only as exactly sk_test_<x> with no
    # further "_" in <x>. The webhook secret signs localstripe's deliveries (Stripe-Signature).
    "stripe-api-authorization": lambda: "Bearer sk_test_" + alnum(32),
    "stripe-webhook-secret": lambda: "whsec_" + alnum(32),
    # Notifications (scripts/lib/notifications.sh). The SMTP login of the `email` binding,
    # which Mailpit checks (its password file is written from these two; no whitespace or ":"
    # in either). The `sms` binding's Twilio credentials, shaped like real ones (an Account SID
    # is "AC" + 32 hex digits, an auth token 32 hex digits); WireMock, playing Twilio, accepts
    # only this pair.
    "smtp-user": lambda: "shop-notifications",
    "smtp-password": lambda: alnum(32),
    "twilio-account-sid": lambda: "AC" + secrets.token_hex(16),
    "twilio-auth-token": lambda: secrets.token_hex(16),
})
# A RabbitMQ password from before that rule is replaced: the broker's user is reset to it on
# every start, so nothing else holds the old one.
if current.get("rabbitmq-password", "").startswith("-"):
    del current["rabbitmq-password"]
for key, make in wanted.items():
    current.setdefault(key, make())
tmp = path + ".tmp"
with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
    json.dump(current, out, indent=2)
os.replace(tmp, path)
PY
  # Derived secrets that components need whole (connection strings), rebuilt every run from the above.
  python3 - "$file" "$PG_PORT" "$RABBITMQ_PORT" > "$SHOP_RUN/secrets/dapr-secrets.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
pg, rmq = sys.argv[2], sys.argv[3]
out = dict(s)
out["orderstore-connection-string"] = (
    f"host=127.0.0.1 port={pg} user=orderstore password={s['postgres-orderstore-password']} "
    "dbname=orderstore sslmode=disable")
out["rabbitmq-connection-string"] = f"amqp://shop:{s['rabbitmq-password']}@127.0.0.1:{rmq}"
print(json.dumps(out, indent=2))
PY
  chmod 600 "$SHOP_RUN/secrets/dapr-secrets.json"
}

secret() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$SHOP_RUN/secrets/secrets.json" "$1"; }

# --- Postgres: one cluster, one database and one owning role per service, plus the Dapr
# state store's own database (the order event streams and actor state live there).
# As root, Postgres runs as the postgres user, which may not be able to enter the checkout
# (a clone under /root, say). Its directory then lives under /var/lib and .run/postgres links to it.
prepare_postgres_dir() {
  local dir=$SHOP_RUN/postgres
  [[ $(id -u) == 0 ]] || { mkdir -p "$dir"; return 0; }
  if [[ ! -e $dir ]]; then
    mkdir -p "$dir"
    chown postgres:postgres "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      rmdir "$dir"
      local outside; outside=/var/lib/shop-platform/$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)/postgres
      mkdir -p "$outside" && chown postgres:postgres "$outside" && ln -s "$outside" "$dir"
    fi
  fi
}

start_postgres() {
  local bin; bin=$(pg_bin)
  prepare_postgres_dir
  # The resolved path: the postgres user may not be able to go through the link's directory.
  local sock; sock=$(readlink -f "$SHOP_RUN/postgres")
  local data=$sock/data
  if [[ ! -f $data/PG_VERSION ]]; then
    log "initialising Postgres in $data"
    as_postgres "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
  fi
  if ! as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "starting Postgres on 127.0.0.1:$PG_PORT"
    as_postgres "$bin/pg_ctl" -D "$data" -l "$sock/postgres.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $sock -c max_connections=300 -c shared_buffers=256MB -c fsync=on" >/dev/null \
      || die "Postgres did not start; see $sock/postgres.log"
  fi
  local db pw
  for db in "${DATABASES[@]}" orderstore; do
    pw=$(secret "postgres-$db-password")
    as_postgres psql -q -h "$sock" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL || die "creating database $db failed"
SELECT format('CREATE ROLE %I LOGIN', '$db') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$db')\gexec
ALTER ROLE "$db" PASSWORD '$pw';
SELECT format('CREATE DATABASE %I OWNER %I', '$db', '$db') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$db')\gexec
SQL
  done
  # The in-process route tests (services/*/tests) give every test a database of its own
  # (sqlx::test), so their role may create databases; it owns none of the services' data.
  pw=$(secret postgres-route-tests-password)
  as_postgres psql -q -h "$sock" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL || die "creating the route tests' role failed"
SELECT 'CREATE ROLE route_tests LOGIN CREATEDB' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'route_tests')\gexec
ALTER ROLE route_tests PASSWORD '$pw';
SELECT 'CREATE DATABASE route_tests OWNER route_tests' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'route_tests')\gexec
SQL
}

# Where the route tests' sqlx::test makes its databases.
route_tests_database_url() {
  echo "postgres://route_tests:$(secret postgres-route-tests-password)@127.0.0.1:$PG_PORT/route_tests"
}

stop_postgres() {
  local bin; bin=$(pg_bin) || return 0
  local data; data=$(readlink -f "$SHOP_RUN/postgres")/data
  [[ -f $data/PG_VERSION ]] || return 0
  as_postgres "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

# --- RabbitMQ: our own node with its own data directory and the management plugin (its HTTP
# API is how tests look at queues).
rabbitmq_env() {
  export RABBITMQ_NODENAME=shop@localhost
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$RABBITMQ_PORT
  export RABBITMQ_DIST_PORT=${RABBITMQ_DIST_PORT:-25672}
  export RABBITMQ_BASE=$SHOP_RUN/rabbitmq
  export RABBITMQ_MNESIA_BASE=$RABBITMQ_BASE/mnesia RABBITMQ_LOG_BASE=$RABBITMQ_BASE/log
  export RABBITMQ_ENABLED_PLUGINS_FILE=$RABBITMQ_BASE/enabled_plugins
  export RABBITMQ_CONFIG_FILE=$RABBITMQ_BASE/rabbitmq
  export RABBITMQ_PID_FILE=$RABBITMQ_BASE/rabbitmq.pid
  export HOME=$RABBITMQ_BASE # the Erlang cookie lives in $HOME
}

start_rabbitmq() {
  (
    rabbitmq_env
    mkdir -p "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
    echo '[rabbitmq_management].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
    cat > "$RABBITMQ_CONFIG_FILE.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$RABBITMQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBITMQ_MGMT_PORT
loopback_users = none
# Queue statistics every second, not every five, so operators and tests see deliveries soon.
collect_statistics_interval = 1000
CONF
    if "$RABBITMQ_BIN"/rabbitmqctl -q status >/dev/null 2>&1; then exit 0; fi
    log "starting RabbitMQ on 127.0.0.1:$RABBITMQ_PORT (management on :$RABBITMQ_MGMT_PORT)"
    nohup "$RABBITMQ_BIN"/rabbitmq-server >"$RABBITMQ_LOG_BASE/stdout.log" 2>&1 &
    wait_for "RabbitMQ" 90 "$RABBITMQ_BIN"/rabbitmqctl -q await_startup
    local pw; pw=$(secret rabbitmq-password)
    "$RABBITMQ_BIN"/rabbitmqctl -q add_user shop "$pw" >/dev/null 2>&1 \
      || "$RABBITMQ_BIN"/rabbitmqctl -q change_password shop "$pw" >/dev/null
    "$RABBITMQ_BIN"/rabbitmqctl -q set_user_tags shop administrator >/dev/null
    "$RABBITMQ_BIN"/rabbitmqctl -q set_permissions -p / shop '.*' '.*' '.*' >/dev/null
    wait_for "RabbitMQ management API" 60 curl -fsS -u "shop:$pw" "http://127.0.0.1:$RABBITMQ_MGMT_PORT/api/overview"
  ) || die "RabbitMQ did not start; see $SHOP_RUN/rabbitmq/log"
}

stop_rabbitmq() {
  ( rabbitmq_env; [[ -d $RABBITMQ_MNESIA_BASE ]] || exit 0
    "$RABBITMQ_BIN"/rabbitmqctl -q stop >/dev/null 2>&1 || true )
}

# --- Kafka: one KRaft process that is both broker and controller, from the jars on Maven Central.
fetch_kafka() {
  [[ -f $KAFKA_HOME/libs/kafka_$SCALA_VERSION-$KAFKA_VERSION.jar ]] && return 0
  log "resolving Kafka $KAFKA_VERSION jars from Maven Central"
  mkdir -p "$KAFKA_HOME"
  mvn -q -B -f "$REPO_ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -Dscala.binary.version="$SCALA_VERSION" \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs.tmp" >&2 || die "resolving Kafka failed"
  mv "$KAFKA_HOME/libs.tmp" "$KAFKA_HOME/libs"
}

kafka_java() { # run a Kafka class with the broker's classpath
  java -Xmx256m -Dlog4j.configuration="file:$SHOP_RUN/kafka/tools-log4j.properties" -cp "$KAFKA_HOME/libs/*" "$@"
}

start_kafka() {
  fetch_kafka
  local dir=$SHOP_RUN/kafka
  mkdir -p "$dir/logs"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cat > "$dir/log4j.properties" <<PROPS
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$dir/logs/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
PROPS
  printf 'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=%%p %%m%%n\n' > "$dir/tools-log4j.properties"
  pid_alive "$dir/kafka.pid" && return 0
  if [[ ! -f $dir/data/meta.properties ]]; then
    local cluster_id; cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid)
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" --ignore-formatted >/dev/null \
      || die "formatting Kafka storage failed"
  fi
  log "starting Kafka $KAFKA_VERSION (KRaft) on 127.0.0.1:$KAFKA_PORT"
  # Started from a subshell, so the broker is not a child of this shell: when a test kills it
  # (tests/e2e/tests/orders_kafka_outage.rs), bash has no job to report as "Killed".
  (
    nohup java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
      -Dlog4j.configuration="file:$dir/log4j.properties" -Dkafka.logs.dir="$dir/logs" \
      -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$dir/server.properties" >"$dir/logs/stdout.log" 2>&1 &
    echo $! > "$dir/kafka.pid"
  )
  wait_for "Kafka" 90 kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list
}

stop_kafka() {
  local pidfile=$SHOP_RUN/kafka/kafka.pid
  pid_alive "$pidfile" || return 0
  kill "$(cat "$pidfile")"
  local i; for ((i = 0; i < 60; i++)); do pid_alive "$pidfile" || break; sleep 0.5; done
  pid_alive "$pidfile" && kill -9 "$(cat "$pidfile")"
  rm -f "$pidfile"
}

# --- Dapr control plane: placement (actors) and scheduler (reminders, jobs), moved off the
# default healthz 8080 / metrics 9090 ports, which they would otherwise both claim.
start_dapr_control_plane() {
  local dir=$SHOP_RUN/dapr
  mkdir -p "$dir"
  if ! pid_alive "$dir/placement.pid"; then
    log "starting Dapr placement on 127.0.0.1:$PLACEMENT_PORT"
    nohup "$DAPR_BIN/placement" --port "$PLACEMENT_PORT" --listen-address 127.0.0.1 \
      --healthz-port "$PLACEMENT_HEALTH_PORT" --metrics-port "$PLACEMENT_METRICS_PORT" --raft-logstore-path "$dir/placement-raft" \
      >"$dir/placement.log" 2>&1 &
    echo $! > "$dir/placement.pid"
  fi
  if ! pid_alive "$dir/scheduler.pid"; then
    log "starting Dapr scheduler on 127.0.0.1:$SCHEDULER_PORT"
    nohup "$DAPR_BIN/scheduler" --port "$SCHEDULER_PORT" --listen-address 127.0.0.1 \
      --healthz-port "$SCHEDULER_HEALTH_PORT" --metrics-port "$SCHEDULER_METRICS_PORT" --etcd-data-dir "$dir/scheduler-etcd" \
      --etcd-client-port "$SCHEDULER_ETCD_CLIENT_PORT" \
      >"$dir/scheduler.log" 2>&1 &
    echo $! > "$dir/scheduler.pid"
  fi
  wait_for "Dapr placement" 60 curl -fsS "http://127.0.0.1:$PLACEMENT_HEALTH_PORT/healthz"
  wait_for "Dapr scheduler" 90 curl -fsS "http://127.0.0.1:$SCHEDULER_HEALTH_PORT/healthz"
}

stop_pidfile() {
  pid_alive "$1" || { rm -f "$1"; return 0; }
  kill "$(cat "$1")" 2>/dev/null
  local i; for ((i = 0; i < 40; i++)); do pid_alive "$1" || break; sleep 0.25; done
  pid_alive "$1" && kill -9 "$(cat "$1")" 2>/dev/null
  rm -f "$1"
}
