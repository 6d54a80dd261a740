//! The flake against its pins and the bootstrap, with nothing but Nix and the checkout: these
//! run in `./shop test` and inside `nix flake check` (nix/checks.nix, `consistency`).

use nix_checks::{
    bootstrap_versions, committed_dapr_vendor_hash, flake_versions, nix, nix_files, pins, read,
    run, sri_hashes,
};

#[test]
fn every_nix_file_parses() {
    let files = nix_files();
    for expected in [
        "flake.nix",
        "nix/versions.nix",
        "nix/dapr.nix",
        "nix/services.nix",
    ] {
        assert!(
            files.iter().any(|f| f.ends_with(expected)),
            "{expected} is missing"
        );
    }
    for file in &files {
        // --parse also refuses a variable that is bound nowhere.
        run(nix("nix-instantiate").arg("--parse").arg(file));
    }
}

#[test]
fn the_lock_holds_exactly_the_pins_of_pins_md() {
    let lock: serde_json::Value = serde_json::from_str(&read("flake.lock")).expect("JSON");
    assert_eq!(
        lock["version"], 7,
        "lock file version 7 (Nix 2.8 reads no other)"
    );
    let pins = pins();
    let nodes = lock["nodes"].as_object().expect("nodes");
    for (name, node) in nodes.iter().filter(|(name, _)| name.as_str() != "root") {
        let locked = &node["locked"];
        let original = &node["original"];
        assert_eq!(locked["type"], "github", "{name}: a GitHub input");
        let rev = locked["rev"].as_str().expect("a rev");
        let pin = pins
            .iter()
            .find(|p| p.rev == rev)
            .unwrap_or_else(|| panic!("{name}: rev {rev} is not a pin of nix/PINS.md"));
        assert_eq!(locked["narHash"], pin.hash.as_str(), "{name}: narHash");
        assert_eq!(
            locked["lastModified"], pin.last_modified,
            "{name}: lastModified"
        );
        let owner = locked["owner"].as_str().expect("owner");
        let repo = locked["repo"].as_str().expect("repo");
        assert_eq!(original["owner"], owner, "{name}: original owner");
        assert_eq!(original["repo"], repo, "{name}: original repo");
        if owner == "NixOS" && repo == "nixpkgs" {
            // nixpkgs rows are labelled by branch, which `original` must name.
            let branch = original["ref"]
                .as_str()
                .expect("nixpkgs' original names its branch");
            assert!(
                pin.label.starts_with(branch),
                "{name}: {branch} vs row {}",
                pin.label
            );
            assert_eq!(branch, "nixos-26.05", "nixpkgs 26.05 is the base");
        } else {
            assert!(
                pin.label.starts_with(&format!("{owner}/{repo}")),
                "{name}: {owner}/{repo} locked at the rev of row {}",
                pin.label
            );
            // A tag row ("… tag v0.23.4") is locked with that tag as `ref`.
            if let Some((_, tag)) = pin.label.split_once(" tag ") {
                assert_eq!(original["ref"], tag, "{name}: original ref");
            }
        }
    }
    // Every input of flake.nix is locked, and nothing else is a direct input.
    let inputs = run(nix("nix-instantiate").args([
        "--eval",
        "--strict",
        "--json",
        "--expr",
        "builtins.attrNames (import ./flake.nix).inputs",
    ]));
    let inputs: Vec<String> = serde_json::from_str(&inputs).expect("a list");
    let mut roots: Vec<String> = nodes["root"]["inputs"]
        .as_object()
        .expect("root inputs")
        .keys()
        .cloned()
        .collect();
    roots.sort();
    assert_eq!(
        inputs, roots,
        "flake.nix's inputs and the lock's root inputs"
    );
}

#[test]
fn no_hash_in_the_nix_code_is_invented() {
    let pins_md = read("nix/PINS.md");
    let dapr_version = &flake_versions()["DAPR_RUNTIME_VERSION"];
    let computed = committed_dapr_vendor_hash(dapr_version);
    for file in nix_files() {
        let text = std::fs::read_to_string(&file).expect("readable");
        let name = file.display();
        assert!(
            !text.contains("fakeHash") && !text.contains("fakeSha256"),
            "{name}: a fake hash"
        );
        for hash in sri_hashes(&text) {
            // From PINS.md, or daprd's vendorHash, which tests/machine.rs recomputes.
            assert!(
                pins_md.contains(&hash) || hash == computed,
                "{name}: {hash} is neither in nix/PINS.md nor computed here"
            );
        }
    }
}

#[test]
fn the_flake_and_the_bootstrap_read_the_same_versions() {
    let flake = flake_versions();
    let bootstrap = bootstrap_versions();
    assert!(!flake.is_empty());
    assert_eq!(
        flake, bootstrap,
        "nix/versions.nix vs scripts/lib/common.sh"
    );
    for key in [
        "RUST_VERSION",
        "DAPR_RUNTIME_VERSION",
        "DAPR_CLI_VERSION",
        "KAFKA_VERSION",
        "SCALA_VERSION",
        "POSTGRES_MAJOR",
        "RABBITMQ_MAJOR",
    ] {
        assert!(flake.contains_key(key), "scripts/versions.env sets {key}");
    }
}

#[test]
fn the_flake_builds_what_the_versions_say() {
    let v = flake_versions();
    let flake = read("flake.nix");
    assert!(
        flake.contains("pkgs.rust-bin.stable.${versions.RUST_VERSION}"),
        "rust-overlay toolchain"
    );
    assert!(
        flake.contains("pkgs.\"postgresql_${versions.POSTGRES_MAJOR}\""),
        "Postgres major"
    );
    let dapr = read("nix/dapr.nix");
    assert!(dapr.contains("version = versions.DAPR_RUNTIME_VERSION;"));
    assert!(
        dapr.contains(&format!("\"{}\" = {{", v["DAPR_RUNTIME_VERSION"])),
        "dapr.nix pins it"
    );
    assert!(
        dapr.contains("\"allcomponents\""),
        "daprd with every component"
    );
    let cli = read("nix/dapr-cli.nix");
    assert!(cli.contains("version = versions.DAPR_CLI_VERSION;"));
    assert!(
        cli.contains(&format!("\"{}\" = {{", v["DAPR_CLI_VERSION"])),
        "dapr-cli.nix pins it"
    );
    // The Dapr sources are PINS.md's for the tag of that version.
    let pins = pins();
    for (file, repo, version) in [
        (&dapr, "dapr/dapr", &v["DAPR_RUNTIME_VERSION"]),
        (&cli, "dapr/cli", &v["DAPR_CLI_VERSION"]),
    ] {
        let pin = pins
            .iter()
            .find(|p| p.label.starts_with(&format!("{repo} v{version}")))
            .unwrap_or_else(|| panic!("nix/PINS.md has no {repo} v{version}"));
        assert!(
            file.contains(&format!("hash = \"{}\"", pin.hash)),
            "{repo}: fetchFromGitHub hash"
        );
    }
    let broker = format!("/kafka_{}-{}.jar ", v["SCALA_VERSION"], v["KAFKA_VERSION"]);
    assert!(
        read("nix/kafka/jars.txt").contains(&broker),
        "Kafka {broker} in nix/kafka/jars.txt"
    );
    let rabbitmq = format!("/rabbitmq-server_{}.", v["RABBITMQ_MAJOR"]);
    assert!(
        read("nix/rabbitmq/debs.txt").contains(&rabbitmq),
        "RabbitMQ {rabbitmq} in debs.txt"
    );
}
