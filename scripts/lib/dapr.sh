# Builds Dapr (daprd, placement, scheduler, CLI) from the Go module proxy at pinned versions.
# dapr's go.mod carries replace directives, so `go install …@v` refuses it: we download the
# module, copy it somewhere writable and build inside it.

go_module_dir() { # module@version -> directory of the extracted module in the module cache
  GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p'
}

build_dapr() {
  if [[ -x $DAPR_BIN/daprd && -x $DAPR_BIN/placement && -x $DAPR_BIN/scheduler && -x $DAPR_HOME/dapr ]]; then
    return 0
  fi
  command -v go >/dev/null || die "go is required to build Dapr"
  mkdir -p "$DAPR_BIN" "$SHOP_CACHE/src"
  local src=$SHOP_CACHE/src/dapr-$DAPR_RUNTIME_VERSION
  if [[ ! -f $src/go.mod ]]; then
    log "downloading github.com/dapr/dapr@v$DAPR_RUNTIME_VERSION from the Go module proxy"
    local dir; dir=$(go_module_dir "github.com/dapr/dapr@v$DAPR_RUNTIME_VERSION")
    [[ -n $dir ]] || die "could not download dapr v$DAPR_RUNTIME_VERSION"
    rm -rf "$src.tmp" && cp -r "$dir" "$src.tmp" && chmod -R u+w "$src.tmp"
    # Two replacements, each the smallest change that makes the pinned release build here
    # (go-etcd-cron v0.9.1, choleraehyq/pid v0.0.24; the reasons are in the script, which the
    # Nix build of Dapr applies too: nix/dapr.nix).
    (cd "$src.tmp" \
      && bash "$REPO_ROOT/nix/dapr/pin-modules.sh" \
      && GOFLAGS=-mod=mod go mod download github.com/diagridio/go-etcd-cron github.com/choleraehyq/pid) \
      || die "patching dapr's go.mod failed"
    mv "$src.tmp" "$src"
  fi
  local ldflags="-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_RUNTIME_VERSION"
  local cmd
  for cmd in placement scheduler daprd; do
    [[ -x $DAPR_BIN/$cmd ]] && continue
    log "building $cmd $DAPR_RUNTIME_VERSION (daprd takes a while on 2 cores)"
    (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -tags allcomponents -ldflags "$ldflags" -o "$DAPR_BIN/$cmd.tmp" "./cmd/$cmd") \
      || die "building $cmd failed"
    mv "$DAPR_BIN/$cmd.tmp" "$DAPR_BIN/$cmd"
  done
  if [[ ! -x $DAPR_HOME/dapr ]]; then
    local cli_src=$SHOP_CACHE/src/dapr-cli-$DAPR_CLI_VERSION
    if [[ ! -f $cli_src/go.mod ]]; then
      log "downloading github.com/dapr/cli@v$DAPR_CLI_VERSION"
      local dir; dir=$(go_module_dir "github.com/dapr/cli@v$DAPR_CLI_VERSION")
      [[ -n $dir ]] || die "could not download dapr cli v$DAPR_CLI_VERSION"
      rm -rf "$cli_src.tmp" && cp -r "$dir" "$cli_src.tmp" && chmod -R u+w "$cli_src.tmp" && mv "$cli_src.tmp" "$cli_src"
    fi
    # The CLI pins components-contrib v1.16.3, which the module proxy here refuses (403); the
    # runtime's own v1.16.5 is served and API-compatible, so the CLI is built against that.
    (cd "$cli_src" && go mod edit -replace "github.com/dapr/components-contrib=github.com/dapr/components-contrib@v$DAPR_RUNTIME_VERSION") || die "patching the CLI go.mod failed"
    log "building the dapr CLI $DAPR_CLI_VERSION"
    (cd "$cli_src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -ldflags "-s -w -X main.version=$DAPR_CLI_VERSION -X main.apiVersion=1.0" -o "$DAPR_HOME/dapr.tmp" .) \
      || die "building the dapr CLI failed"
    mv "$DAPR_HOME/dapr.tmp" "$DAPR_HOME/dapr"
  fi
}
