# The Dapr CLI, as nixpkgs packages it (pkgs/by-name/da/dapr-cli): nixpkgs' dapr-cli 1.16.4 has
# the same source commit as the 1.16.5 tag and publishes the hashes below (nix/PINS.md). Unlike
# the bootstrap, it keeps the CLI's own components-contrib v1.16.3: the bootstrap moves it to
# v1.16.5 only because the Go module proxy reachable here refuses v1.16.3 (scripts/lib/dapr.sh).
{
  lib,
  buildGoModule,
  fetchFromGitHub,
  versions,
}:
let
  version = versions.DAPR_CLI_VERSION;
  pinned = {
    "1.16.5" = {
      hash = "sha256-WNihy2LkL7S5vD+lO5v+jtKNanCWc138y48QdlxKNFU=";
      vendorHash = "sha256-UzZJ9mgMvewahYjhTOBC/HgIaxk312a7iqbS4D5O2VU=";
    };
  };
  pin = pinned.${version} or (throw "nix/dapr-cli.nix has no hashes for the dapr CLI ${version}");
in
buildGoModule {
  pname = "dapr-cli";
  inherit version;

  src = fetchFromGitHub {
    owner = "dapr";
    repo = "cli";
    rev = "v${version}";
    inherit (pin) hash;
  };

  inherit (pin) vendorHash;
  proxyVendor = true;
  subPackages = [ "." ];
  ldflags = [
    "-X main.version=${version}"
    "-X main.apiVersion=1.0"
  ];
  # The CLI's tests write under $HOME and some start containers.
  doCheck = false;

  postInstall = ''
    mv $out/bin/cli $out/bin/dapr
  '';

  meta = {
    description = "Dapr CLI (dapr run -f, dapr stop -f)";
    homepage = "https://dapr.io";
    license = lib.licenses.asl20;
    mainProgram = "dapr";
  };
}
