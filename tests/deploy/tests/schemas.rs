//! Every overlay builds with kustomize and its output passes kubectl-validate against the
//! Kubernetes API schemas and the CRDs of Dapr, Strimzi, the RabbitMQ cluster operator and
//! CloudNativePG; and the validator really refuses what is wrong, for each of those schemas.

use deploy_checks::{OVERLAYS, Tools, Value, at, describe, documents, to_yaml};

#[test]
fn every_overlay_builds_and_passes_the_schemas() {
    let tools = Tools::from_env();
    for overlay in OVERLAYS {
        let yaml = tools.build(overlay);
        let docs = documents(&yaml);
        assert!(docs.len() > 40, "{overlay}: only {} documents", docs.len());
        if let Err(complaint) = tools.validate(&yaml) {
            panic!("deploy/overlays/{overlay} does not pass the schemas:\n{complaint}");
        }
    }
}

#[test]
fn the_generated_secrets_pass_the_schemas() {
    let tools = Tools::from_env();
    let secrets = deploy_checks::generated_secrets();
    assert!(!secrets.is_empty());
    if let Err(complaint) = tools.validate(&to_yaml(&secrets)) {
        panic!("deploy/secrets.sh prints invalid Secrets:\n{complaint}");
    }
}

/// One deliberate mistake: in the first document of `kind`, set `path` to `value`.
struct Breakage {
    kind: &'static str,
    path: &'static str,
    value: &'static str,
    /// What the validator's complaint must mention.
    expect: &'static str,
}

const BREAKAGES: &[Breakage] = &[
    // Kubernetes' own schemas: a misspelt field and a wrong type.
    Breakage {
        kind: "Deployment",
        path: "spec.template.spec.containers.0.readinessProbe.httpGet.paht",
        value: "/readyz",
        expect: "paht",
    },
    Breakage {
        kind: "Deployment",
        path: "spec.replicas",
        value: "two",
        expect: "spec.replicas",
    },
    Breakage {
        kind: "HorizontalPodAutoscaler",
        path: "spec.maxReplicas",
        value: "many",
        expect: "spec.maxReplicas",
    },
    // Dapr's CRDs (charts/dapr/crds of the dapr module).
    Breakage {
        kind: "Component",
        path: "spec.metadata.0.valu",
        value: "x",
        expect: "valu",
    },
    Breakage {
        kind: "Configuration",
        path: "spec.tracing.samplingRat",
        value: "1",
        expect: "samplingRat",
    },
    // Strimzi's.
    Breakage {
        kind: "KafkaTopic",
        path: "spec.partitions",
        value: "twelve",
        expect: "spec.partitions",
    },
    Breakage {
        kind: "Kafka",
        path: "spec.kafka.listeners.0.tls",
        value: "maybe",
        expect: "tls",
    },
    Breakage {
        kind: "KafkaNodePool",
        path: "spec.rolez",
        value: "broker",
        expect: "rolez",
    },
    // CloudNativePG's.
    Breakage {
        kind: "Cluster",
        path: "spec.instancez",
        value: "3",
        expect: "instancez",
    },
    Breakage {
        kind: "Database",
        path: "spec.owner",
        value: "",
        expect: "",
    },
    // The RabbitMQ cluster operator's.
    Breakage {
        kind: "RabbitmqCluster",
        path: "spec.replicaz",
        value: "3",
        expect: "replicaz",
    },
];

fn set(document: &mut Value, path: &str, value: Value) {
    let steps: Vec<&str> = path.split('.').collect();
    let (last, parents) = steps.split_last().expect("a path");
    let mut node = document;
    for step in parents {
        node = match step.parse::<usize>() {
            Ok(index) if node.is_sequence() => node.get_mut(index),
            _ => node.get_mut(*step),
        }
        .unwrap_or_else(|| panic!("no {step} on the way to {path}"));
    }
    match last.parse::<usize>() {
        Ok(index) if node.is_sequence() => node[index] = value,
        _ => {
            node.as_mapping_mut()
                .expect("a mapping")
                .insert(Value::String((*last).to_owned()), value);
        }
    }
}

#[test]
fn a_broken_field_fails_the_validation() {
    let tools = Tools::from_env();
    let pristine = documents(&tools.build("production"));
    for breakage in BREAKAGES {
        let mut docs = pristine.clone();
        let target = docs
            .iter_mut()
            .find(|d| at(d, "kind").and_then(Value::as_str) == Some(breakage.kind))
            .unwrap_or_else(|| panic!("no {} in the production overlay", breakage.kind));
        let name = describe(target);
        set(
            target,
            breakage.path,
            Value::String(breakage.value.to_owned()),
        );
        if breakage.kind == "Database" {
            // An empty owner is allowed by type; a missing required field is not.
            target["spec"]
                .as_mapping_mut()
                .expect("spec")
                .remove("cluster");
        }
        match tools.validate(&to_yaml(&docs)) {
            Ok(()) => panic!(
                "{name} with {} = {:?} passed the validation",
                breakage.path, breakage.value
            ),
            Err(complaint) => assert!(
                complaint.contains(breakage.expect),
                "{name}: the complaint does not mention {:?}:\n{complaint}",
                breakage.expect
            ),
        }
    }
}

#[test]
fn a_kind_without_a_schema_fails_the_validation() {
    let tools = Tools::from_env();
    let yaml =
        "apiVersion: kafka.strimzi.io/v1\nkind: KafkaTopix\nmetadata:\n  name: t\nspec: {}\n";
    assert!(tools.validate(yaml).is_err(), "an unknown kind passed");
}
