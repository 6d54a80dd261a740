# daprd, placement and scheduler, built from dapr/dapr the way scripts/lib/dapr.sh builds them:
# the `allcomponents` tag (without it daprd has no Kafka, RabbitMQ or Postgres component), no
# cgo, the version stamped in, and the same two go.mod pins (nix/dapr/pin-modules.sh).
{
  lib,
  buildGoModule,
  fetchFromGitHub,
  versions,
}:
let
  version = versions.DAPR_RUNTIME_VERSION;
  # Per version: the source (nix/PINS.md, fetchFromGitHub of the tag) and the hash of the module
  # download buildGoModule makes with proxyVendor (nix/dapr/vendor-hash.sh computes it without
  # Nix; tests/nix recomputes it from the cached modules on every ./shop test).
  pinned = {
    "1.16.5" = {
      hash = "sha256-4Ee3Au8+xcJ/dB/ETVNm5MjHv3pXTZl1mguPFlabQRQ=";
      vendorHash = "sha256-J1CiQWiqfEWqyq9Xu4OwP8quH8HQvn8x1jf8ro2nQ08=";
    };
  };
  pin =
    pinned.${version}
      or (throw "nix/dapr.nix has no hashes for dapr ${version}: add the tag's fetchFromGitHub hash and run nix/dapr/vendor-hash.sh");
in
buildGoModule {
  pname = "dapr";
  inherit version;

  src = fetchFromGitHub {
    owner = "dapr";
    repo = "dapr";
    rev = "v${version}";
    inherit (pin) hash;
  };

  # buildGoModule runs postPatch in the module download (goModules) too, so the pins decide
  # what is downloaded as well as what is built.
  postPatch = ''
    bash ${./dapr/pin-modules.sh}
  '';

  inherit (pin) vendorHash;
  # The module cache, not `go mod vendor`: dapr's dependencies include C sources and
  # case-insensitive path clashes that a vendor directory does not reproduce.
  proxyVendor = true;

  subPackages = [
    "cmd/daprd"
    "cmd/placement"
    "cmd/scheduler"
  ];
  tags = [ "allcomponents" ];
  env.CGO_ENABLED = 0;
  ldflags = [
    "-s"
    "-w"
    "-X github.com/dapr/dapr/pkg/buildinfo.version=${version}"
  ];
  # Dapr's own unit tests want Docker, etcd and the network.
  doCheck = false;

  meta = {
    description = "Dapr runtime (daprd) and control plane (placement, scheduler), all components";
    homepage = "https://dapr.io";
    license = lib.licenses.asl20;
    mainProgram = "daprd";
    platforms = lib.platforms.linux;
  };
}
