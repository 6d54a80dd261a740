# The seven services, built with crane: the workspace's dependencies once (buildDepsOnly), then
# each service binary on top of them (`-p <service>`). The shared artifacts also feed the checks
# (nix/checks.nix).
{
  lib,
  craneLib,
  pkg-config,
  root,
  services,
}:
let
  # What the crates read at build time, besides Rust and Cargo files: the sqlx offline data
  # (query! checks against it with SQLX_OFFLINE), the migrations (sqlx::migrate! embeds them, and
  # their checksums: a byte changed here is a "previously applied but has been modified" at
  # start-up against a database the bootstrap's build migrated), the notification templates
  # (embedded by build.rs) and dapr/dapr.yaml (shop-client's build.rs reads the ports).
  src = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.unions (
      [
        (craneLib.fileset.commonCargoSources root)
        (root + "/migrations")
        (root + "/services/notifications/templates")
        (root + "/dapr")
        (root + "/components")
        (root + "/clippy.toml")
      ]
      ++ map (s: lib.fileset.maybeMissing (root + "/services/${s}/.sqlx")) services
    );
  };

  commonArgs = {
    inherit src;
    pname = "shop-platform";
    version = "0.1.0";
    strictDeps = true;
    nativeBuildInputs = [ pkg-config ];
    # query! and query_as! check against the committed .sqlx data, never a live database.
    SQLX_OFFLINE = "true";
  };

  cargoArtifacts = craneLib.buildDepsOnly commonArgs;

  service =
    name:
    craneLib.buildPackage (
      commonArgs
      // {
        inherit cargoArtifacts;
        pname = name;
        cargoExtraArgs = "--locked -p ${name} --bin ${name}";
        # The route tests need Postgres and the end-to-end tests the running system: ./shop test
        # runs them. The unit tests run in the nextest check.
        doCheck = false;
        meta.mainProgram = name;
      }
    );
in
{
  inherit src commonArgs cargoArtifacts;
  packages = lib.genAttrs services service;
}
