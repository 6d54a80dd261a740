# The pinned versions, read from scripts/versions.env: the file the bootstrap sources too, so the
# flake and ./shop build with the same Rust, Dapr, Kafka, Postgres and RabbitMQ. Plain builtins,
# no nixpkgs: it evaluates offline, which is how tests/nix compares it with the bootstrap.
let
  lines = builtins.filter builtins.isString (builtins.split "\n" (builtins.readFile ../scripts/versions.env));
  # KEY=value; comments and blank lines do not match.
  entry = builtins.match "([A-Z][A-Z0-9_]*)=([^[:space:]#]+)[[:space:]]*";
  entries = builtins.filter (m: m != null) (map entry lines);
in
builtins.listToAttrs (
  map (m: {
    name = builtins.elemAt m 0;
    value = builtins.elemAt m 1;
  }) entries
)
