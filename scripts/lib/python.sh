# Python tools in a virtualenv outside the repo, keyed by the hash of the pinned requirements
# (tests/python/requirements.lock), so a second run reuses it: the API test tools (schemathesis,
# openapi-spec-validator) and localstripe, which ./shop up runs for payments (scripts/lib/payments.sh).
ensure_python_tools() {
  local lock=$REPO_ROOT/tests/python/requirements.lock
  local key; key=$(sha256sum "$lock" | cut -c1-12)
  PYTHON_TOOLS=$SHOP_CACHE/python-tools-$key
  # Built in place (a virtualenv's scripts name their interpreter by absolute path, so it
  # cannot be moved); the marker says the install finished. Under a lock, since ./shop up and
  # ./shop test both come here and may run at the same time.
  if [[ ! -f $PYTHON_TOOLS/.complete ]]; then
    mkdir -p "$SHOP_CACHE"
    (
      flock 9
      [[ -f $PYTHON_TOOLS/.complete ]] && exit 0
      command -v python3 >/dev/null || die "python3 is required for the Python tools"
      log "installing the Python tools (schemathesis, openapi-spec-validator, localstripe) from PyPI"
      rm -rf "$PYTHON_TOOLS"
      python3 -m venv "$PYTHON_TOOLS" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
      "$PYTHON_TOOLS/bin/pip" install -q --disable-pip-version-check -r "$lock" >&2 || die "installing the Python tools failed"
      touch "$PYTHON_TOOLS/.complete"
    ) 9>"$PYTHON_TOOLS.lock" || exit 1
  fi
  export PYTHON_TOOLS
}
