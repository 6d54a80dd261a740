# The Stripe-compatible servers behind the payments service's sidecar, both on loopback, real
# programs rather than anything of ours:
# - localstripe (PyPI, pinned in tests/python/requirements.lock): a stateful Stripe emulator
#   that keeps PaymentIntents and sends signed webhooks; the `stripe` binding
#   (components/stripe.yaml) talks to it. Run by scripts/payments/localstripe_server.py, which
#   keeps its data under $SHOP_RUN/localstripe/data across kill -9 and restarts.
# - stripe-mock (Go module proxy): Stripe's own stateless server that checks every request
#   against Stripe's OpenAPI spec and answers fixed examples; the `stripe-contract` binding
#   (components/stripe-contract.yaml) talks to it.
# Started before the apps, so the payments service finds its provider at start-up.

# wait_until_up DESCRIPTION SECONDS PID LOG COMMAND...: like wait_for, but gives up as soon as
# the process just started has exited (a port already taken, a broken install) and shows its log.
wait_until_up() {
  local what=$1 secs=$2 pid=$3 logfile=$4; shift 4
  local i
  for ((i = 0; i < secs * 2; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$logfile" >&2; die "$what exited; see $logfile"; }
    sleep 0.5
  done
  die "$what did not come up within ${secs}s; see $logfile"
}

# --- localstripe
localstripe_ready() { # its bundled Stripe.js: answered without an API key, once the store is loaded
  curl -fsS -o /dev/null "http://127.0.0.1:$LOCALSTRIPE_PORT/js.stripe.com/v3/"
}

start_localstripe() {
  ensure_python_tools
  local dir=$SHOP_RUN/localstripe
  local pidfile=$dir/localstripe.pid logfile=$dir/localstripe.log
  mkdir -p "$dir"
  if pid_alive "$pidfile"; then
    wait_for "localstripe" 30 localstripe_ready
  else
    localstripe_ready && die "something ./shop did not start answers on 127.0.0.1:$LOCALSTRIPE_PORT"
    log "starting localstripe on 127.0.0.1:$LOCALSTRIPE_PORT (data in $dir/data)"
    # Absolute paths only: the end-to-end tests start it again from its /proc command line.
    # The launcher writes the pid file itself once it owns the port (so does a relaunched copy).
    # Detached (the subshell of $(...) exits at once), so a test's kill -9 is no job of ours.
    local pid
    pid=$(nohup "$PYTHON_TOOLS/bin/python" "$REPO_ROOT/scripts/payments/localstripe_server.py" \
      --host 127.0.0.1 --port "$LOCALSTRIPE_PORT" --data-dir "$dir/data" --pid-file "$pidfile" \
      >"$logfile" 2>&1 & echo $!)
    wait_until_up "localstripe" 60 "$pid" "$logfile" localstripe_ready
  fi
  register_stripe_webhook
}

# The shop's webhook endpoint (the gateway routes it to payments), registered on every start:
# a POST under the same id replaces the endpoint, so this is idempotent and a changed secret
# takes effect. localstripe signs each delivery with the secret (Stripe-Signature: t=…,v1=…),
# sends it once, 1 s after the event, without retries, and only the events listed (it would
# otherwise also send balance.available for every charge). The launcher keeps the endpoint
# across restarts. The secret goes through stdin, not the command line.
register_stripe_webhook() {
  local url=http://127.0.0.1:${APP_PORTS[gateway]}/api/payments/webhooks/stripe
  printf '%s' "$(secret stripe-webhook-secret)" \
    | curl -fsS -o /dev/null "http://127.0.0.1:$LOCALSTRIPE_PORT/_config/webhooks/shop" \
      --data-urlencode "url=$url" --data-urlencode "secret@-" \
      --data-urlencode "events[]=payment_intent.succeeded" \
      --data-urlencode "events[]=payment_intent.payment_failed" \
    || die "registering the Stripe webhook endpoint with localstripe failed"
}

stop_localstripe() { stop_pidfile "$SHOP_RUN/localstripe/localstripe.pid"; }

# --- stripe-mock
build_stripe_mock() {
  [[ -x $STRIPE_MOCK_HOME/stripe-mock ]] && return 0
  command -v go >/dev/null || die "go is required to build stripe-mock"
  log "building stripe-mock $STRIPE_MOCK_VERSION from the Go module proxy"
  rm -rf "$STRIPE_MOCK_HOME.tmp" && mkdir -p "$STRIPE_MOCK_HOME.tmp"
  # Its go.mod has no replace directives, so `go install …@v` builds it as released (with its
  # OpenAPI spec and fixtures embedded). main.version is what goreleaser would set.
  GOBIN=$STRIPE_MOCK_HOME.tmp CGO_ENABLED=0 go install -ldflags "-s -w -X main.version=$STRIPE_MOCK_VERSION" \
    "github.com/stripe/stripe-mock@v$STRIPE_MOCK_VERSION" >&2 || die "building stripe-mock failed"
  rm -rf "$STRIPE_MOCK_HOME" && mv "$STRIPE_MOCK_HOME.tmp" "$STRIPE_MOCK_HOME"
}

stripe_mock_ready() { # it wants any key that looks like a test-mode secret key: sk_test_<x>
  curl -fsS -o /dev/null -H 'Authorization: Bearer sk_test_ready' "http://127.0.0.1:$STRIPE_MOCK_PORT/v1/balance"
}

start_stripe_mock() {
  build_stripe_mock
  local dir=$SHOP_RUN/stripe-mock
  local pidfile=$dir/stripe-mock.pid logfile=$dir/stripe-mock.log
  mkdir -p "$dir"
  if pid_alive "$pidfile"; then
    wait_for "stripe-mock" 30 stripe_mock_ready
    return 0
  fi
  stripe_mock_ready && die "something ./shop did not start answers on 127.0.0.1:$STRIPE_MOCK_PORT"
  log "starting stripe-mock $STRIPE_MOCK_VERSION on 127.0.0.1:$STRIPE_MOCK_PORT"
  # -http-addr alone would also start HTTPS on :12112 on every interface: its main.go turns
  # HTTPS off only for -http, -http-port, -http-unix or -port, and -http-port binds every
  # interface. So both get a loopback address; nothing uses the HTTPS one.
  local pid
  pid=$(nohup "$STRIPE_MOCK_HOME/stripe-mock" -http-addr "127.0.0.1:$STRIPE_MOCK_PORT" \
    -https-addr "127.0.0.1:$STRIPE_MOCK_HTTPS_PORT" >"$logfile" 2>&1 & echo $!)
  echo "$pid" > "$pidfile"
  wait_until_up "stripe-mock" 60 "$pid" "$logfile" stripe_mock_ready
}

stop_stripe_mock() { stop_pidfile "$SHOP_RUN/stripe-mock/stripe-mock.pid"; }

# --- both
start_stripe_providers() {
  start_localstripe
  start_stripe_mock
}

stop_stripe_providers() {
  stop_stripe_mock
  stop_localstripe
}
