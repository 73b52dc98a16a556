#!/usr/bin/env bash
# GUI smoke test of the real app (issue 2 §5), run by scripts/test.sh after the workspace build.
#
# 1. WebDriver: tauri-driver (+ WebKitWebDriver) starts the app binary on a private virtual display;
#    tests/gui/smoke.py reads the window (mode badge, DEMO label, the demo's latest payments), calls commands
#    through window.__TAURI__.core.invoke, closes the window and checks the app stays alive in the tray.
# 2. Tray (when trayer and xdotool are installed): the app runs under an XEmbed tray host; the test opens the
#    tray menu, takes a screenshot of it, chooses Quit from the keyboard and checks the app exits with 0.
#
# Everything runs inside a private D-Bus session with HOME, the XDG_* dirs and FLEX_MCP_HOME in a temp dir,
# so the real home, keychain and settings are never touched. Exits non-zero on any failure; stops every process
# it started. Environment:
#   FLEX_APP_BIN=path         test this binary instead of building target/debug/flex-mcp-desktop
#   FLEX_GUI_ARTIFACTS=dir    where screenshots and logs go (default target/gui-test)
#   FLEX_GUI_ONLY="a b"       run only these tests (demo live unreachable first-launch tray sign-in settings
#                             live-feed two-process foreign-channel flex-sign-in confirmation activity assistants_extras
#                             start_at_login notifications)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != --inside-session ]]; then
  scripts/install-system-deps.sh
  if [[ ! -x .tools/bin/tauri-driver ]]; then
    echo "test-gui: installing tauri-driver 2 into .tools (v3 is an alpha, so ^2 is pinned)"
    cargo install tauri-driver --version '^2' --locked --root .tools
  fi
  if [[ -z "${FLEX_APP_BIN:-}" ]]; then
    scripts/build-ui.sh
    # Same invocation as scripts/test.sh, so this is a no-op after its build step (platform-notes §2).
    cargo build --workspace --all-targets --locked
    FLEX_APP_BIN="${CARGO_TARGET_DIR:-target}/debug/flex-mcp-desktop"
  fi
  FLEX_APP_BIN="$(realpath "$FLEX_APP_BIN")"
  FLEX_GUI_ARTIFACTS="$(realpath -m "${FLEX_GUI_ARTIFACTS:-target/gui-test}")"
  mkdir -p "$FLEX_GUI_ARTIFACTS"
  export FLEX_APP_BIN FLEX_GUI_ARTIFACTS
  # Nothing of the user's: HOME, the XDG dirs and our state root in a temp dir. Set before the bus starts,
  # because services the bus activates (gnome-keyring, when the app looks for a saved key) inherit the
  # bus's environment, not the app's.
  WORK="$(mktemp -d -t flex-gui.XXXXXX)"
  export WORK HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
  export XDG_CACHE_HOME="$WORK/cache" XDG_RUNTIME_DIR="$WORK/run" FLEX_MCP_HOME="$WORK/flex-mcp"
  mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$FLEX_MCP_HOME"
  mkdir -m 700 -p "$XDG_RUNTIME_DIR"
  # No configured account, so the app runs its built-in demo.
  unset FLEX_API_KEY FLEX_API_BASE
  # A private session bus: GTK, WebKit and at-spi talk to it instead of the user's (platform-notes §3).
  exec dbus-run-session -- "$0" --inside-session
fi

ROOT="$PWD"
PIDS=()
# The keychain: an unlocked throwaway Secret Service on this private bus (as scripts/with-keyring.sh does), so
# signing in from the window stores its key here and nowhere else. Its files live in the temp XDG dirs.
echo -n "flex-mcp-throwaway" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export FLEX_MCP_KEYRING_SANDBOX=1
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Marks the app processes of this run, so the test can find (and stop) exactly those.
export FLEX_GUI_RUN="$$-$RANDOM$RANDOM"
MARKER="FLEX_GUI_RUN=$FLEX_GUI_RUN"

