#!/usr/bin/env bash
# Builds every package this machine can build into target/packages/ (docs/packaging.md):
#   Linux    flex-mcp-desktop_<version>_amd64.deb and .rpm (AppImage too with FLEX_PACKAGE_APPIMAGE=1: its
#            tools are downloaded at build time, which these machines cannot do)
#   macOS    Flex MCP_<version>_<arch>.dmg holding the .app (signed and notarized when the APPLE_* variables
#            of the Tauri bundler are set, as in .github/workflows/release.yml)
#   Windows  Flex MCP_<version>_x64-setup.exe, a per-user NSIS installer
#   all      flex-mcp-<version>-<platform>.mcpb, the Claude Desktop extension with this platform's flex-mcp
# One release build of both programs, then the Tauri bundler (`tauri bundle`) packs those same binaries.
# Runs itself under `nice -n 10`: the release build (fat LTO) is long and the machine is shared.
#
#   scripts/package.sh                       build everything
#   scripts/package.sh --no-build            pack the binaries already in target/release
#   FLEX_PACKAGE_VERSION=0.0.1 scripts/package.sh --no-build --out DIR
#                                            the same binaries under another package version (upgrade tests)
#   scripts/package.sh mcpb [--linux P] [--darwin P] [--win32 P] [--out DIR]
#                                            only the .mcpb, carrying the given programs (release workflow)
set -euo pipefail
cd "$(dirname "$0")/.."
# (A marker, not `nice`'s own output: BSD nice prints nothing without a command.)
if [[ -z "${FLEX_PACKAGE_NICED:-}" ]] && command -v nice >/dev/null; then
  export FLEX_PACKAGE_NICED=1
  exec nice -n 10 "$0" "$@"
fi

out=target/packages
stage=target/package-stage
build=true
mode=all
mcpb_programs=()
if [[ "${1:-}" == mcpb ]]; then mode=mcpb; shift; fi
while (($#)); do
  case "$1" in
    --no-build) build=false ;;
    --out) out=$2; shift ;;
    --linux|--darwin|--win32) [[ $mode == mcpb ]] || { echo "package: $1 is for 'package.sh mcpb'" >&2; exit 2; }
      mcpb_programs+=("$1" "$(realpath "$2")"); shift ;;
    *) echo "usage: $0 [--no-build] [--out DIR] | $0 mcpb [--linux P] [--darwin P] [--win32 P] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
step() { printf '\n--- package: %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

case "$(uname -s)" in
  Linux) platform=linux; exe=; bundles=deb,rpm
    [[ "${FLEX_PACKAGE_APPIMAGE:-}" == 1 ]] && bundles+=,appimage ;;
  Darwin) platform=darwin; exe=; bundles=app,dmg ;;
  MINGW*|MSYS*|CYGWIN*) platform=win32; exe=.exe; bundles=nsis ;;
  *) echo "package: no packages for $(uname -s)" >&2; exit 1 ;;
esac
version=${FLEX_PACKAGE_VERSION:-$(node -p 'require("./src-tauri/tauri.conf.json").version')}
tools=packaging/node_modules/.bin

# The bundler and the MCPB packer, exactly as packaging/package-lock.json pins them; skipped while unchanged.
hash_of() { if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }
lock_stamp=packaging/node_modules/.installed-lock
if [[ "$(cat "$lock_stamp" 2>/dev/null)" != "$(hash_of packaging/package-lock.json)" ]]; then
  step "build tools (npm ci in packaging/)"
  (cd packaging && npm ci --no-audit --no-fund --loglevel=error)
  hash_of packaging/package-lock.json > "$lock_stamp"
fi

make_mcpb() { # make_mcpb --linux P ... : lays out, validates and packs the extension into $out
  local name=flex-mcp-$version-$1.mcpb; shift
  node packaging/mcpb/make-bundle.mjs --version "$version" --stage "$stage/mcpb" "$@"
  "$tools/mcpb" validate "$stage/mcpb/manifest.json"
  "$tools/mcpb" pack "$stage/mcpb" "$out/$name" >/dev/null
  echo "package: $out/$name"
}

