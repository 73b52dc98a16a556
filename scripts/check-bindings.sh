#!/usr/bin/env bash
# Fails when ui/src/bindings/ (the window's TypeScript types, generated from the Rust structs by ts-rs) differs
# from what the Rust code generates now: change a struct the window receives and forget to regenerate, and CI
# says so. To regenerate: cargo test -p flex-mcp-desktop --locked export_bindings
set -euo pipefail
cd "$(dirname "$0")/.."
cargo nextest run --workspace --all-targets --locked -E 'test(export_bindings)' >/dev/null
if ! git diff --quiet --exit-code -- ui/src/bindings || [[ -n "$(git ls-files --others --exclude-standard ui/src/bindings)" ]]; then
  echo "check-bindings: ui/src/bindings is stale. Commit the regenerated files:" >&2
  git status --short -- ui/src/bindings >&2
  exit 1
fi
echo "check-bindings: ui/src/bindings matches the Rust structs"
