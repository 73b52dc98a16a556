#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages needed to build the app and run every test (platform-notes §1).
# Idempotent: checks each package with dpkg first and only calls apt-get for what is missing, so a second run
# takes well under a second and needs no network. Uses sudo when not root.
#
#   scripts/install-system-deps.sh          build + test packages, plus the optional tray-test tools
#   FLEX_SKIP_SYSTEM_DEPS=1 ...             do nothing (machines managed some other way)
set -euo pipefail

if [[ "${FLEX_SKIP_SYSTEM_DEPS:-}" == 1 ]]; then
  echo "install-system-deps: skipped (FLEX_SKIP_SYSTEM_DEPS=1)"
  exit 0
fi

# To build: Tauri v2 on WebKitGTK 4.1, Node.js + npm for the window (ui/), the tray (ayatana; libappindicator3-dev has no candidate on bookworm),
# keyring's Secret Service backend (libdbus-1-dev via pkg-config), rustls needs no OpenSSL but some -sys
# crates do.
BUILD=(libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
  libxdo-dev libssl-dev libdbus-1-dev pkg-config build-essential file curl ca-certificates
  nodejs npm)
# To test: a virtual display, screenshots, a private D-Bus session with a keychain, kernel keyrings,
# WebKitWebDriver for the GUI smoke test, and python3 for the WebDriver client.
# dunst answers org.freedesktop.Notifications for the GUI tests (the app's notifications need a daemon);
# chromium and its driver are the real browser of the sign-in test; xclip reads the clipboard back (Copy token).
TEST=(xvfb xauth imagemagick dbus gnome-keyring libsecret-tools keyutils webkit2gtk-driver at-spi2-core python3 dunst xclip
  chromium chromium-driver)
# Optional: an XEmbed tray host and a clicker, to open the tray menu for its screenshot; python3-xlib
# closes the two-process test's window the way a window manager's close button does (WM_DELETE_WINDOW).
OPTIONAL=(trayer xdotool python3-xlib)
# The Windows type-check in scripts/test.sh: cargo check runs build scripts that compile C for the target
# (bundled SQLite, ring), so it needs MinGW-w64's gcc, though nothing is linked. Optional like the above:
# without it (or without Rust's Windows target, below) that check is skipped.
WINDOWS=(gcc-mingw-w64-x86-64-posix)

missing() {
  local pkg
  for pkg in "$@"; do
    # python3 may come from elsewhere (pyenv, a CI image); any working one will do.
    if [[ "$pkg" == python3 ]] && command -v python3 >/dev/null 2>&1; then continue; fi
    # Any npm will do (the window's Node 22 comes from npm); a NodeSource nodejs ships its own npm, and
    # Debian's npm package would conflict with it.
    if [[ "$pkg" == npm || "$pkg" == nodejs ]] && command -v npm >/dev/null 2>&1; then continue; fi
    # Any MinGW-w64 gcc for x86_64 will do (the posix or the win32 threads flavour).
    if [[ "$pkg" == gcc-mingw-w64-x86-64-posix ]] && command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then continue; fi
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      printf '%s\n' "$pkg"
    fi
  done
}

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-system-deps: this script needs Debian or Ubuntu (apt-get). On other systems install the" >&2
  echo "equivalents of: ${BUILD[*]} ${TEST[*]}" >&2
  exit 1
fi

# Rust's standard library for x86_64-pc-windows-gnu (the Windows type-check). rustup downloads it from the Rust
# distribution, which is not a package registry: where that cannot be reached, the check is skipped, never failed.
if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu; then
  rustup target add x86_64-pc-windows-gnu ||
    echo "install-system-deps: Rust target x86_64-pc-windows-gnu not installed; the Windows type-check will be skipped"
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-system-deps: not root and sudo is missing; run this script as root, or install sudo." >&2
    exit 1
  fi
fi
apt_get() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }

mapfile -t NEED < <(missing "${BUILD[@]}" "${TEST[@]}")
mapfile -t NEED_OPTIONAL < <(missing "${OPTIONAL[@]}" "${WINDOWS[@]}")
if [[ ${#NEED[@]} -eq 0 && ${#NEED_OPTIONAL[@]} -eq 0 ]]; then
  echo "install-system-deps: all packages already installed"
  exit 0
fi

echo "install-system-deps: installing ${NEED[*]} ${NEED_OPTIONAL[*]}"
apt_get update -qq
if [[ ${#NEED[@]} -gt 0 ]]; then
  apt_get install -y -qq --no-install-recommends "${NEED[@]}"
fi
if [[ ${#NEED_OPTIONAL[@]} -gt 0 ]]; then
  # Only the tray screenshot needs these; their absence must not stop a build.
  apt_get install -y -qq --no-install-recommends "${NEED_OPTIONAL[@]}" ||
    echo "install-system-deps: optional packages not installed (${NEED_OPTIONAL[*]}); tray screenshots or the Windows type-check will be skipped"
fi
echo "install-system-deps: done"