mkdir -p "$out" "$stage"
if [[ $mode == mcpb ]]; then
  ((${#mcpb_programs[@]})) || { echo "package: 'mcpb' needs at least one of --linux, --darwin, --win32" >&2; exit 2; }
  make_mcpb universal "${mcpb_programs[@]}"
  exit 0
fi

# The one hook for the window's front end: static files in ui/ need nothing; once ui/ has a package.json
# (React + Vite) its lockfile and build script produce the assets that the release build embeds.
build_front_end() {
  [[ -f ui/package.json ]] || return 0
  step "front end (scripts/build-ui.sh: npm ci from the lockfile, vite build)"
  scripts/build-ui.sh
}

if $build; then
  build_front_end
  step "release build (flex-mcp, flex-mcp-tray, flex-mcp-desktop)"
  cargo build --release --locked -p flex-cli -p flex-tray -p flex-mcp-desktop --features flex-mcp-desktop/custom-protocol
fi
for bin in flex-mcp flex-mcp-cli flex-mcp-tray flex-mcp-desktop; do
  [[ -x target/release/$bin$exe ]] || { echo "package: target/release/$bin$exe is missing (run without --no-build)" >&2; exit 1; }
done

# The bundler installs each externalBin named <path>-<target triple> as <name> beside the app (/usr/bin on
# Linux, Contents/MacOS, the install folder on Windows).
triple=$(rustc -vV | sed -n 's/^host: //p')
# flex-mcp is the small launcher (and `stdio` bridge) every client entry runs; it runs flex-mcp-cli
# beside it for everything else.
cp "target/release/flex-mcp$exe" "$stage/flex-mcp-$triple$exe"
cp "target/release/flex-mcp-cli$exe" "$stage/flex-mcp-cli-$triple$exe"
# flex-mcp-tray is the tray and the host (never a web view); flex-mcp-desktop hands over to it and is
# the window process it starts.
cp "target/release/flex-mcp-tray$exe" "$stage/flex-mcp-tray-$triple$exe"

step "bundle ($bundles, version $version)"
rm -rf target/release/bundle
config=(--config ../packaging/tauri.bundle.json)
[[ -n "${FLEX_PACKAGE_VERSION:-}" ]] && config+=(--config "{\"version\": \"$version\"}")
(cd src-tauri && "../$tools/tauri" bundle --ci --bundles "$bundles" "${config[@]}" --features custom-protocol)
shopt -s nullglob
made=(target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm target/release/bundle/appimage/*.AppImage
  target/release/bundle/dmg/*.dmg target/release/bundle/nsis/*.exe)
((${#made[@]})) || { echo "package: the bundler made no package" >&2; exit 1; }
cp "${made[@]}" "$out/"

# Debian's own compression for the .deb: the bundler writes data.tar.gz; the same tree packed again by
# dpkg-deb with xz (what Debian's own packages use) is about a quarter smaller (docs/packaging.md). The
# bundler's original is kept in $stage/bundler/ so scripts/test-package.sh can show both hold the same
# files, modes, owners, contents and control fields. Skipped where dpkg-deb is missing (then: gzip).
if [[ $platform == linux ]] && command -v dpkg-deb >/dev/null; then
  step ".deb: the bundler's tree repacked with xz (dpkg-deb -Zxz)"
  mkdir -p "$stage/bundler"
  for deb in target/release/bundle/deb/*.deb; do
    name=$(basename "$deb")
    cp "$deb" "$stage/bundler/$name"
    tree=$stage/deb-tree
    rm -rf "$tree" && mkdir -p "$tree"
    dpkg-deb --raw-extract "$deb" "$tree"
    dpkg-deb --root-owner-group -Zxz -z9 --build "$tree" "$out/$name.part" >/dev/null
    mv "$out/$name.part" "$out/$name"
    rm -rf "$tree"
    echo "package: $out/$name: $(stat -c %s "$deb") -> $(stat -c %s "$out/$name") bytes"
  done
fi

step "Claude Desktop extension (.mcpb)"
make_mcpb "$platform" "--$platform" "target/release/flex-mcp$exe"

step "done: $out"
(cd "$out" && ls -l -- *)
