//! The manifests say what dapr/, components/ and the services say: app ids and ports, component
//! names and settings, Kafka topics, databases and secret names. Each test names the source of
//! truth it reads, so a rename in one place fails here until deploy/ follows.

use std::collections::{BTreeMap, BTreeSet};

use contracts::{pubsub, topics};
use deploy_checks::{
    OVERLAYS, Tools, Value, at, describe, documents, generated_secrets, key_at, literals_after,
    named, of_kind, read, read_yaml, repo_root, run_file_apps, source_components, str_at,
    str_key_at,
};

fn built(overlay: &str) -> Vec<Value> {
    documents(&Tools::from_env().build(overlay))
}

fn names<'a>(docs: impl IntoIterator<Item = &'a Value>) -> BTreeSet<String> {
    docs.into_iter()
        .map(|d| str_at(d, "metadata.name").to_owned())
        .collect()
}

fn set_of(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The value of a Dapr component's metadata entry `name` (plain value, not a secret).
fn component_value<'a>(component: &'a Value, name: &str) -> Option<&'a str> {
    at(component, "spec.metadata")?
        .as_sequence()?
        .iter()
        .find(|m| at(m, "name").and_then(Value::as_str) == Some(name))
        .and_then(|m| at(m, "value"))
        .and_then(Value::as_str)
}

/// The Deployments that get a Dapr sidecar, by app id.
fn dapr_apps(docs: &[Value]) -> BTreeMap<String, &Value> {
    of_kind(docs, "Deployment")
        .into_iter()
        .filter(|d| {
            key_at(d, "spec.template.metadata.annotations", "dapr.io/enabled")
                .and_then(Value::as_str)
                == Some("true")
        })
        .map(|d| {
            (
                str_key_at(d, "spec.template.metadata.annotations", "dapr.io/app-id").to_owned(),
                d,
            )
        })
        .collect()
}

/// The Deployment's container of the service itself (the one named after it; the local overlay
/// adds stand-ins beside it).
fn app_container(deployment: &Value) -> &Value {
    let name = str_at(deployment, "metadata.name");
    at(deployment, "spec.template.spec.containers")
        .and_then(Value::as_sequence)
        .and_then(|containers| containers.iter().find(|c| str_at(c, "name") == name))
        .unwrap_or_else(|| panic!("{} has no container named {name}", describe(deployment)))
}

/// The environment of a Deployment's app container, name to value (or to "secret:<name>/<key>").
fn env_of(deployment: &Value) -> BTreeMap<String, String> {
    at(app_container(deployment), "env")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|e| {
            let value = match at(e, "value").and_then(Value::as_str) {
                Some(v) => v.to_owned(),
                None => format!(
                    "secret:{}/{}",
                    str_at(e, "valueFrom.secretKeyRef.name"),
                    str_at(e, "valueFrom.secretKeyRef.key")
                ),
            };
            (str_at(e, "name").to_owned(), value)
        })
        .collect()
}

#[test]
fn deployments_carry_the_app_ids_and_ports_of_the_run_file() {
    let apps = run_file_apps();
    let ids: BTreeSet<String> = apps.iter().map(|a| a.app_id.clone()).collect();
    let run_file = &read_yaml("dapr/dapr.yaml")[0];
    let health_path = str_at(run_file, "common.appHealthCheckPath");
    for overlay in OVERLAYS {
        let docs = built(overlay);
        let deployed = dapr_apps(&docs);
        assert_eq!(
            deployed.keys().cloned().collect::<BTreeSet<_>>(),
            ids,
            "{overlay}: the Dapr apps are not dapr/dapr.yaml's"
        );
        let config_name = names(of_kind(&docs, "Configuration"));
        for app in &apps {
            let d = deployed[&app.app_id];
            let port = app.app_port.to_string();
            let annotation = |key: &str| {
                str_key_at(
                    d,
                    "spec.template.metadata.annotations",
                    &format!("dapr.io/{key}"),
                )
                .to_owned()
            };
            assert_eq!(annotation("app-port"), port, "{overlay}: {}", describe(d));
            assert_eq!(str_at(d, "metadata.name"), app.app_id);
            assert!(
                config_name.contains(&annotation("config")),
                "{overlay}: {} names a Configuration that is not deployed",
                describe(d)
            );
            assert_eq!(annotation("app-health-check-path"), health_path);
            assert_eq!(annotation("app-token-secret"), "app-api-token");
            let env = env_of(d);
            assert_eq!(
                env.get("APP_PORT"),
                Some(&port),
                "{overlay}: {}",
                describe(d)
            );
            assert_eq!(env.get("SERVICE_NAME"), Some(&app.app_id));
            assert_eq!(
                env.get("APP_API_TOKEN").map(String::as_str),
                Some("secret:app-api-token/token")
            );
            assert_eq!(
                at(app_container(d), "ports.0.containerPort").and_then(Value::as_u64),
                Some(app.app_port)
            );
            for (probe, path) in [
                ("readinessProbe", "/readyz"),
                ("livenessProbe", "/healthz"),
                ("startupProbe", "/healthz"),
            ] {
                assert_eq!(
                    str_at(app_container(d), &format!("{probe}.httpGet.path")),
                    path,
                    "{overlay}: {} {probe}",
                    describe(d)
                );
            }
            let pdb = named(&docs, "PodDisruptionBudget", &app.app_id);
            assert_eq!(
                at(pdb, "spec.selector.matchLabels"),
                at(d, "spec.selector.matchLabels"),
                "{overlay}: the PodDisruptionBudget of {} selects other pods",
                app.app_id
            );
        }
        // The Ingress reaches the gateway's app port through its Service.
        let ingress = named(&docs, "Ingress", "gateway");
        assert_eq!(
            str_at(ingress, "spec.rules.0.http.paths.0.backend.service.name"),
            "gateway"
        );
        let service = named(&docs, "Service", "gateway");
        assert_eq!(str_at(service, "spec.ports.0.targetPort"), "http");
    }
}

