# `nix flake check`: the same gates as a commit's (STYLE.md: fmt, clippy -D warnings, tests), the
# advisory database, and the offline consistency checks of tests/nix.
{
  lib,
  craneLib,
  advisory-db,
  nix,
  root,
  rust,
}:
let
  inherit (rust) src commonArgs cargoArtifacts;
  # tests/nix reads the flake, its lock, nix/, PINS.md and the bootstrap's version settings.
  consistencySrc = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.unions [
      (craneLib.fileset.commonCargoSources root)
      (root + "/flake.nix")
      (root + "/flake.lock")
      (root + "/nix")
      (root + "/scripts/versions.env")
      (root + "/scripts/lib/common.sh")
    ];
  };
in
{
  fmt = craneLib.cargoFmt { inherit src; };

  clippy = craneLib.cargoClippy (
    commonArgs
    // {
      inherit cargoArtifacts;
      cargoClippyExtraArgs = "--workspace --all-targets -- -D warnings";
    }
  );

  # Unit tests only: the route tests need Postgres, the end-to-end tests the whole running
  # system, and tests/nix and tests/deploy the bootstrap's tools and caches, which `./shop test`
  # provides (tests/nix's offline half runs below, as `consistency`).
  nextest = craneLib.cargoNextest (
    commonArgs
    // {
      inherit cargoArtifacts;
      cargoNextestExtraArgs = "--workspace --lib --bins --exclude e2e --exclude bench --exclude nix-checks --exclude deploy-checks";
    }
  );

  audit = craneLib.cargoAudit { inherit src advisory-db; };

  # The checks that need neither the network nor the bootstrap's caches: every .nix file parses,
  # flake.lock holds exactly nix/PINS.md's pins, and the flake and ./shop agree on versions.
  consistency = craneLib.cargoTest (
    commonArgs
    // {
      inherit cargoArtifacts;
      src = consistencySrc;
      nativeCheckInputs = [ nix ];
      cargoTestExtraArgs = "--locked -p nix-checks --test offline";
      # nix-instantiate wants a store and state directory; the sandbox has neither.
      preCheck = ''
        export NIX_REMOTE=local?root=$TMPDIR/nix-root
        export NIX_STATE_DIR=$TMPDIR/nix-state NIX_LOG_DIR=$TMPDIR/nix-log
      '';
    }
  );
}
