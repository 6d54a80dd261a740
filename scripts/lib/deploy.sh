# The tools and schemas that check the Kubernetes manifests in deploy/ (tests/deploy): kustomize
# builds every overlay, kubectl-validate checks the result against the Kubernetes API schemas
# and the CRDs of every operator the manifests use. All from the registries these machines reach:
# - kustomize and kubectl-validate: built from the Go module proxy (`go install …@v`: neither
#   go.mod has replace directives). kubectl-validate embeds the Kubernetes OpenAPI schemas
#   (1.23-1.30 in v0.0.4) and reads CRDs from directories (--local-crds).
# - Dapr's CRDs: charts/dapr/crds/ of the dapr/dapr module at the runtime's version (the same
#   module scripts/lib/dapr.sh builds daprd from).
# - CloudNativePG's and the RabbitMQ cluster operator's CRDs: config/crd/bases/ of their Go
#   modules (github.com/cloudnative-pg/cloudnative-pg, github.com/rabbitmq/cluster-operator/v2),
#   downloaded, not built. The module proxy here lists no versions of either, but serves these.
# - Strimzi's CRDs: Strimzi generates them from its `api` module; the test jar that module
#   publishes on Maven Central (io.strimzi:api:<v>:jar:tests) carries the generated CRDs under
#   crds/v1/ (the v1 API, which 0.49 introduced; 0.48 and older test jars have none).
# Everything is cached under $SHOP_CACHE keyed by version; a second run does nothing.

KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION:-5.8.1}
KUBECTL_VALIDATE_VERSION=${KUBECTL_VALIDATE_VERSION:-0.0.4}
# The Kubernetes version whose built-in schemas the manifests are checked against: the newest
# kubectl-validate v0.0.4 embeds.
DEPLOY_KUBERNETES_VERSION=${DEPLOY_KUBERNETES_VERSION:-1.30}
STRIMZI_VERSION=${STRIMZI_VERSION:-0.49.1}
CNPG_VERSION=${CNPG_VERSION:-1.28.1}
RABBITMQ_OPERATOR_VERSION=${RABBITMQ_OPERATOR_VERSION:-2.18.0}

DEPLOY_TOOLS_HOME=$SHOP_CACHE/deploy-tools-kustomize-$KUSTOMIZE_VERSION-kubectl-validate-$KUBECTL_VALIDATE_VERSION
DEPLOY_CRDS_HOME=$SHOP_CACHE/deploy-crds-dapr-$DAPR_RUNTIME_VERSION-strimzi-$STRIMZI_VERSION-cnpg-$CNPG_VERSION-rabbitmq-$RABBITMQ_OPERATOR_VERSION

build_deploy_tools() {
  [[ -x $DEPLOY_TOOLS_HOME/kustomize && -x $DEPLOY_TOOLS_HOME/kubectl-validate ]] && return 0
  command -v go >/dev/null || die "go is required to build kustomize and kubectl-validate"
  log "building kustomize $KUSTOMIZE_VERSION and kubectl-validate $KUBECTL_VALIDATE_VERSION from the Go module proxy"
  rm -rf "$DEPLOY_TOOLS_HOME.tmp" && mkdir -p "$DEPLOY_TOOLS_HOME.tmp"
  GOBIN=$DEPLOY_TOOLS_HOME.tmp CGO_ENABLED=0 go install -ldflags "-s -w" \
    "sigs.k8s.io/kustomize/kustomize/v5@v$KUSTOMIZE_VERSION" >&2 || die "building kustomize failed"
  GOBIN=$DEPLOY_TOOLS_HOME.tmp CGO_ENABLED=0 go install -ldflags "-s -w" \
    "sigs.k8s.io/kubectl-validate@v$KUBECTL_VALIDATE_VERSION" >&2 || die "building kubectl-validate failed"
  rm -rf "$DEPLOY_TOOLS_HOME" && mv "$DEPLOY_TOOLS_HOME.tmp" "$DEPLOY_TOOLS_HOME"
}

# copy_module_crds MODULE@VERSION SUBDIR TARGET: the CRD files of a Go module, downloaded only.
copy_module_crds() {
  local dir; dir=$(go_module_dir "$1")
  [[ -n $dir && -d $dir/$2 ]] || die "no $2 in $1 (from the Go module proxy)"
  mkdir -p "$3" && cp "$dir/$2"/*.yaml "$3/" && chmod -R u+w "$3"
}

fetch_deploy_crds() {
  [[ -f $DEPLOY_CRDS_HOME/complete ]] && return 0
  command -v go >/dev/null || die "go is required to download the CRDs"
  command -v mvn >/dev/null || die "mvn is required to resolve Strimzi's CRDs"
  log "collecting the CRDs of Dapr $DAPR_RUNTIME_VERSION, Strimzi $STRIMZI_VERSION, CloudNativePG $CNPG_VERSION and the RabbitMQ cluster operator $RABBITMQ_OPERATOR_VERSION"
  local tmp=$DEPLOY_CRDS_HOME.tmp
  rm -rf "$tmp" && mkdir -p "$tmp"
  copy_module_crds "github.com/dapr/dapr@v$DAPR_RUNTIME_VERSION" charts/dapr/crds "$tmp/dapr"
  copy_module_crds "github.com/cloudnative-pg/cloudnative-pg@v$CNPG_VERSION" config/crd/bases "$tmp/cloudnative-pg"
  copy_module_crds "github.com/rabbitmq/cluster-operator/v2@v$RABBITMQ_OPERATOR_VERSION" config/crd/bases "$tmp/rabbitmq"
  mvn -q -B dependency:copy -Dartifact="io.strimzi:api:$STRIMZI_VERSION:jar:tests" \
    -DoutputDirectory="$tmp/jar" >&2 || die "resolving io.strimzi:api:$STRIMZI_VERSION:tests from Maven Central failed"
  python3 - "$tmp/jar/api-$STRIMZI_VERSION-tests.jar" "$tmp/strimzi" <<'PY' || die "unpacking Strimzi's CRDs failed"
import os, sys, zipfile
jar, target = sys.argv[1:3]
os.makedirs(target)
names = [n for n in zipfile.ZipFile(jar).namelist() if n.startswith("crds/v1/") and n.endswith(".yaml")]
if not names:
    sys.exit(f"{jar} has no crds/v1/*.yaml")
with zipfile.ZipFile(jar) as z:
    for name in names:
        with open(os.path.join(target, os.path.basename(name)), "wb") as out:
            out.write(z.read(name))
PY
  rm -rf "$tmp/jar"
  # The Dapr Helm chart, for the check that deploy/dapr/*.yaml only sets values it has.
  local dapr_dir; dapr_dir=$(go_module_dir "github.com/dapr/dapr@v$DAPR_RUNTIME_VERSION")
  cp -r "$dapr_dir/charts/dapr" "$tmp/dapr-chart" && chmod -R u+w "$tmp/dapr-chart"
  touch "$tmp/complete"
  rm -rf "$DEPLOY_CRDS_HOME" && mv "$tmp" "$DEPLOY_CRDS_HOME"
}

# Installs what the deploy checks need and tells them where it is.
ensure_deploy_tools() {
  build_deploy_tools
  fetch_deploy_crds
  export KUSTOMIZE_BIN=$DEPLOY_TOOLS_HOME/kustomize
  export KUBECTL_VALIDATE_BIN=$DEPLOY_TOOLS_HOME/kubectl-validate
  export DEPLOY_KUBERNETES_VERSION
  export DEPLOY_CRDS_DIR=$DEPLOY_CRDS_HOME
}
