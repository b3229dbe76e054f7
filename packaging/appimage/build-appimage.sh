#!/usr/bin/env bash
# Wrap the PyInstaller folder (dist/LLMasOS, from packaging/build.sh) into an AppImage.
#
#   bash packaging/appimage/build-appimage.sh [APPIMAGETOOL]
#
# APPIMAGETOOL defaults to `appimagetool` on PATH (download appimagetool-x86_64.AppImage
# from https://github.com/AppImage/appimagetool/releases and make it executable).
# Output: dist/LLMasOS-<version>-<arch>.AppImage. See packaging/appimage/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

tool="${1:-appimagetool}"
app_id="io.github.llmasos.LLMasOS"
arch="$(uname -m)"
[[ -x dist/LLMasOS/LLMasOS ]] || { echo "error: run packaging/build.sh first" >&2; exit 1; }
command -v "$tool" >/dev/null || [[ -x "$tool" ]] \
  || { echo "error: $tool not found; see packaging/appimage/README.md" >&2; exit 1; }
version="$(dist/LLMasOS/LLMasOS --version | cut -d' ' -f2)"

appdir="build/appimage/LLMasOS.AppDir"
rm -rf "$appdir"
mkdir -p "$appdir/usr/bin" "$appdir/usr/share/applications" "$appdir/usr/share/metainfo" \
  "$appdir/usr/share/icons"
cp -a dist/LLMasOS "$appdir/usr/lib-llmasos"
ln -s ../lib-llmasos/LLMasOS "$appdir/usr/bin/LLMasOS"

# The desktop file launches the bundle instead of the pip-installed llmasos-gui script.
sed -e 's/^Exec=.*/Exec=LLMasOS/' -e 's/^TryExec=.*/TryExec=LLMasOS/' \
  "resources/linux/$app_id.desktop" > "$appdir/usr/share/applications/$app_id.desktop"
cp "resources/linux/$app_id.metainfo.xml" "$appdir/usr/share/metainfo/$app_id.appdata.xml"
cp -a resources/icons/hicolor "$appdir/usr/share/icons/hicolor"

# appimagetool wants the desktop file and icon at the top, and an AppRun to start.
ln -s "usr/share/applications/$app_id.desktop" "$appdir/$app_id.desktop"
cp "resources/icons/hicolor/256x256/apps/$app_id.png" "$appdir/$app_id.png"
ln -s "$app_id.png" "$appdir/.DirIcon"
cat > "$appdir/AppRun" <<'EOF'
#!/bin/sh
here="$(dirname "$(readlink -f "$0")")"
exec "$here/usr/lib-llmasos/LLMasOS" "$@"
EOF
chmod +x "$appdir/AppRun"

ARCH="$arch" "$tool" "$appdir" "dist/LLMasOS-$version-$arch.AppImage"
echo "built dist/LLMasOS-$version-$arch.AppImage"
