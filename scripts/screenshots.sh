#!/usr/bin/env bash
# Makes the README's screenshots from a real GUI test run (scripts/test-gui.sh: the built-in demo under Xvfb,
# temp home, private D-Bus), so they always show what the app does today:
#   docs/screenshots/window.png        Home on the demo
#   docs/screenshots/first-launch.png  the Done step after connecting Cursor (first-launch test)
#   docs/screenshots/window-live.png   Home on a live key (red badge and warning)
#   docs/screenshots/tray.png          the tray menu
#   docs/screenshots/sign-in.png       the Account page after signing in with a pasted test key
#   docs/screenshots/flex-sign-in.png  the Account page signed in with Flex (flex-sign-in test)
#   docs/screenshots/activity.png      Activity: a filter, the detail with the decision, the CSV export
#   docs/screenshots/confirmation.png  a loosening from `flex-mcp mode live` waiting for the person
set -euo pipefail
cd "$(dirname "$0")/.."
ART="$(mktemp -d -t flex-shots.XXXXXX)"
trap 'rm -rf "$ART"' EXIT
FLEX_GUI_ARTIFACTS="$ART" scripts/test-gui.sh
mkdir -p docs/screenshots
cp "$ART/window-demo.png" docs/screenshots/window.png
cp "$ART/window-first-launch.png" docs/screenshots/first-launch.png
cp "$ART/window-live.png" docs/screenshots/window-live.png
cp "$ART/tray.png" docs/screenshots/tray.png
cp "$ART/window-sign-in.png" docs/screenshots/sign-in.png
cp "$ART/window-flex-sign-in.png" docs/screenshots/flex-sign-in.png
cp "$ART/window-activity.png" docs/screenshots/activity.png
cp "$ART/window-confirmation.png" docs/screenshots/confirmation.png
echo "screenshots: docs/screenshots/{window,first-launch,window-live,tray,sign-in,flex-sign-in,activity,confirmation}.png updated"
