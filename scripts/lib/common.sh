# Shared settings for the bootstrap scripts: pinned versions and where things live.
# Sourced, never run. Every path can be overridden from the environment.

# Pinned versions of what the Nix flake builds too (Rust, Dapr, Kafka, the Postgres and RabbitMQ
# majors) live in scripts/versions.env, the one file both read (the reasons are written there).
# Dapr is built from the Go module proxy (no GitHub here); Kafka comes from Maven Central. A
# value already in the environment wins, as for every setting here.
while IFS='=' read -r key value; do
  [[ $key =~ ^[A-Z][A-Z0-9_]*$ && -z ${!key:-} ]] && printf -v "$key" '%s' "$value"
done < "$(dirname "${BASH_SOURCE[0]}")/../versions.env"
unset key value
# Stripe's own request validator for the payments contract test, built from the Go module proxy.
# (localstripe, the stateful Stripe emulator, is pinned with the Python tools in
# tests/python/requirements.lock.)
STRIPE_MOCK_VERSION=${STRIPE_MOCK_VERSION:-0.203.0}
# The servers behind the notifications sidecar's bindings (scripts/lib/notifications.sh): Mailpit
# for e-mail, built from the Go module proxy; WireMock standalone, from Maven Central, as Twilio.
MAILPIT_VERSION=${MAILPIT_VERSION:-1.33.1}
WIREMOCK_VERSION=${WIREMOCK_VERSION:-3.13.2}

REPO_ROOT=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# Slow-to-make artefacts (Dapr build, Kafka jars, cargo target) live outside the repo, keyed by version.
SHOP_CACHE=${SHOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shop-platform}
# Runtime data and logs live in one project-local, git-ignored directory.
SHOP_RUN=${SHOP_RUN:-$REPO_ROOT/.run}

# Nix's dev shell (nix/devshell.nix) sets DAPR_HOME, KAFKA_HOME, SHOP_PG_BIN and RABBITMQ_BIN to
# its own builds of the same versions; then nothing is built or installed for them.
DAPR_HOME=${DAPR_HOME:-$SHOP_CACHE/dapr-$DAPR_RUNTIME_VERSION-cli-$DAPR_CLI_VERSION}
DAPR_BIN=$DAPR_HOME/.dapr/bin
KAFKA_HOME=${KAFKA_HOME:-$SHOP_CACHE/kafka-$SCALA_VERSION-$KAFKA_VERSION}
RABBITMQ_BIN=${RABBITMQ_BIN:-/usr/lib/rabbitmq/bin}
STRIPE_MOCK_HOME=$SHOP_CACHE/stripe-mock-$STRIPE_MOCK_VERSION
MAILPIT_HOME=$SHOP_CACHE/mailpit-$MAILPIT_VERSION
WIREMOCK_HOME=$SHOP_CACHE/wiremock-$WIREMOCK_VERSION
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$SHOP_CACHE/cargo-target}

# Ports of the infrastructure (all on loopback).
PG_PORT=${PG_PORT:-5432}
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
RABBITMQ_MGMT_PORT=${RABBITMQ_MGMT_PORT:-15672}
# The Stripe-compatible servers behind the payments sidecar's bindings (scripts/lib/payments.sh).
# Like Kafka's port in components/events.yaml, the first two are written again in
# components/stripe.yaml and components/stripe-contract.yaml. stripe-mock given a loopback
# address cannot leave HTTPS off, so it gets a loopback HTTPS port too, unused.
LOCALSTRIPE_PORT=${LOCALSTRIPE_PORT:-8420}
STRIPE_MOCK_PORT=${STRIPE_MOCK_PORT:-12111}
STRIPE_MOCK_HTTPS_PORT=${STRIPE_MOCK_HTTPS_PORT:-12112}
# The servers behind the notifications sidecar's bindings (scripts/lib/notifications.sh).
# Mailpit's SMTP port is written again in components/email.yaml. WireMock's port is the
# notifications sidecar's HTTPS proxy (NOTIFICATIONS_SIDECAR_HTTPS_PROXY, set by start_apps);
# its admin API and request journal are on the same port, under /__admin.
MAILPIT_SMTP_PORT=${MAILPIT_SMTP_PORT:-1025}
MAILPIT_HTTP_PORT=${MAILPIT_HTTP_PORT:-8025}
WIREMOCK_PORT=${WIREMOCK_PORT:-8089}
# Dapr's control plane. Everything stays below the ephemeral port range (32768-60999), where an
# outgoing connection could already hold the port.
PLACEMENT_PORT=${PLACEMENT_PORT:-6050}
PLACEMENT_HEALTH_PORT=${PLACEMENT_HEALTH_PORT:-6051}
PLACEMENT_METRICS_PORT=${PLACEMENT_METRICS_PORT:-6052}
SCHEDULER_PORT=${SCHEDULER_PORT:-6060}
SCHEDULER_HEALTH_PORT=${SCHEDULER_HEALTH_PORT:-6061}
SCHEDULER_METRICS_PORT=${SCHEDULER_METRICS_PORT:-6062}
SCHEDULER_ETCD_CLIENT_PORT=${SCHEDULER_ETCD_CLIENT_PORT:-6063}

SERVICES=(gateway users inventory orders payments notifications analytics)
DATABASES=(users inventory orders payments notifications analytics)

log() { printf '\033[1;34m[shop]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[shop] error:\033[0m %s\n' "$*" >&2; exit 1; }

# wait_for DESCRIPTION SECONDS COMMAND...: poll until COMMAND succeeds or fail loudly.
wait_for() {
  local what=$1 secs=$2; shift 2
  local i
  for ((i = 0; i < secs * 2; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  die "$what did not come up within ${secs}s"
}
