# The servers behind the notifications service's sidecar, both on loopback, real programs rather
# than anything of ours:
# - Mailpit (Go module proxy, built once with CGO off): an SMTP server that keeps every message
#   and shows them through a REST API (/api/v1/messages, /api/v1/search, /api/v1/message/{id});
#   the `email` binding (components/email.yaml, bindings.smtp) sends to it. It checks the SMTP
#   login against the secrets smtp-user / smtp-password, and with --enable-chaos a test can make
#   it refuse sends on purpose (PUT /api/v1/chaos).
# - WireMock standalone (Maven Central): plays Twilio's API for the `sms` binding
#   (components/sms.yaml, bindings.twilio.sms), whose URL is fixed to https://api.twilio.com. Only
#   the notifications sidecar is pointed at it, as its HTTPS proxy, and trusts its CA (see
#   scripts/notifications/sidecar-runtime/.dapr/bin/daprd); WireMock answers from the stubs in
#   scripts/notifications/wiremock/mappings/ and keeps every request in its journal
#   (/__admin/requests), which is what tests read.
# Started before the apps: the notifications sidecar reads WireMock's CA certificate at its first
# SMS, from $SHOP_RUN/wiremock/ca.crt, which exists once WireMock is up.
# wait_until_up, pid_alive and stop_pidfile come from payments.sh and infra.sh.

# --- Mailpit
build_mailpit() {
  [[ -x $MAILPIT_HOME/mailpit ]] && return 0
  command -v go >/dev/null || die "go is required to build Mailpit"
  log "building Mailpit $MAILPIT_VERSION from the Go module proxy (a few minutes the first time)"
  rm -rf "$MAILPIT_HOME.tmp" && mkdir -p "$MAILPIT_HOME.tmp"
  # No replace directives in its go.mod, and its SQLite is pure Go (modernc.org/sqlite), so CGO
  # stays off and `go install …@v` builds it as released. config.Version is what its release
  # build sets (its Dockerfile). The module has no web UI assets (their JavaScript is built by
  # npm at release time): `/` is a blank page, but SMTP, the REST API and /view/{id}.html work.
  GOBIN=$MAILPIT_HOME.tmp CGO_ENABLED=0 go install \
    -ldflags "-s -w -X github.com/axllent/mailpit/config.Version=v$MAILPIT_VERSION" \
    "github.com/axllent/mailpit@v$MAILPIT_VERSION" >&2 || die "building Mailpit failed"
  rm -rf "$MAILPIT_HOME" && mv "$MAILPIT_HOME.tmp" "$MAILPIT_HOME"
}

mailpit_ready() { curl -fsS -o /dev/null "http://127.0.0.1:$MAILPIT_HTTP_PORT/readyz"; }

# Mailpit's SMTP password file (htpasswd format; a plain-text password is accepted as such),
# rewritten on every start from the secret store, so a changed secret takes effect at the next
# start. user:password with no whitespace (Mailpit splits the file on it); ensure_secrets makes
# both of letters, digits and "-".
write_mailpit_auth_file() {
  local file=$1
  ( umask 077; printf '%s:%s\n' "$(secret smtp-user)" "$(secret smtp-password)" > "$file.tmp" )
  mv "$file.tmp" "$file"
}

start_mailpit() {
  build_mailpit
  local dir=$SHOP_RUN/mailpit
  local pidfile=$dir/mailpit.pid logfile=$dir/mailpit.log
  mkdir -p "$dir"
  if pid_alive "$pidfile"; then
    wait_for "Mailpit" 30 mailpit_ready
    return 0
  fi
  mailpit_ready 2>/dev/null && die "something ./shop did not start answers on 127.0.0.1:$MAILPIT_HTTP_PORT"
  write_mailpit_auth_file "$dir/smtp-auth"
  log "starting Mailpit $MAILPIT_VERSION: SMTP on 127.0.0.1:$MAILPIT_SMTP_PORT, API on 127.0.0.1:$MAILPIT_HTTP_PORT"
  # Absolute paths only, so a test can start it again from its /proc command line.
  # --smtp-auth-file: AUTH is required and checked (a wrong password is 535), so the binding's
  #   credentials from the secret store really are used. --smtp-auth-allow-insecure: it offers
  #   PLAIN and LOGIN without TLS (no certificate here; otherwise it would demand STARTTLS). The
  #   binding then logs in with PLAIN, which Go's net/smtp sends unencrypted only to localhost,
  #   127.0.0.1 or ::1: the component's host must be one of those.
  # --enable-chaos: PUT /api/v1/chaos {"Recipient":{"ErrorCode":451,"Probability":100}} makes
  #   every RCPT TO fail (Sender and Authentication likewise); {} turns it off. Not persisted: a
  #   restart turns it off too.
  # --max 0: keep every message (the default prunes all but the newest 500 every minute, which
  #   would make "exactly these emails, once each" unprovable after a benchmark); tests clear
  #   it with DELETE /api/v1/messages.
  # --smtp-disable-rdns: no reverse DNS lookup per connection (nothing to learn on loopback).
  local pid
  pid=$(nohup "$MAILPIT_HOME/mailpit" \
    --smtp "127.0.0.1:$MAILPIT_SMTP_PORT" --listen "127.0.0.1:$MAILPIT_HTTP_PORT" \
    --database "$dir/mailpit.db" --max 0 --disable-version-check \
    --smtp-auth-file "$dir/smtp-auth" --smtp-auth-allow-insecure --smtp-disable-rdns \
    --enable-chaos >"$logfile" 2>&1 & echo $!)
  echo "$pid" > "$pidfile"
  wait_until_up "Mailpit" 60 "$pid" "$logfile" mailpit_ready
}

stop_mailpit() { stop_pidfile "$SHOP_RUN/mailpit/mailpit.pid"; }