/// The components of deploy/base/components are byte-equal copies of components/, but for the
/// secret store, which is the Kubernetes one; dapr/config.yaml likewise.
#[test]
fn the_deployed_component_files_are_those_of_components() {
    let root = repo_root();
    for (file, _) in source_components() {
        let copy = root.join("deploy/base/components").join(&file);
        let copy = std::fs::read_to_string(&copy)
            .unwrap_or_else(|_| panic!("components/{file} has no copy in deploy/base/components"));
        if file == "secretstore.yaml" {
            continue;
        }
        assert!(
            copy == read(&format!("components/{file}")),
            "deploy/base/components/{file} differs from components/{file}: copy it again \
             (environment-specific values are kustomize patches, not edits of the copy)"
        );
    }
    assert!(
        read("deploy/base/dapr/config.yaml") == read("dapr/config.yaml"),
        "deploy/base/dapr/config.yaml differs from dapr/config.yaml: copy it again"
    );
}

/// In the built overlays every component has its components/ spec, scopes and auth, except the
/// values that must differ in a cluster, listed here.
#[test]
fn components_keep_their_settings_and_scopes() {
    let allowed: BTreeSet<(&str, &str)> = [
        ("events", "brokers"),
        ("email", "host"),
        ("email", "port"),
        ("stripe", "url"),
    ]
    .into_iter()
    .collect();
    let sources = source_components();
    let app_ids: BTreeSet<String> = run_file_apps().into_iter().map(|a| a.app_id).collect();
    for overlay in OVERLAYS {
        let docs = built(overlay);
        let deployed: BTreeMap<(String, String), &Value> = ["Component", "Resiliency"]
            .iter()
            .flat_map(|kind| of_kind(&docs, kind))
            .map(|d| {
                (
                    (
                        str_at(d, "kind").to_owned(),
                        str_at(d, "metadata.name").to_owned(),
                    ),
                    d,
                )
            })
            .collect();
        for (file, source) in &sources {
            let name = str_at(source, "metadata.name");
            let kind = str_at(source, "kind").to_owned();
            let Some(component) = deployed.get(&(kind, name.to_owned())) else {
                assert!(
                    *overlay == "production" && name == "stripe-contract",
                    "{overlay}: components/{file} ({name}) is not deployed"
                );
                continue;
            };
            assert_eq!(at(component, "kind"), at(source, "kind"));
            for scope in at(component, "scopes")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
            {
                let scope = scope.as_str().expect("a scope");
                assert!(
                    app_ids.contains(scope),
                    "{overlay}: {name} is scoped to {scope}, no app"
                );
            }
            if name == "secretstore" {
                assert_eq!(str_at(component, "spec.type"), "secretstores.kubernetes");
                assert_eq!(
                    at(component, "scopes"),
                    at(source, "scopes"),
                    "{overlay}: secretstore scopes"
                );
                continue;
            }
            assert_eq!(
                at(component, "scopes"),
                at(source, "scopes"),
                "{overlay}: {name} scopes"
            );
            assert_eq!(
                at(component, "auth"),
                at(source, "auth"),
                "{overlay}: {name} auth"
            );
            if str_at(source, "kind") != "Component" {
                continue;
            }
            assert_eq!(at(component, "spec.type"), at(source, "spec.type"));
            assert_eq!(at(component, "spec.version"), at(source, "spec.version"));
            let entries = |c: &Value| -> BTreeMap<String, Value> {
                at(c, "spec.metadata")
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                    .map(|m| (str_at(m, "name").to_owned(), m.clone()))
                    .collect()
            };
            let (mine, theirs) = (entries(component), entries(source));
            assert_eq!(
                mine.keys().collect::<Vec<_>>(),
                theirs.keys().collect::<Vec<_>>(),
                "{overlay}: {name} metadata names"
            );
            for (key, value) in &theirs {
                if !allowed.contains(&(name, key.as_str())) {
                    assert_eq!(
                        &mine[key], value,
                        "{overlay}: {name}.{key} differs from components/{file}"
                    );
                }
            }
        }
        // The local overlay keeps even the loopback addresses: the stand-ins run in the pod.
        if *overlay == "local" {
            for (component, key) in [("email", "host"), ("email", "port"), ("stripe", "url")] {
                let source = &sources
                    .iter()
                    .find(|(_, s)| str_at(s, "metadata.name") == component)
                    .expect("source")
                    .1;
                assert_eq!(
                    component_value(
                        deployed[&("Component".to_owned(), component.to_owned())],
                        key
                    ),
                    component_value(source, key)
                );
            }
        }
    }
}

