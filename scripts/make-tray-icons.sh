#!/usr/bin/env bash
# Draws the four tray icons (icons/tray/{test,live,demo,paused}.{png,rgba}, 64x64) with ImageMagick. The icon alone
# must say the state, because the Linux tray has no tooltip: TEST a teal disc with "T", LIVE a red square
# with "LIVE" (the one that must never be mistaken), DEMO a violet disc with "D", PAUSED grey with two bars.
# The PNGs are committed; run this again only to change their look.
set -euo pipefail
cd "$(dirname "$0")/../icons/tray"
FONT=DejaVu-Sans-Bold
disc() { # name colour letter
  convert -size 64x64 xc:none -fill "$2" -draw 'circle 32,32 32,2' \
    -font "$FONT" -pointsize 36 -fill white -gravity center -annotate +0+1 "$3" "$1.png"
}
disc test '#0f766e' T
disc demo '#6d28d9' D
convert -size 64x64 xc:none -fill '#b91c1c' -draw 'roundrectangle 1,1 62,62 10,10' \
  -stroke white -strokewidth 3 -fill none -draw 'roundrectangle 5,5 58,58 7,7' -stroke none \
  -font "$FONT" -pointsize 19 -fill white -gravity center -annotate +0+1 LIVE live.png
convert -size 64x64 xc:none -fill '#6b7280' -draw 'circle 32,32 32,2' \
  -fill white -draw 'rectangle 21,18 28,46' -draw 'rectangle 36,18 43,46' paused.png
# Strip timestamps so a re-run changes nothing unless the drawing did. The app embeds the raw RGBA
# (`.rgba`, 64*64*4 bytes), so it needs no PNG decoder (no extra Tauri feature); the PNGs are for people.
for f in test demo live paused; do
  mogrify -strip -define png:exclude-chunks=date,time "$f.png"
  convert "$f.png" -depth 8 "rgba:$f.rgba"
done
echo "make-tray-icons: wrote icons/tray/{test,live,demo,paused}.{png,rgba}"
