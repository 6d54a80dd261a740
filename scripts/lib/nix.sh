# Nix for the flake's tests (tests/nix): Debian's nix-bin (2.8), which parses and evaluates Nix,
# reads a locked flake and hashes paths offline. These machines have no Nix binary cache and no
# GitHub, so nothing here builds the flake; `nix flake check` and `nix build` are for a machine
# with Nix and the network (README, "Nix").

# Installs nix-bin if missing, prepares the cached Go modules the daprd vendorHash test recomputes
# from, and exports what the tests read: NIX_BIN_DIR, NIX_CONFIG, SHOP_CACHE.
ensure_nix() {
  if ! command -v nix >/dev/null || ! command -v nix-instantiate >/dev/null; then
    log "installing Nix from Debian (nix-bin)"
    local sudo=; [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends nix-bin >/dev/null \
      || die "installing nix-bin failed"
  fi
  NIX_BIN_DIR=$(dirname "$(command -v nix)")
  # No daemon and no build users (nothing is built), and the flake commands, which Nix 2.8 keeps
  # behind experimental-features.
  NIX_CONFIG=$'build-users-group =\nexperimental-features = nix-command flakes'
  # Root keeps the store in /nix, as Nix does. Anyone else gets a store of their own in the
  # cache (a chroot store: Nix copies sources into it and never needs to build there).
  if [[ $(id -u) != 0 && ! -w /nix ]]; then
    NIX_CONFIG+=$'\n'"store = $SHOP_CACHE/nix/root"
  fi
  export NIX_BIN_DIR NIX_CONFIG SHOP_CACHE
  bash "$REPO_ROOT/nix/dapr/vendor-hash.sh" fetch || die "downloading dapr's Go modules for the vendorHash test failed"
}