# --- WireMock
WIREMOCK_JAR=$WIREMOCK_HOME/libs/wiremock-standalone-$WIREMOCK_VERSION.jar

fetch_wiremock() {
  [[ -f $WIREMOCK_JAR ]] && return 0
  command -v mvn >/dev/null || die "mvn is required to fetch WireMock"
  log "resolving WireMock $WIREMOCK_VERSION from Maven Central"
  mkdir -p "$WIREMOCK_HOME"
  rm -rf "$WIREMOCK_HOME/libs.tmp"
  mvn -q -B -f "$REPO_ROOT/scripts/notifications/pom.xml" dependency:copy-dependencies \
    -Dwiremock.version="$WIREMOCK_VERSION" -DincludeScope=runtime \
    -DoutputDirectory="$WIREMOCK_HOME/libs.tmp" >&2 || die "resolving WireMock failed"
  rm -rf "$WIREMOCK_HOME/libs" && mv "$WIREMOCK_HOME/libs.tmp" "$WIREMOCK_HOME/libs"
}

wiremock_ready() { curl -fsS -o /dev/null "http://127.0.0.1:$WIREMOCK_PORT/__admin/health"; }

# The stubs WireMock serves, from scripts/notifications/wiremock/mappings/, into its own root
# directory under $SHOP_RUN, rewritten on every start: a stub whose metadata says
# "shopCredentials": "twilio" matches only the shop's Twilio credentials (HTTP Basic
# AccountSid:AuthToken, secrets twilio-account-sid and twilio-auth-token), so they stay out of git.
# Whatever a test saved there (POST /__admin/mappings/save) is dropped.
write_wiremock_mappings() {
  local root=$1
  mkdir -p "$root/mappings" "$root/__files"
  chmod 700 "$root/mappings"
  rm -f "$root/mappings"/*.json
  python3 - "$REPO_ROOT/scripts/notifications/wiremock/mappings" "$root/mappings" \
    "$SHOP_RUN/secrets/secrets.json" <<'PY' || die "writing WireMock's stubs failed"
import json, os, sys
source, target, secrets_file = sys.argv[1:4]
secrets = json.load(open(secrets_file))
for name in sorted(os.listdir(source)):
    if not name.endswith(".json"):
        continue
    stub = json.load(open(os.path.join(source, name)))
    if stub.get("metadata", {}).get("shopCredentials") == "twilio":
        stub["request"]["basicAuthCredentials"] = {
            "username": secrets["twilio-account-sid"],
            "password": secrets["twilio-auth-token"],
        }
    path = os.path.join(target, name)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump(stub, out, indent=2)
PY
}

# WireMock's CA certificate, which the notifications sidecar trusts (SSL_CERT_FILE).
save_wiremock_ca() {
  local ca=$SHOP_RUN/wiremock/ca.crt
  curl -fsS -o "$ca.tmp" "http://127.0.0.1:$WIREMOCK_PORT/__admin/certs/wiremock-ca.crt" \
    || die "reading WireMock's CA certificate failed"
  mv "$ca.tmp" "$ca"
}

start_wiremock() {
  fetch_wiremock
  local dir=$SHOP_RUN/wiremock
  local pidfile=$dir/wiremock.pid logfile=$dir/wiremock.log
  mkdir -p "$dir"
  write_wiremock_mappings "$dir/root"
  if pid_alive "$pidfile"; then
    wait_for "WireMock" 30 wiremock_ready
    # Serve exactly the stubs just written (a test's own stubs go; the journal stays).
    curl -fsS -o /dev/null -X POST "http://127.0.0.1:$WIREMOCK_PORT/__admin/mappings/reset" \
      || die "reloading WireMock's stubs failed"
    save_wiremock_ca
    return 0
  fi
  wiremock_ready 2>/dev/null && die "something ./shop did not start answers on 127.0.0.1:$WIREMOCK_PORT"
  log "starting WireMock $WIREMOCK_VERSION (Twilio's API, by HTTPS proxying) on 127.0.0.1:$WIREMOCK_PORT"
  # Absolute paths only, so a test can start it again from its /proc command line.
  # --enable-browser-proxying: it is also an HTTP(S) forward proxy on the same port. A CONNECT
  #   to api.twilio.com:443 is answered with TLS under a certificate for that name signed by the
  #   CA in --ca-keystore (generated there on the first start, then kept: the sidecar's
  #   SSL_CERT_FILE keeps matching across restarts; the keystore's password is WireMock's
  #   default, "password"), and the request is matched against the stubs like any other.
  # --proxy-pass-through false: a proxied request no stub matches is not forwarded to the real
  #   host; WireMock answers it itself (403, as run here) and keeps it in the journal among the
  #   unmatched ones (/__admin/requests/unmatched).
  # --max-request-journal-entries: the journal is kept in memory; beyond this the oldest go.
  local pid
  pid=$(nohup java -Xmx256m -Djava.awt.headless=true -jar "$WIREMOCK_JAR" \
    --bind-address 127.0.0.1 --port "$WIREMOCK_PORT" --root-dir "$dir/root" \
    --enable-browser-proxying --proxy-pass-through false \
    --ca-keystore "$dir/ca-keystore.jks" --max-request-journal-entries 20000 \
    --disable-banner >"$logfile" 2>&1 & echo $!)
  echo "$pid" > "$pidfile"
  wait_until_up "WireMock" 90 "$pid" "$logfile" wiremock_ready
  save_wiremock_ca
}

stop_wiremock() { stop_pidfile "$SHOP_RUN/wiremock/wiremock.pid"; }

# --- both
start_notification_providers() {
  start_mailpit
  start_wiremock
}

stop_notification_providers() {
  stop_wiremock
  stop_mailpit
}
