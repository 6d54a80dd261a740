#!/usr/bin/env bash
# Prints the shop's Kubernetes Secrets, with new random values, for `kubectl apply`:
#   bash deploy/secrets.sh | kubectl apply -n shop -f -
# Run it once per cluster (a second run would change every password the databases already use).
# Nothing of it is kept in git or on disk. The names are the ones ./shop's local secret store
# uses (scripts/lib/infra.sh, ensure_secrets): each Secret holds one key equal to its name, which
# is what the `secretstore` component (deploy/base/components/secretstore.yaml) hands out; some
# carry more keys for the operator that reads them too:
# - postgres-<db>-password: kubernetes.io/basic-auth (username, password) for CloudNativePG's
#   roles (deploy/base/postgres.yaml), plus the key the service reads;
# - rabbitmq-default-user: the RabbitMQ cluster's default user (username, password), from which
#   rabbitmq-connection-string is built;
# - app-api-token: key `token`, the key Dapr's injector reads for dapr.io/app-token-secret.
# The Stripe, SMTP and Twilio values are stand-ins shaped like real ones, good for the local
# overlay's Mailpit and localstripe; production replaces them with the providers' own
# (kubectl create secret generic stripe-api-authorization --from-literal=… and so on).
set -euo pipefail
python3 - <<'PY'
import base64, json, secrets, string

def alnum(n):
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))

def secret(name, data, type_="Opaque"):
    # JSON is YAML: one document per Secret, values as stringData.
    doc = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
           "type": type_, "stringData": data}
    print("---")
    print(json.dumps(doc, indent=2))

def single(name, value):
    secret(name, {name: value})

databases = ["users", "inventory", "orders", "payments", "notifications", "analytics", "orderstore"]
passwords = {db: alnum(32) for db in databases}
for db in databases:
    name = f"postgres-{db}-password"
    secret(name, {"username": db, "password": passwords[db], name: passwords[db]},
           "kubernetes.io/basic-auth")
single("orderstore-connection-string",
       f"host=orderstore-db-rw port=5432 user=orderstore password={passwords['orderstore']} "
       "dbname=orderstore sslmode=require")

rabbitmq_password = alnum(32)
secret("rabbitmq-default-user", {"username": "shop", "password": rabbitmq_password})
single("rabbitmq-connection-string", f"amqp://shop:{rabbitmq_password}@shop-rabbitmq:5672")

secret("app-api-token", {"token": alnum(43)})
single("jwt-signing-key", alnum(64))
single("admin-email", "admin@shop.local")
single("admin-password", alnum(32))
single("stripe-api-authorization", "Bearer sk_test_" + alnum(32))
single("stripe-webhook-secret", "whsec_" + alnum(32))
single("smtp-user", "shop-notifications")
single("smtp-password", alnum(32))
single("twilio-account-sid", "AC" + secrets.token_hex(16))
single("twilio-auth-token", secrets.token_hex(16))
PY
