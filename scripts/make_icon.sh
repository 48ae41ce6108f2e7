#!/usr/bin/env bash
# Draws the app's window icon, assets/icon.png (256 x 256): a label on a bottle with a check mark.
# Drawn with ImageMagick from shapes only, so the icon is the project's own.
# Usage: scripts/make_icon.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-assets/icon.png}
convert -size 256x256 xc:none \
  -fill '#1f3a5f' -draw 'roundrectangle 8,8 247,247 44,44' \
  -fill '#f4ecd8' -draw 'roundrectangle 104,30 152,92 8,8' \
  -fill '#f4ecd8' -draw 'roundrectangle 72,84 184,228 30,30' \
  -fill '#8b1e3f' -draw 'rectangle 84,128 172,186' \
  -fill '#f4ecd8' -draw 'rectangle 96,142 160,148' -draw 'rectangle 96,158 150,163' -draw 'rectangle 96,172 140,176' \
  -fill '#2e9e4f' -stroke '#1f3a5f' -strokewidth 8 -draw 'circle 186,190 186,236' \
  -fill none -stroke white -strokewidth 12 -draw 'polyline 164,190 180,206 210,174' \
  -strip "PNG32:$out"
echo "saved $out"
