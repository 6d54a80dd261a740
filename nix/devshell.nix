# `nix develop`: the toolchain and every server the shop runs, at the bootstrap's versions, wired
# into the same scripts. Inside it, `./shop up` finds Dapr, Kafka, Postgres and RabbitMQ here
# (DAPR_HOME, KAFKA_HOME, SHOP_PG_BIN, RABBITMQ_BIN) instead of building or installing them, and
# `dapr run -f dapr/` uses this shell's daprd (DAPR_RUNTIME_PATH).
{
  lib,
  mkShell,
  runCommand,
  rustToolchain,
  dapr,
  dapr-cli,
  kafka,
  rabbitmq,
  postgresql,
  jdk_headless,
  maven,
  go,
  python3,
  curl,
  cargo-nextest,
  cargo-audit,
  sqlx-cli,
  pkg-config,
}:
let
  # The layout the bootstrap's DAPR_HOME has: the CLI, and the runtime in .dapr/bin, where
  # `dapr run -f` looks for daprd (DAPR_RUNTIME_PATH).
  daprHome = runCommand "dapr-home-${dapr.version}" { } ''
    mkdir -p $out/.dapr/bin
    ln -s ${lib.getExe dapr-cli} $out/dapr
    for b in daprd placement scheduler; do ln -s ${dapr}/bin/$b $out/.dapr/bin/$b; done
  '';
in
mkShell {
  packages = [
    rustToolchain
    cargo-nextest
    cargo-audit
    sqlx-cli
    pkg-config
    dapr-cli
    dapr
    kafka
    rabbitmq
    postgresql
    jdk_headless
    # ./shop still builds stripe-mock and Mailpit (Go module proxy) and WireMock (Maven Central).
    go
    maven
    # The Python test tools (schemathesis, localstripe) go into a virtualenv from
    # tests/python/requirements.lock, as on the bootstrap path.
    python3
    curl
  ];
  DAPR_HOME = daprHome;
  DAPR_RUNTIME_PATH = daprHome;
  KAFKA_HOME = kafka;
  SHOP_PG_BIN = "${postgresql}/bin";
  RABBITMQ_BIN = "${rabbitmq}/bin";
  SQLX_OFFLINE = "true";
}