#[test]
fn the_pubsub_components_and_kafka_topics_are_the_ones_the_services_use() {
    // Topics on `events` (Kafka): the domain topics of contracts, and each service's dead-letter
    // topic for its `events` subscriptions. Notification jobs and their dead letters are on `jobs`
    // (RabbitMQ), where the component declares queues itself.
    let dead_letters = literals_after("services", "DEAD_LETTER_TOPIC: &str = ");
    assert_eq!(
        dead_letters.len(),
        4,
        "dead-letter topics found: {dead_letters:?}"
    );
    // Every dead-letter topic given to a subscription is one of those constants, or the jobs'.
    for path in deploy_checks::rust_files(&repo_root().join("services")) {
        let text = std::fs::read_to_string(&path).expect("a source file");
        for (index, _) in text.match_indices(".with_dead_letter_topic(") {
            let argument = text[index..]
                .split('(')
                .nth(1)
                .and_then(|r| r.split(')').next())
                .unwrap_or("");
            assert!(
                argument == "DEAD_LETTER_TOPIC" || argument == "topics::NOTIFICATION_JOBS_DEAD",
                "{}: a dead-letter topic the deploy check does not know: {argument}",
                path.display()
            );
        }
    }
    let mut wanted = set_of(topics::ALL_DOMAIN_TOPICS);
    wanted.extend(dead_letters);
    for overlay in OVERLAYS {
        let docs = built(overlay);
        let kafka = of_kind(&docs, "Kafka");
        assert_eq!(kafka.len(), 1);
        let cluster = str_at(kafka[0], "metadata.name");
        let declared: BTreeSet<String> = of_kind(&docs, "KafkaTopic")
            .into_iter()
            .map(|t| {
                assert_eq!(
                    str_key_at(t, "metadata.labels", "strimzi.io/cluster"),
                    cluster,
                    "{}",
                    describe(t)
                );
                at(t, "spec.topicName")
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| str_at(t, "metadata.name"))
                    .to_owned()
            })
            .collect();
        assert_eq!(declared, wanted, "{overlay}: KafkaTopics");
        assert_eq!(
            key_at(kafka[0], "spec.kafka.config", "auto.create.topics.enable")
                .and_then(Value::as_bool),
            Some(false)
        );
        // The events component reaches the plain listener through Strimzi's bootstrap Service.
        let events = named(&docs, "Component", pubsub::EVENTS);
        assert_eq!(str_at(events, "spec.type"), "pubsub.kafka");
        let listener = at(kafka[0], "spec.kafka.listeners")
            .and_then(Value::as_sequence)
            .expect("listeners")
            .iter()
            .find(|l| at(l, "tls").and_then(Value::as_bool) == Some(false))
            .expect("a plain listener (the component's authType is none)");
        let bootstrap = format!(
            "{cluster}-kafka-bootstrap:{}",
            at(listener, "port").and_then(Value::as_u64).expect("port")
        );
        assert_eq!(
            component_value(events, "brokers"),
            Some(bootstrap.as_str()),
            "{overlay}"
        );
        // Replication fits the brokers, and in-sync replicas leave one broker to spare.
        let brokers: u64 = of_kind(&docs, "KafkaNodePool")
            .into_iter()
            .filter(|p| {
                at(p, "spec.roles")
                    .and_then(Value::as_sequence)
                    .is_some_and(|r| r.iter().any(|x| x.as_str() == Some("broker")))
            })
            .map(|p| {
                at(p, "spec.replicas")
                    .and_then(Value::as_u64)
                    .expect("replicas")
            })
            .sum();
        for topic in of_kind(&docs, "KafkaTopic") {
            let replicas = at(topic, "spec.replicas")
                .and_then(Value::as_u64)
                .expect("replicas");
            let min_isr = key_at(topic, "spec.config", "min.insync.replicas")
                .and_then(Value::as_u64)
                .expect("min.insync.replicas");
            assert!(
                replicas <= brokers,
                "{overlay}: {} has more replicas than brokers",
                describe(topic)
            );
            assert!(
                min_isr < replicas || replicas == 1,
                "{overlay}: {} stops at the loss of one broker",
                describe(topic)
            );
        }
        // No consumer autoscales past the partitions that would give its extra replicas work.
        let partitions = of_kind(&docs, "KafkaTopic")
            .into_iter()
            .filter(|t| topics::ALL_DOMAIN_TOPICS.contains(&str_at(t, "metadata.name")))
            .map(|t| {
                at(t, "spec.partitions")
                    .and_then(Value::as_u64)
                    .expect("partitions")
            })
            .min()
            .expect("domain topics");
        for hpa in of_kind(&docs, "HorizontalPodAutoscaler") {
            let max = at(hpa, "spec.maxReplicas")
                .and_then(Value::as_u64)
                .expect("maxReplicas");
            assert!(
                max <= partitions,
                "{overlay}: {} may grow past {partitions} partitions",
                describe(hpa)
            );
        }
        // The jobs component is RabbitMQ, reached at the cluster's Service.
        let jobs = named(&docs, "Component", pubsub::JOBS);
        assert_eq!(str_at(jobs, "spec.type"), "pubsub.rabbitmq");
        let rabbit = of_kind(&docs, "RabbitmqCluster");
        assert_eq!(rabbit.len(), 1);
        let rabbit_name = str_at(rabbit[0], "metadata.name");
        let connection = secret_value(&generated_secrets(), "rabbitmq-connection-string");
        assert!(
            connection.contains(&format!("@{rabbit_name}:5672")),
            "{connection:?} does not reach {rabbit_name}"
        );
    }
}

