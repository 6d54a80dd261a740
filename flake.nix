{
  description = "Shop platform: Rust microservices on Dapr 1.16.5, with Kafka, RabbitMQ and Postgres";

  # Every input is locked in flake.lock to a pin from nix/PINS.md (tests/nix compares them).
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";
    crane.url = "github:ipetkov/crane/v0.23.4";
    rust-overlay = {
      url = "github:oxalica/rust-overlay";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    advisory-db = {
      url = "github:rustsec/advisory-db";
      flake = false;
    };
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs =
    {
      self,
      nixpkgs,
      crane,
      rust-overlay,
      advisory-db,
      flake-utils,
    }:
    # Dapr's runtime and the images are Linux things; RabbitMQ comes as Debian amd64 packages.
    flake-utils.lib.eachSystem [ "x86_64-linux" ] (
      system:
      let
        pkgs = import nixpkgs {
          inherit system;
          overlays = [ rust-overlay.overlays.default ];
        };
        inherit (pkgs) lib;
        # scripts/versions.env, which ./shop reads too.
        versions = import ./nix/versions.nix;
        services = [
          "gateway"
          "users"
          "inventory"
          "orders"
          "payments"
          "notifications"
          "analytics"
        ];

        rustToolchain = pkgs.rust-bin.stable.${versions.RUST_VERSION}.default.override {
          extensions = [
            "rust-src"
            "clippy"
            "rustfmt"
          ];
        };
        craneLib = (crane.mkLib pkgs).overrideToolchain (_: rustToolchain);

        # The files below return sets of derivations, so they are imported rather than
        # callPackage'd (which would add `override` to the set, and `nix flake check` would
        # take that for a package).
        rust = import ./nix/services.nix {
          inherit lib craneLib services;
          inherit (pkgs) pkg-config;
          root = ./.;
        };
        dapr = pkgs.callPackage ./nix/dapr.nix { inherit versions; };
        dapr-cli = pkgs.callPackage ./nix/dapr-cli.nix { inherit versions; };
        kafka = pkgs.callPackage ./nix/kafka.nix { inherit versions; };
        rabbitmq = pkgs.callPackage ./nix/rabbitmq.nix { inherit versions; };
        postgresql = pkgs."postgresql_${versions.POSTGRES_MAJOR}";
        images = import ./nix/images.nix {
          inherit lib dapr;
          inherit (pkgs) dockerTools cacert;
          servicePackages = rust.packages;
        };
      in
      {
        packages =
          rust.packages
          // images
          // {
            inherit
              dapr
              dapr-cli
              kafka
              rabbitmq
              ;
            default = pkgs.symlinkJoin {
              name = "shop-services";
              paths = lib.attrValues rust.packages;
            };
          };

        checks = import ./nix/checks.nix {
          inherit lib craneLib advisory-db rust;
          inherit (pkgs) nix;
          root = ./.;
        };

        devShells.default = pkgs.callPackage ./nix/devshell.nix {
          inherit
            rustToolchain
            dapr
            dapr-cli
            kafka
            rabbitmq
            postgresql
            ;
        };

        formatter = pkgs.nixfmt;
      }
    );
}
