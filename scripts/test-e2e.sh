#!/usr/bin/env bash
# The end-to-end suite: the real `flex-mcp` and `flex-sim` binaries driven by MCP clients nobody here
# wrote (issue 3 §6), never against withflex.com:
#   1. Rust: rmcp's client over a child process (crate flex-e2e, tests/tests/);
#   2. the official MCP Python SDK over stdio (tests/python/test_stdio_sdk.py);
#   3. the MCP Inspector CLI over stdio (tests/python/test_inspector_cli.py);
#   4. the MCP conformance suite over Streamable HTTP, through a test-side auth proxy
#      (tests/python/test_conformance.py, tests/node/auth-proxy.mjs).
# Assumes `cargo build --workspace --all-targets` has run (scripts/test.sh does it first); installs the
# test clients if they are missing (cheap when they are there). Runs every part, then exits non-zero
# if any part failed. FLEX_E2E_TARGET_DIR=target/release runs the Python/Node parts on a release build.
set -uo pipefail
cd "$(dirname "$0")/.."

target=${FLEX_E2E_TARGET_DIR:-target/debug}
for bin in flex-mcp flex-sim; do
  if [[ ! -x "$target/$bin" ]]; then
    echo "test-e2e: $target/$bin is missing: run 'cargo build --workspace --all-targets' first" >&2
    exit 1
  fi
done
scripts/install-test-tools.sh || exit 1

failed=()
part() {
  local name=$1; shift
  printf '\n--- e2e: %s\n' "$name"
  "$@" || failed+=("$name")
}

# Same cargo invocation style as the build (--workspace), so features unify the same way and nothing
# is rebuilt; the filter keeps only the e2e crate.
part "rust (rmcp client)" cargo nextest run --workspace --locked --no-fail-fast -E 'package(flex-e2e)'
part "python SDK, Inspector CLI, conformance" .venv/bin/python -m pytest tests/python -q -p no:cacheprovider
# The same SDK and Inspector suites through the bridge to a running `flex-mcp host` (issue 7).
part "python SDK, Inspector CLI through the host" env FLEX_E2E_THROUGH_HOST=1 .venv/bin/python -m pytest \
  tests/python/test_stdio_sdk.py tests/python/test_inspector_cli.py -q -p no:cacheprovider

if ((${#failed[@]})); then
  printf '\ne2e FAILED: %s\n' "${failed[*]}" >&2
  exit 1
fi
printf '\ne2e: all parts passed\n'
