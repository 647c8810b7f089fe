#!/bin/sh
# Puts GLIDE Desktop in your application menu with its icon and makes it the program for .ora files.
# For you only (under ~/.local/share); run it again after moving this folder.
# To undo: rm ~/.local/share/applications/glide-desktop.desktop ~/.local/share/mime/packages/glide-desktop.xml
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "$data/icons/hicolor/${size}x${size}/apps"
  cp "$here/icons/glide-desktop-$size.png" "$data/icons/hicolor/${size}x${size}/apps/glide-desktop.png"
done
mkdir -p "$data/icons/hicolor/scalable/apps" "$data/applications" "$data/mime/packages"
cp "$here/icons/glide-desktop.svg" "$data/icons/hicolor/scalable/apps/glide-desktop.svg"
sed "s|^Exec=.*|Exec=\"$here/glide-desktop\" %F|" "$here/glide-desktop.desktop" \
  > "$data/applications/glide-desktop.desktop"
cp "$here/glide-desktop-mime.xml" "$data/mime/packages/glide-desktop.xml"
if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "$data/mime" || true; fi
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database "$data/applications" || true; fi
if command -v xdg-mime >/dev/null 2>&1; then xdg-mime default glide-desktop.desktop image/openraster || true; fi
echo "GLIDE Desktop is in your application menu; .ora files open with it."