# Xvfb picks a free display itself (-displayfd) and tells us which.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" 2>"$WORK/xvfb.log" &
PIDS+=($!)
for _ in $(seq 100); do [[ -s "$WORK/display" ]] && break; sleep 0.1; done
[[ -s "$WORK/display" ]] || { echo "test-gui: Xvfb did not start:"; cat "$WORK/xvfb.log"; exit 1; }
export DISPLAY=":$(head -n1 "$WORK/display")"
echo "test-gui: virtual display $DISPLAY"

# Two distinct free loopback ports (both sockets held open while choosing, so they differ).
free_ports() {
  python3 -c 'import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])'
}

FAILED=0
# FLEX_GUI_ONLY="tray two-process" runs only the named tests (names as in the "test-gui: NAME test passed" lines).
want() { [[ -z "${FLEX_GUI_ONLY:-}" || " $FLEX_GUI_ONLY " == *" $1 "* ]]; }

# True once a child process has ended (an exited child stays a zombie, state Z, until waited for).
exited() { [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo gone)" =~ ^(Z|gone)$ ]]; }

have_tray_tools() { command -v trayer >/dev/null && command -v xdotool >/dev/null; }

# An XEmbed tray host for one test; its PID goes to PIDS and TRAYER_PID.
start_trayer() {
  trayer --edge top --align right --widthtype request --height 32 --SetDockType true \
    >>"$WORK/trayer.log" 2>&1 &
  PIDS+=($!)
  TRAYER_PID=$!
}

# The app is single-instance per FLEX_MCP_HOME (a lock in its runtime folder): before the next test starts
# an app, wait until the previous test's app has let the lock go, or the new one would hand over and exit.
wait_for_no_app() {
  local lock="$FLEX_MCP_HOME/run/app.lock"
  [[ -e "$lock" ]] || return 0
  for _ in $(seq 100); do
    flock -n "$lock" true 2>/dev/null && return 0
    sleep 0.1
  done
  echo "test-gui: an app from the previous test still holds $lock"
}

# webdriver_test NAME [smoke.py options...]: one app session through tauri-driver. The app inherits this
# shell's environment (tauri-driver starts it), so callers set FLEX_API_KEY / FLEX_API_BASE around it.
webdriver_test() {
  local name="$1" port native args=() a want_tray=0
  shift
  wait_for_no_app
  for a in "$@"; do
    if [[ "$a" == --tray ]]; then want_tray=1; else args+=("$a"); fi
  done
  TRAYER_PID=""
  if [[ $want_tray -eq 1 ]]; then
    if have_tray_tools; then
      start_trayer
      args+=(--tray)
    else
      echo "test-gui: trayer/xdotool missing: the window will not be reopened from the tray"
    fi
  fi
  # A port found free can be taken again before tauri-driver binds it (the apps and simulators of this
  # run open connections too), so a start that cannot listen is retried on fresh ports.
  local driver="" log="$FLEX_GUI_ARTIFACTS/tauri-driver-$name.log" ready=0 attempt
  for attempt in 1 2 3; do
    read -r port native < <(free_ports)
    "$ROOT/.tools/bin/tauri-driver" --port "$port" --native-port "$native" >"$log" 2>&1 &
    driver=$!
    PIDS+=($driver)
    for _ in $(seq 100); do
      if python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/status', timeout=1)" 2>/dev/null; then
        ready=1
        break
      fi
      exited "$driver" && break
      sleep 0.1
    done
    [[ $ready -eq 1 ]] && break
    echo "test-gui: tauri-driver did not start (attempt $attempt): $(head -c 300 "$log")"
    kill "$driver" 2>/dev/null || true
  done
  if [[ $ready -ne 1 ]]; then
    return 1
  fi
  local rc=0
  python3 "$ROOT/tests/gui/${GUI_SCRIPT:-smoke.py}" --driver "http://127.0.0.1:$port" --app "$FLEX_APP_BIN" \
    --marker "$MARKER" --screenshot "$FLEX_GUI_ARTIFACTS/window-$name.png" "${args[@]}" || rc=$?
  # The next test starts its own driver and tray host, so the panel holds only its icon.
  kill "$driver" ${TRAYER_PID:+"$TRAYER_PID"} 2>/dev/null || true
  wait "$driver" ${TRAYER_PID:+"$TRAYER_PID"} 2>/dev/null || true
  return $rc
}

# Start a flex-sim for test NAME with ARGS (its stdout in $WORK/sim-NAME.out, its log beside the screenshots);
# sets SIM_PID and SIM_BASE (its http://127.0.0.1:PORT). Fails when it does not say where it listens.
start_sim() {
  local name="$1"
  shift
  local sim_bin="${FLEX_SIM_BIN:-$(dirname "$FLEX_APP_BIN")/flex-sim}"
  if [[ ! -x "$sim_bin" ]]; then
    echo "not ok - no flex-sim binary at $sim_bin (build the workspace, or set FLEX_SIM_BIN)"
    return 1
  fi
  "$sim_bin" --port 0 "$@" >"$WORK/sim-$name.out" 2>"$FLEX_GUI_ARTIFACTS/sim-$name.log" &
  SIM_PID=$!
  PIDS+=($SIM_PID)
  for _ in $(seq 100); do [[ -s "$WORK/sim-$name.out" ]] && break; sleep 0.1; done
  SIM_BASE="$(head -n1 "$WORK/sim-$name.out" | sed -n 's|^listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p')"
  [[ -n "$SIM_BASE" ]] || { echo "not ok - flex-sim did not say where it listens"; return 1; }
}

# A state folder HOME whose settings say live mode against BASE (the default policy: a write asks).
live_settings() {
  mkdir -p "$1/config"
  printf '{"mode": "live", "api_base": "%s"}\n' "$2" >"$1/config/settings.json"
}

# Run test WANT (its FLEX_GUI_ONLY name) as CMD..., reported as "test-gui: LABEL test passed/FAILED".
run_test() {
  local want_name="$1" label="$2"
  shift 2
  if ! want "$want_name"; then
    echo "test-gui: $want_name test not selected (FLEX_GUI_ONLY)"
  elif "$@"; then
    echo "test-gui: $label test passed"
  else
    echo "test-gui: $label test FAILED"
    FAILED=1
  fi
}

# The same window on a live key: a flex-sim binary seeded with demo data plays Flex, the app gets its live
# demo key through FLEX_API_KEY. Checks the red live badge and warning, and that DEMO is not shown.
live_test() {
  start_sim live --seed demo || return 1
  local rc=0
  FLEX_API_KEY=fsk_demo_live_key FLEX_API_BASE="$SIM_BASE" webdriver_test live --expect live --api-base "$SIM_BASE" || rc=$?
  kill "$SIM_PID" 2>/dev/null || true
  return $rc
}

# A test key and an API base where nothing listens: the window must say in words that Flex could not be
# reached, and the command must fail with the `network` code.
unreachable_test() {
  local closed
  read -r closed _ < <(free_ports)
  FLEX_API_KEY=fsk_test_unreachable FLEX_API_BASE="http://127.0.0.1:$closed" \
    webdriver_test unreachable --expect unreachable --api-base "http://127.0.0.1:$closed"
}

tray_test() {
  if ! have_tray_tools; then
    echo "test-gui: SKIP tray test (trayer and xdotool are not installed)"
    return 0
  fi
  start_trayer
  wait_for_no_app
  local log="$FLEX_GUI_ARTIFACTS/app-tray.log"
  "$FLEX_APP_BIN" >"$log" 2>&1 &
  local app=$!
  PIDS+=($app)
  # The tray test drives the mode and pause through the menu and checks them with flex-mcp and the SDK.
  if ! FLEX_MCP_BIN="${FLEX_MCP_BIN:-$(dirname "$FLEX_APP_BIN")/flex-mcp}" python3 "$ROOT/tests/gui/tray.py" \
    --app-pid "$app" --app-log "$log" --artifacts "$FLEX_GUI_ARTIFACTS" --app "$FLEX_APP_BIN"; then
    return 1
  fi
  # Quit must end the app, with status 0.
  local gone=0
  for _ in $(seq 100); do
    if exited "$app"; then
      gone=1
      break
    fi
    sleep 0.1
  done
  if [[ $gone -ne 1 ]]; then
    echo "not ok - the app is still running 10 s after Quit"
    return 1
  fi
  local rc=0
  wait "$app" || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "not ok - the app exited with status $rc after Quit (expected 0); log: $log"
    return 1
  fi
  echo "ok - Quit from the tray menu exits the app with status 0"
}

# The window's own pages and dialogs (issue 8); FLEX_GUI_ONLY="confirmation ..." runs just those named.
# Each gets its own state root, home and config folder, so the assistants and files another test
# connected or wrote are not on its "computer".
gui_page_test() {
  local name="$1"
  shift
  mkdir -p "$WORK/flex-$name" "$WORK/home-$name" "$WORK/config-$name"
  FLEX_MCP_HOME="$WORK/flex-$name" HOME="$WORK/home-$name" XDG_CONFIG_HOME="$WORK/config-$name" \
    FLEX_MCP_BIN="${FLEX_MCP_BIN:-$(dirname "$FLEX_APP_BIN")/flex-mcp}" \
    GUI_SCRIPT="$name.py" webdriver_test "$name" "$@"
}
confirmation_test() { gui_page_test confirmation; }
# Live mode on flex-sim with the default policy (a write asks), like the live-feed test.
activity_test() {
  start_sim activity --seed demo || return 1
  local sim=$SIM_PID base=$SIM_BASE
  live_settings "$WORK/flex-activity" "$base"
  local rc=0
  # A zone away from UTC, so "times in the computer's zone" is visible in the exported file.
  FLEX_API_KEY=fsk_demo_live_key FLEX_API_BASE="$base" TZ=America/New_York gui_page_test activity || rc=$?
  kill "$sim" 2>/dev/null || true
  return $rc
}
assistants_extras_test() { gui_page_test assistants_extras; }
start_at_login_test() { gui_page_test start_at_login; }
tool_groups_test() { gui_page_test tool_groups; }
# A notification daemon on this test's private bus: dunst (scripts/install-system-deps.sh installs it).
notifications_test() {
  if ! command -v dunst >/dev/null; then
    echo "not ok - dunst is not installed (scripts/install-system-deps.sh installs it)"
    return 1
  fi
  dunst >"$FLEX_GUI_ARTIFACTS/dunst.log" 2>&1 &
  local daemon=$! rc=0
  PIDS+=($daemon)
  for _ in $(seq 50); do dunstctl is-paused >/dev/null 2>&1 && break; sleep 0.1; done
  gui_page_test notifications || rc=$?
  kill "$daemon" 2>/dev/null || true
  return $rc
}
WINDOW_TESTS=(confirmation activity assistants_extras start_at_login notifications tool_groups)

echo "== WebDriver: the window on the built-in demo, close, reopen from the tray"
run_test demo "demo window" webdriver_test demo --expect demo --tray
echo "== WebDriver: the window on a live key"
run_test live "live window" live_test
echo "== WebDriver: the window when Flex cannot be reached"
run_test unreachable "unreachable" unreachable_test
echo "== WebDriver: first launch on the demo, connecting Cursor in at most 3 clicks"
# Cursor counts as installed when its folder exists; no other client is on this "computer".
mkdir -p "$HOME/.cursor"
first_launch_test() { GUI_SCRIPT=first_launch.py webdriver_test first-launch; }
run_test first-launch "first-launch" first_launch_test
echo "== tray menu"
run_test tray "tray" tray_test
echo "== WebDriver: sign in by pasting a key (rejected, other mode, good)"
signin_test() {
  start_sim signin --seed demo || return 1
  local sim=$SIM_PID base=$SIM_BASE
  local rc=0
  # Its own keychain service and state folder: the key it stores must not reach the other tests (which would
  # then use it against the real Flex address).
  FLEX_API_BASE="$base" FLEX_MCP_KEYCHAIN_SERVICE="com.withflex.mcp.gui-signin-$$" FLEX_MCP_HOME="$WORK/flex-signin" \
    GUI_SCRIPT=sign_in.py webdriver_test sign-in || rc=$?
  kill "$sim" 2>/dev/null || true
  return $rc
}
run_test sign-in "sign-in" signin_test
echo "== WebDriver: Settings (allow/ask/deny, retention, local HTTP endpoint) saved to settings.json"
settings_test() {
  FLEX_MCP_HOME="$WORK/flex-settings" GUI_SCRIPT=settings.py webdriver_test settings
}
run_test settings "settings" settings_test
echo "== WebDriver: a Python SDK call through the bridge in Activity; a live ask approved and denied in the approval window"
live_feed_test() {
  start_sim feed --seed demo || return 1
  local sim=$SIM_PID base=$SIM_BASE
  # Live mode with the default policy (a write asks the person); the bridge finds the app's host by
  # FLEX_MCP_HOME, which it inherits like the app.
  local home="$WORK/flex-feed"
  live_settings "$home" "$base"
  local rc=0
  FLEX_API_KEY=fsk_demo_live_key FLEX_API_BASE="$base" FLEX_MCP_HOME="$home" \
    FLEX_MCP_BIN="${FLEX_MCP_BIN:-$(dirname "$FLEX_APP_BIN")/flex-mcp}" \
    GUI_SCRIPT=live_feed.py webdriver_test live-feed || rc=$?
  kill "$sim" 2>/dev/null || true
  return $rc
}
run_test live-feed "live-feed" live_feed_test
echo "== two processes: tray + host without a web view, the window in its own process (xdotool, no WebDriver)"
# The WebDriver tests drive a `--window` started on its own (it starts its tray and keeps the channel); this
# test covers what they cannot: the tray process starting and ending the window process, the private channel
# (an approval answered in the window process reaches the host in the tray process), no WebKit left after
# closing, and the memory of each state (memory-two-process.json).
two_process_test() {
  # python3-xlib is a Debian package: the system python3 has it even when another python3 comes first in PATH.
  local py="" candidate
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import Xlib' 2>/dev/null; then py="$candidate"; break; fi
  done
  if ! have_tray_tools || [[ -z "$py" ]]; then
    echo "test-gui: SKIP two-process test (needs trayer, xdotool and python3-xlib)"
    return 0
  fi
  start_sim two --seed demo || return 1
  local sim=$SIM_PID base=$SIM_BASE
  local home="$WORK/flex-two"
  live_settings "$home" "$base"
  start_trayer
  local log="$FLEX_GUI_ARTIFACTS/app-two-process.log" rc=0
  FLEX_API_KEY=fsk_demo_live_key FLEX_API_BASE="$base" FLEX_MCP_HOME="$home" "$FLEX_APP_BIN" --hidden >"$log" 2>&1 &
  local app=$!
  PIDS+=($app)
  FLEX_API_KEY=fsk_demo_live_key FLEX_API_BASE="$base" FLEX_MCP_HOME="$home" \
    FLEX_MCP_BIN="${FLEX_MCP_BIN:-$(dirname "$FLEX_APP_BIN")/flex-mcp}" \
    "$py" "$ROOT/tests/gui/two_process.py" --app-pid "$app" --app-log "$log" --artifacts "$FLEX_GUI_ARTIFACTS" \
    ${FLEX_TWO_PROCESS_IDLE:+--idle "$FLEX_TWO_PROCESS_IDLE"} || rc=$?
  if [[ $rc -eq 0 ]]; then
    for _ in $(seq 100); do exited "$app" && break; sleep 0.1; done
    if ! exited "$app"; then echo "not ok - the app is still running 10 s after Quit"; rc=1; fi
  fi
  [[ $rc -eq 0 ]] && { wait "$app" || { echo "not ok - the app exited with $? after Quit"; rc=1; }; }
  kill "$app" "$sim" "$TRAYER_PID" 2>/dev/null || true
  wait "$TRAYER_PID" 2>/dev/null || true
  return $rc
}
run_test two-process "two-process" two_process_test
echo "== a channel on the tray's stdin from another program is ignored (no approvals over it)"
foreign_channel_test() {
  wait_for_no_app
  python3 "$ROOT/tests/gui/foreign_channel.py" --tray "$(dirname "$FLEX_APP_BIN")/flex-mcp-tray" \
    --log "$FLEX_GUI_ARTIFACTS/app-foreign-channel.log"
}
run_test foreign-channel "foreign channel" foreign_channel_test
echo "== WebDriver: Sign in with Flex in the window (headless Chromium through flex-sim's pages), Sign out revoking"
flex_sign_in_test() {
  local email="owner@clinic.test" password="correct horse battery" key="fsk_test_gui_choice_key_9z8y"
  start_sim flex --oauth-user "$email:$password" --api-key "$key" || return 1
  local sim=$SIM_PID base=$SIM_BASE
  # With a display, xdg-open (which the app's `open` runs) opens the default browser's desktop entry and uses
  # $BROWSER only as a last resort, so this test's own XDG dirs make scripts/oauth-browser.py the default
  # browser for http(s); BROWSER names it too, for the no-display path.
  local config="$WORK/config-flex" data="$WORK/data-flex" browser="$ROOT/scripts/oauth-browser.py"
  mkdir -p "$config" "$data/applications" "$WORK/home-flex"
  printf '[Desktop Entry]\nType=Application\nName=Test browser (headless Chromium)\nExec=%s %%u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\n' \
    "$browser" >"$data/applications/flex-test-browser.desktop"
  printf '[Default Applications]\nx-scheme-handler/http=flex-test-browser.desktop\nx-scheme-handler/https=flex-test-browser.desktop\n' \
    >"$config/mimeapps.list"
  local rc=0
  # Its own keychain service, state folder and home (no assistant connected by an earlier test, so the
  # Home page still offers the first launch).
  HOME="$WORK/home-flex" XDG_CURRENT_DESKTOP="" DESKTOP_SESSION="" XDG_CONFIG_HOME="$config" XDG_DATA_HOME="$data" BROWSER="$browser" \
    FLEX_MCP_URL="$base" FLEX_API_BASE="$base" FLEX_TEST_API_KEY="$key" FLEX_MCP_HOME="$WORK/flex-oauth" FLEX_MCP_KEYCHAIN_SERVICE="com.withflex.mcp.gui-flex-$$" \
    FLEX_TEST_BROWSER_ACTION_FILE="$WORK/browser-action" FLEX_TEST_BROWSER_LOG="$FLEX_GUI_ARTIFACTS/browser-flex-sign-in.log" \
    FLEX_TEST_EMAIL="$email" FLEX_TEST_PASSWORD="$password" \
    FLEX_MCP_BIN="${FLEX_MCP_BIN:-$(dirname "$FLEX_APP_BIN")/flex-mcp}" \
    GUI_SCRIPT=flex_sign_in.py webdriver_test flex-sign-in || rc=$?
  kill "$sim" 2>/dev/null || true
  return $rc
}
run_test flex-sign-in "Flex sign-in" flex_sign_in_test

for t in "${WINDOW_TESTS[@]}"; do
  want "$t" && echo "== WebDriver: $t"
  run_test "$t" "$t" "${t}_test"
done

if [[ $FAILED -ne 0 ]]; then
  echo "test-gui: FAILED (logs and screenshots in $FLEX_GUI_ARTIFACTS)"
  exit 1
fi
echo "test-gui: all GUI tests passed (screenshots in $FLEX_GUI_ARTIFACTS)"
