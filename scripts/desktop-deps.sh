#!/usr/bin/env bash
# Debian packages for the Qt tests and the real-desktop end-to-end test: an X server, a window
# manager, a tray host, a D-Bus session and a notification daemon, plus the libraries the Qt
# xcb/offscreen platforms link against. Installs only what is missing; as root only.
set -euo pipefail
pkgs=(xvfb xauth openbox trayer dunst dbus dbus-x11 x11-utils xdotool imagemagick
      libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0
      libxcb-render-util0 libxcb-xinerama0 libxcb-image0 fonts-dejavu-core fonts-noto-cjk desktop-file-utils)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "desktop-deps: missing ${missing[*]}; install with: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "desktop-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
