# Python test tools (schemathesis, openapi-spec-validator) in a virtualenv outside the repo,
# keyed by the hash of the pinned requirements, so a second run reuses it.
ensure_python_tools() {
  local lock=$REPO_ROOT/tests/python/requirements.lock
  local key; key=$(sha256sum "$lock" | cut -c1-12)
  PYTHON_TOOLS=$SHOP_CACHE/python-tools-$key
  # Built in place (a virtualenv's scripts name their interpreter by absolute path, so it
  # cannot be moved); the marker says the install finished.
  if [[ ! -f $PYTHON_TOOLS/.complete ]]; then
    command -v python3 >/dev/null || die "python3 is required for the API tests"
    log "installing the Python test tools (schemathesis, openapi-spec-validator) from PyPI"
    rm -rf "$PYTHON_TOOLS"
    python3 -m venv "$PYTHON_TOOLS" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$PYTHON_TOOLS/bin/pip" install -q --disable-pip-version-check -r "$lock" >&2 || die "installing the Python test tools failed"
    touch "$PYTHON_TOOLS/.complete"
  fi
  export PYTHON_TOOLS
}