fn secret_value(secrets: &[Value], name: &str) -> String {
    let secret = secrets
        .iter()
        .find(|s| str_at(s, "metadata.name") == name)
        .unwrap_or_else(|| panic!("deploy/secrets.sh makes no Secret {name}"));
    str_at(secret, &format!("stringData.{name}")).to_owned()
}

#[test]
fn every_database_has_its_cluster_role_and_connections() {
    // scripts/lib/common.sh's DATABASES: the services with a database of their own.
    let common = read("scripts/lib/common.sh");
    let line = common
        .lines()
        .find(|l| l.starts_with("DATABASES=("))
        .expect("DATABASES in common.sh");
    let databases: BTreeSet<String> = line
        .trim_start_matches("DATABASES=(")
        .trim_end_matches(')')
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    for overlay in OVERLAYS {
        let docs = built(overlay);
        let cluster = named(&docs, "Cluster", "shop-db");
        let mut created: BTreeSet<String> = of_kind(&docs, "Database")
            .into_iter()
            .map(|d| {
                assert_eq!(str_at(d, "spec.cluster.name"), "shop-db");
                assert_eq!(
                    str_at(d, "spec.owner"),
                    str_at(d, "spec.name"),
                    "{} is owned by its service's role",
                    describe(d)
                );
                str_at(d, "spec.name").to_owned()
            })
            .collect();
        created.insert(str_at(cluster, "spec.bootstrap.initdb.database").to_owned());
        assert_eq!(created, databases, "{overlay}: the databases of shop-db");
        let mut roles: BTreeSet<String> = at(cluster, "spec.managed.roles")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .map(|r| {
                let role = str_at(r, "name");
                assert_eq!(
                    str_at(r, "passwordSecret.name"),
                    format!("postgres-{role}-password")
                );
                role.to_owned()
            })
            .collect();
        roles.insert(str_at(cluster, "spec.bootstrap.initdb.owner").to_owned());
        assert_eq!(roles, databases, "{overlay}: the roles of shop-db");
        // Each service with a database reaches its own on shop-db; the one without has none.
        let mut connections = 0;
        for (app, deployment) in dapr_apps(&docs) {
            let env = env_of(deployment);
            if databases.contains(&app) {
                assert_eq!(
                    env.get("PGHOST").map(String::as_str),
                    Some("shop-db-rw"),
                    "{overlay}: {app}"
                );
                let per_replica: u64 = env
                    .get("DATABASE_MAX_CONNECTIONS")
                    .expect("DATABASE_MAX_CONNECTIONS")
                    .parse()
                    .expect("a number");
                let hpa_max = of_kind(&docs, "HorizontalPodAutoscaler")
                    .into_iter()
                    .find(|h| str_at(h, "spec.scaleTargetRef.name") == app)
                    .and_then(|h| at(h, "spec.maxReplicas").and_then(Value::as_u64));
                let replicas = at(deployment, "spec.replicas")
                    .and_then(Value::as_u64)
                    .unwrap_or(1);
                connections += per_replica * hpa_max.unwrap_or(replicas).max(replicas);
            } else {
                assert!(
                    !env.contains_key("PGHOST"),
                    "{overlay}: {app} has no database"
                );
            }
        }
        let max_connections: u64 = str_at(cluster, "spec.postgresql.parameters.max_connections")
            .parse()
            .expect("a number");
        assert!(
            connections < max_connections,
            "{overlay}: up to {connections} connections, max_connections {max_connections}"
        );
        // The event store: its own cluster, reached by the orderstore connection string.
        let orderstore = named(&docs, "Cluster", "orderstore-db");
        assert_eq!(
            str_at(orderstore, "spec.bootstrap.initdb.database"),
            "orderstore"
        );
        let connection = secret_value(&generated_secrets(), "orderstore-connection-string");
        for part in [
            "host=orderstore-db-rw ",
            "user=orderstore ",
            "dbname=orderstore ",
        ] {
            assert!(
                connection.contains(part),
                "the orderstore connection string lacks {part:?}"
            );
        }
    }
}

