#!/usr/bin/env bash
# daprd's `vendorHash` (nix/dapr.nix), computed the way Nix's buildGoModule computes it, without
# Nix's builder. buildGoModule with `proxyVendor = true` makes a fixed-output derivation
# (`goModules`, nixpkgs pkgs/build-support/go/module.nix) that, in the patched source:
#   export GOPATH=$TMPDIR/go; go mod download          (GOTOOLCHAIN=local, GO111MODULE=on)
#   rm -rf $GOPATH/pkg/mod/cache/download/sumdb
#   cp -r $GOPATH/pkg/mod/cache/download $out
# and its hash is the NAR hash of $out (`nix hash path`). Only go.mod and go.sum decide what
# `go mod download` fetches, and the proxy's module zip of dapr/dapr v1.16.5 carries them byte
# for byte as the git tag (the Nix source) does; postPatch is nix/dapr/pin-modules.sh.
#
#   vendor-hash.sh fetch     download the modules once into $SHOP_CACHE (the bootstrap runs it;
#                            idempotent; reuses ~/go/pkg/mod where it can, then the Go proxy)
#   vendor-hash.sh compute   recompute the hash from that cache alone, in a fresh GOPATH with
#                            the network off (GOPROXY=file://…), and print it (SRI)
#
# Needs go, and nix (NIX_BIN_DIR or PATH) for `nix hash path`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# The version comes from the one versions file the flake and the bootstrap both read.
version=$(sed -n 's/^DAPR_RUNTIME_VERSION=\([^[:space:]#]*\).*/\1/p' "$repo/scripts/versions.env")
[[ -n $version ]] || { echo "no DAPR_RUNTIME_VERSION in scripts/versions.env" >&2; exit 1; }
cache=${SHOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shop-platform}
# Keyed by the version and by the pins: another pin is another module set.
key=$(sha256sum "$here/pin-modules.sh" | cut -c1-12)
modules=$cache/nix/dapr-$version-go-modules-$key
nix=${NIX_BIN_DIR:+$NIX_BIN_DIR/}nix

die() { echo "vendor-hash.sh: $*" >&2; exit 1; }

# A clean environment like the builder's: no GOFLAGS, no go env file, no inherited GOPATH.
go_clean() {
  local gopath=$1; shift
  env -i PATH="$(dirname "$(command -v go)"):/usr/bin:/bin" HOME="$gopath/home" GOENV=off \
    GOPATH="$gopath" GOCACHE="$gopath/go-cache" GOTOOLCHAIN=local GO111MODULE=on "$@"
}

# go.mod and go.sum of the release, pinned like the Nix build pins them.
prepare_source() {
  local dir=$1 src
  src=$(GOFLAGS=-mod=mod go mod download -json "github.com/dapr/dapr@v$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [[ -f $src/go.mod ]] || die "could not download github.com/dapr/dapr@v$version"
  mkdir -p "$dir"
  cp "$src/go.mod" "$src/go.sum" "$dir/"
  chmod u+w "$dir/go.mod" "$dir/go.sum"
  (cd "$dir" && PATH="$(dirname "$(command -v go)"):$PATH" bash "$here/pin-modules.sh")
}

fetch() {
  [[ -f $modules/.complete ]] && return 0
  command -v go >/dev/null || die "go is required"
  local work; work=$(mktemp -d); trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' RETURN
  prepare_source "$work/src"
  # The machine's module cache first (the bootstrap's Dapr build filled most of it), then the
  # proxy; both hand out the same bytes, and go.sum plus sum.golang.org check every module.
  local proxy; proxy=$(go env GOPROXY)
  local local_cache; local_cache=$(go env GOMODCACHE)/cache/download
  [[ -d $local_cache ]] && proxy="file://$local_cache,$proxy"
  echo "downloading dapr v$version's modules (go mod download) into $modules" >&2
  (cd "$work/src" && go_clean "$work/go" GOPROXY="$proxy" GOSUMDB="$(go env GOSUMDB)" go mod download) \
    || die "go mod download failed"
  rm -rf "$work/go/pkg/mod/cache/download/sumdb"
  mkdir -p "$(dirname "$modules")"
  rm -rf "$modules.tmp"
  cp -r "$work/go/pkg/mod/cache/download" "$modules.tmp"
  touch "$modules.tmp/.complete"
  rm -rf "$modules" && mv "$modules.tmp" "$modules"
}

compute() {
  [[ -f $modules/.complete ]] || die "no cached modules in $modules: run '$0 fetch' (./shop test does)"
  local work; work=$(mktemp -d); trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' RETURN
  prepare_source "$work/src"
  # Offline: every module comes from the cache made by `fetch`. GOSUMDB=off changes nothing in
  # the result (go.sum still checks every listed module; the sumdb directory is dropped anyway).
  (cd "$work/src" && go_clean "$work/go" GOPROXY="file://$modules" GOSUMDB=off go mod download) \
    || die "go mod download from the cache failed"
  rm -rf "$work/go/pkg/mod/cache/download/sumdb"
  "$nix" --extra-experimental-features nix-command hash path --type sha256 "$work/go/pkg/mod/cache/download"
}

case ${1:-compute} in
  fetch) fetch ;;
  compute) compute ;;
  path) echo "$modules" ;;
  *) die "usage: $0 fetch|compute|path" ;;
esac
