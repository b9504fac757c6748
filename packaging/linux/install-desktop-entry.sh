#!/bin/sh
# Adds Quire to the desktop's application menu for the current user (no root needed):
# a .desktop entry whose Exec points at this folder, the icon, and `quire` / `quire-desktop`
# links in ~/.local/bin. Run it again after moving the folder; `--remove` undoes it.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$data/applications"
icons="$data/icons/hicolor"
bin="$HOME/.local/bin"

if [ "${1:-}" = "--remove" ]; then
    rm -f "$apps/quire.desktop" "$icons/scalable/apps/quire.svg" "$icons/256x256/apps/quire.png"
    for name in quire quire-desktop; do
        [ -L "$bin/$name" ] && rm -f "$bin/$name"
    done
    echo "Quire removed from the application menu (this folder is left alone)."
    exit 0
fi

mkdir -p "$apps" "$icons/scalable/apps" "$icons/256x256/apps" "$bin"
cp "$here/share/icons/quire.svg" "$icons/scalable/apps/quire.svg"
cp "$here/share/icons/quire.png" "$icons/256x256/apps/quire.png"
sed -e "s|^Exec=quire-desktop|Exec=\"$here/quire-desktop\"|" -e "s|^TryExec=quire-desktop|TryExec=$here/quire-desktop|" \
    "$here/share/quire.desktop" > "$apps/quire.desktop"
ln -sf "$here/quire" "$bin/quire"
ln -sf "$here/quire-desktop" "$bin/quire-desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" || true
echo "Quire added to the application menu; 'quire' and 'quire-desktop' linked in $bin."