#[test]
fn every_secret_asked_for_is_made_and_readable() {
    // What the services ask the secret store for, read from their sources.
    let mut read_by_services = literals_after("services", ".secret(");
    read_by_services.extend(literals_after("services", "_SECRET: &str = "));
    let databases = read("scripts/lib/common.sh");
    let line = databases
        .lines()
        .find(|l| l.starts_with("DATABASES=("))
        .expect("DATABASES");
    for db in line
        .trim_start_matches("DATABASES=(")
        .trim_end_matches(')')
        .split_whitespace()
    {
        read_by_services.insert(format!("postgres-{db}-password"));
    }
    assert!(
        read_by_services.contains("jwt-signing-key"),
        "found {read_by_services:?}"
    );
    // What the components ask for (secretKeyRef: name and key are the same string).
    let mut read_by_components = BTreeSet::new();
    for (file, component) in source_components() {
        for entry in at(&component, "spec.metadata")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            if let Some(reference) = at(entry, "secretKeyRef") {
                let name = str_at(reference, "name");
                assert_eq!(str_at(reference, "key"), name, "components/{file}");
                read_by_components.insert(name.to_owned());
            }
        }
    }
    let through_store: BTreeSet<String> = read_by_services
        .union(&read_by_components)
        .cloned()
        .collect();

    let secrets = generated_secrets();
    let made: BTreeMap<String, &Value> = secrets
        .iter()
        .map(|s| (str_at(s, "metadata.name").to_owned(), s))
        .collect();
    for name in &through_store {
        let secret = made
            .get(name)
            .unwrap_or_else(|| panic!("deploy/secrets.sh makes no Secret {name}"));
        assert!(
            at(secret, &format!("stringData.{name}")).is_some(),
            "Secret {name} has no key {name}"
        );
    }
    for overlay in OVERLAYS {
        let docs = built(overlay);
        // daprd may read exactly those through the store.
        let role = named(&docs, "Role", "dapr-secret-reader");
        let allowed: BTreeSet<String> = at(role, "rules.0.resourceNames")
            .and_then(Value::as_sequence)
            .expect("resourceNames")
            .iter()
            .map(|n| n.as_str().expect("a name").to_owned())
            .collect();
        assert_eq!(
            allowed, through_store,
            "{overlay}: the Role's Secrets are not those read through the store"
        );
        let binding = named(&docs, "RoleBinding", "dapr-secret-reader");
        let bound: BTreeSet<String> = at(binding, "subjects")
            .and_then(Value::as_sequence)
            .expect("subjects")
            .iter()
            .map(|s| str_at(s, "name").to_owned())
            .collect();
        for (app, deployment) in dapr_apps(&docs) {
            let account = str_at(deployment, "spec.template.spec.serviceAccountName");
            assert!(
                bound.contains(account),
                "{overlay}: {app} runs as {account}, who may not read its secrets"
            );
        }
        // Every Secret a manifest names exists with the key it reads.
        let mut referenced: Vec<(String, Option<String>)> = Vec::new();
        collect_secret_references(&Value::Sequence(docs.clone()), &mut referenced);
        for cluster in of_kind(&docs, "Cluster") {
            referenced.push((
                str_at(cluster, "spec.bootstrap.initdb.secret.name").to_owned(),
                Some("password".into()),
            ));
        }
        for rabbit in of_kind(&docs, "RabbitmqCluster") {
            referenced.push((
                str_at(rabbit, "spec.secretBackend.externalSecret.name").to_owned(),
                Some("password".into()),
            ));
        }
        for d in of_kind(&docs, "Deployment") {
            if let Some(secret) = key_at(
                d,
                "spec.template.metadata.annotations",
                "dapr.io/app-token-secret",
            )
            .and_then(Value::as_str)
            {
                referenced.push((secret.to_owned(), Some("token".into())));
            }
        }
        for (name, key) in referenced {
            let secret = made.get(&name).unwrap_or_else(|| {
                panic!(
                    "{overlay}: Secret {name} is referenced but deploy/secrets.sh does not make it"
                )
            });
            if let Some(key) = key {
                assert!(
                    at(secret, &format!("stringData.{key}")).is_some(),
                    "{overlay}: Secret {name} has no key {key}"
                );
            }
        }
    }
}

