#!/usr/bin/env bash
# The README launch command: installs what is missing (system packages with sudo when not root, Rust via
# rustup if cargo is absent), builds the Flex MCP tray app and starts it.
#
# With nothing configured the app runs its built-in demo: a seeded Flex simulator inside the app, in test
# mode, labelled DEMO in the tray and the window. Set FLEX_API_KEY=fsk_test_… (and FLEX_API_BASE) to use a
# real account instead.
#
# It uses your display. Without one (a server, a container, SSH without X forwarding) it starts a virtual
# display (Xvfb), says so, and tells you how to take a screenshot of it. Ctrl-C stops the app.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-deps.sh

if ! command -v cargo >/dev/null 2>&1; then
  if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "run-app: Rust is not installed; installing it with rustup (https://rustup.rs) for this user."
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --no-modify-path
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi

echo "run-app: building the window (npm ci from the lockfile, then vite)"
scripts/build-ui.sh
echo "run-app: building the app (the first build takes about 6 minutes on 2 cores)"
# flex-cli too: the Assistants page writes entries that run the flex-mcp next to the app.
cargo build -p flex-mcp-desktop -p flex-tray -p flex-cli --locked
APP="${CARGO_TARGET_DIR:-target}/debug/flex-mcp-desktop"

XVFB_PID=""
APP_PID=""
cleanup() {
  [[ -n "$APP_PID" ]] && kill "$APP_PID" 2>/dev/null || true
  [[ -n "$XVFB_PID" ]] && kill "$XVFB_PID" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  # -displayfd lets Xvfb pick a free display number itself and tell us which, so two runs never collide.
  DISPLAY_FILE="$(mktemp)"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$DISPLAY_FILE" 2>/dev/null &
  XVFB_PID=$!
  for _ in $(seq 100); do [[ -s "$DISPLAY_FILE" ]] && break; sleep 0.1; done
  if [[ ! -s "$DISPLAY_FILE" ]]; then
    echo "run-app: no display, and the virtual display (Xvfb) did not start" >&2
    exit 1
  fi
  export DISPLAY=":$(head -n1 "$DISPLAY_FILE")"
  rm -f "$DISPLAY_FILE"
  echo "run-app: no display found (DISPLAY is not set), so the app runs on a virtual display $DISPLAY (Xvfb)."
  echo "run-app: you cannot see it; to look at it: DISPLAY=$DISPLAY import -window root flex-mcp.png"
fi

if [[ -z "${FLEX_API_KEY:-}" ]]; then
  echo "run-app: no FLEX_API_KEY set: starting on the built-in DEMO (test mode, sample data)."
fi
echo "run-app: starting Flex MCP ($APP). It lives in the tray; closing the window keeps it running."
LAUNCH=("$APP")
if [[ -n "$XVFB_PID" && -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]]; then
  # No desktop session either: give the app a private session bus (GTK and WebKit want one) instead of
  # letting GTK autolaunch a bus that outlives the app.
  LAUNCH=(dbus-run-session -- "$APP")
fi
"${LAUNCH[@]}" "$@" &
APP_PID=$!
set +e
wait "$APP_PID"
STATUS=$?
set -e
APP_PID=""
exit "$STATUS"
