#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian/Ubuntu machine: installs what is missing (system packages with
# sudo when not root, tauri-driver, Node 22 + MCP Inspector + conformance suite, the Python MCP SDK), builds
# everything once, checks format and lints, then runs the Rust tests, the end-to-end tests with MCP clients
# nobody here wrote, the GUI smoke test, and (as root) the packages: one release build into .deb/.rpm/.mcpb,
# installed, upgraded and removed (scripts/test-package.sh) — all against the local simulator, never against
# withflex.com.
# Secrets live only in a private keychain that this script starts and throws away.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
step() { printf '\n=== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "system packages";  scripts/install-system-deps.sh
step "test tools";       scripts/install-test-tools.sh

# One cargo invocation style throughout (--workspace --all-targets), so features unify once and nothing is
# rebuilt twice (platform-notes §2).
step "format";           cargo fmt --all -- --check
# The window's front end first: src-tauri embeds ui/dist and its build script refuses to run without it.
step "front end (npm ci, type check, vitest, vite build)"; scripts/build-ui.sh --test
step "build";            cargo build --workspace --all-targets --locked
step "lint";             cargo clippy --workspace --all-targets --locked -- -D warnings
# Every program type-checks and lints for Windows too — the host's named pipe, single instance, the bridge, the tray
# program and the window process with the channel's pipe transport (clippy runs cargo check's checks and more);
# nothing is built for Windows or run here (docs/host.md, "Windows").
if rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu &&
  command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
  step "Windows type-check and lint (x86_64-pc-windows-gnu)"
  cargo clippy --target x86_64-pc-windows-gnu --locked -p flex-core -p flex-bridge -p flex-cli -p flex-mcp \
    -p flex-tray -p flex-mcp-desktop -- -D warnings
else
  step "Windows type-check skipped (no x86_64-pc-windows-gnu Rust target or no MinGW-w64 gcc)"
fi

step "TypeScript bindings up to date"; scripts/check-bindings.sh

step "rust tests (private keychain)"
scripts/with-keyring.sh cargo nextest run --workspace --locked --no-fail-fast

step "end-to-end: real binary, real MCP clients (private keychain)"
scripts/with-keyring.sh scripts/test-e2e.sh

step "GUI smoke test (Xvfb + WebDriver)"
scripts/test-gui.sh

step "packages: build, dpkg -i, upgrade, first window, dpkg -r, .mcpb (root on Debian; private keychain)"
scripts/with-keyring.sh scripts/test-package.sh

step "all tests passed"
