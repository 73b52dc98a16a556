#!/usr/bin/env bash
# Runs a command against a private, throw-away keychain — never the developer's own:
#   - a private D-Bus session bus (dbus-run-session), so Secret Service calls cannot reach the
#     desktop's keyring;
#   - gnome-keyring-daemon with only its `secrets` component, unlocked with a throw-away password;
#   - a fresh anonymous keyutils session keyring (`keyctl session -`), because the kernel's
#     default user-session keyring silently loses items in a fresh shell (platform-notes §5);
#   - XDG_DATA_HOME / XDG_CONFIG_HOME / XDG_CACHE_HOME / XDG_RUNTIME_DIR pointed at temp dirs, so
#     the keyring file (login.keyring) and any cache land there and are deleted afterwards.
# It sets FLEX_MCP_KEYRING_SANDBOX=1; tests that touch the keychain refuse to run without it.
#
# Usage: scripts/with-keyring.sh cargo test -p flex-auth
# Needs: dbus (dbus-run-session), gnome-keyring, keyutils (optional), libsecret-tools (tests).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-keyring.sh: \`$tool\` is missing. Install it with:" >&2
    echo "  sudo apt-get install -y --no-install-recommends dbus gnome-keyring keyutils libsecret-tools" >&2
    exit 127
  fi
done

sandbox=$(mktemp -d "${TMPDIR:-/tmp}/flex-keyring.XXXXXX")
cleanup() { rm -rf "$sandbox"; }
trap cleanup EXIT
mkdir -p "$sandbox"/{data,config,cache,runtime}
chmod 700 "$sandbox"/runtime
export XDG_DATA_HOME="$sandbox/data" XDG_CONFIG_HOME="$sandbox/config" \
       XDG_CACHE_HOME="$sandbox/cache" XDG_RUNTIME_DIR="$sandbox/runtime"
export FLEX_MCP_KEYRING_SANDBOX=1
# The desktop's bus must not leak in if dbus-run-session were ever bypassed.
unset DBUS_SESSION_BUS_ADDRESS

# A fresh keyutils session keyring when the kernel allows it (some containers forbid it; the
# Secret Service, which is what we store in, does not need it).
keyctl_prefix=()
if command -v keyctl >/dev/null 2>&1 && keyctl session - true >/dev/null 2>&1; then
  keyctl_prefix=(keyctl session -)
fi

# Not `exec`: the trap must run to delete the sandbox. The inner shell unlocks the keyring and
# then replaces itself with the command, so its exit status is the command's.
set +e
dbus-run-session -- bash -c '
  set -e
  # The daemon prints GNOME_KEYRING_CONTROL=… lines; they are not needed with a private bus.
  echo -n "flex-mcp-throwaway" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' _ "${keyctl_prefix[@]}" "$@"
status=$?
set -e
exit "$status"