/// Every `secretKeyRef: {name, key}` and `passwordSecret: {name}` anywhere under `value`.
fn collect_secret_references(value: &Value, out: &mut Vec<(String, Option<String>)>) {
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                match key.as_str() {
                    Some("secretKeyRef")
                        if at(child, "name").is_some() && at(child, "key").is_some() =>
                    {
                        out.push((
                            str_at(child, "name").to_owned(),
                            Some(str_at(child, "key").to_owned()),
                        ))
                    }
                    Some("passwordSecret") => {
                        out.push((str_at(child, "name").to_owned(), Some("password".into())))
                    }
                    _ => collect_secret_references(child, out),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|i| collect_secret_references(i, out)),
        _ => {}
    }
}

/// Every key the Dapr Helm values set exists in the chart (charts/dapr of the dapr module):
/// a misspelt key would be ignored by Helm without a word.
#[test]
fn the_dapr_helm_values_only_set_what_the_chart_has() {
    let chart = std::path::PathBuf::from(
        std::env::var("DEPLOY_CRDS_DIR").expect("DEPLOY_CRDS_DIR (./shop test sets it)"),
    )
    .join("dapr-chart");
    let load = |path: std::path::PathBuf| {
        documents(
            &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .remove(0)
    };
    let top = load(chart.join("values.yaml"));
    for file in [
        "deploy/dapr-helm/values-production.yaml",
        "deploy/dapr-helm/values-local.yaml",
    ] {
        let values = &read_yaml(file)[0];
        for (key, child) in values.as_mapping().expect("a mapping") {
            let key = key.as_str().expect("a key");
            let defaults = if key == "global" {
                top.get("global").expect("global").clone()
            } else {
                load(chart.join("charts").join(key).join("values.yaml"))
            };
            assert_keys_exist(child, &defaults, &format!("{file}: {key}"));
        }
        assert_eq!(
            at(values, "global.tag").and_then(Value::as_str),
            Some("1.16.5"),
            "{file}: the runtime's version"
        );
    }
}

fn assert_keys_exist(mine: &Value, chart: &Value, path: &str) {
    let Some(map) = mine.as_mapping() else { return };
    for (key, child) in map {
        let key = key.as_str().expect("a key");
        let Some(default) = chart.get(key) else {
            panic!("{path}.{key} is not a value of Dapr's chart");
        };
        assert_keys_exist(child, default, &format!("{path}.{key}"));
    }
}
