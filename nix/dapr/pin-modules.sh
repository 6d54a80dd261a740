#!/usr/bin/env bash
# The two go.mod pins that make dapr/dapr v1.16.5 build here, applied in the source directory
# (the one with go.mod). One copy, run by the bootstrap (scripts/lib/dapr.sh) and by the Nix
# build (nix/dapr.nix, postPatch, which buildGoModule also runs before it downloads the modules),
# so both build the same dependency set:
# - the scheduler needs go-etcd-cron v0.9.2, which the Go module proxy reachable here refuses
#   (403); v0.9.1, which Dapr 1.16.0-1.16.2 ship with, is served and has the same API;
# - choleraehyq/pid v0.0.20 (via the kitex binding) has amd64 assembly that Go 1.26's assembler
#   rejects; v0.0.24 is the same API with Go 1.26 support.
# go.sum gets the replacements' checksums (as sum.golang.org publishes them), since the Nix
# build runs with the network off and go.sum read-only. Idempotent.
set -euo pipefail
[[ -f go.mod && -f go.sum ]] || { echo "pin-modules.sh: run it where go.mod and go.sum are" >&2; exit 1; }
go mod edit -replace github.com/diagridio/go-etcd-cron=github.com/diagridio/go-etcd-cron@v0.9.1
go mod edit -replace github.com/choleraehyq/pid=github.com/choleraehyq/pid@v0.0.24
while read -r line; do
  grep -qxF "$line" go.sum || printf '%s\n' "$line" >> go.sum
done <<'SUMS'
github.com/choleraehyq/pid v0.0.24 h1:PYYCUdnceJK8XQRCnuNnXL+kmElru8WHfUnJEG7gpcc=
github.com/choleraehyq/pid v0.0.24/go.mod h1:uhzeFgxJZWQsZulelVQZwdASxQ9TIPZYL4TPkQMtL/U=
github.com/diagridio/go-etcd-cron v0.9.1 h1:KUfcceDtypL8s3hL0jD2ZoiIzjjXY6xDQ4kT1DJF4Ws=
github.com/diagridio/go-etcd-cron v0.9.1/go.mod h1:CSzuxoCDFu+Gbds0RO73GE8CnmL5t85axiPLptsej3I=
SUMS
