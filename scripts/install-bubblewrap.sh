#!/bin/sh
# Installs bubblewrap (bwrap), which troupe contains every plan command with
# (docs/explanation/sandbox.md), when it is missing: Debian/Ubuntu (apt-get), Fedora/RHEL
# (dnf), Alpine (apk), Arch (pacman). Uses sudo when not root and sudo exists.
# Exits 0 when bwrap is there afterwards; otherwise says what to do and exits 1.
set -u
if command -v bwrap >/dev/null 2>&1; then
  exit 0
fi
if [ "$(uname -s)" != Linux ]; then
  echo "troupe contains commands with bubblewrap, which needs Linux; on $(uname -s) set {\"sandbox\": {\"mode\": \"off\"}} in .troupe/config.json (see docs/explanation/sandbox.md)" >&2
  exit 1
fi
sudo=''
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo='sudo'; else
    echo "bubblewrap is not installed and this is not root: install the package bubblewrap, then run this again" >&2
    exit 1
  fi
fi
echo "installing bubblewrap (bwrap), which troupe contains plan commands with…" >&2
if command -v apt-get >/dev/null 2>&1; then
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq bubblewrap >/dev/null
elif command -v dnf >/dev/null 2>&1; then
  $sudo dnf install -y -q bubblewrap
elif command -v apk >/dev/null 2>&1; then
  $sudo apk add -q bubblewrap
elif command -v pacman >/dev/null 2>&1; then
  $sudo pacman -S --noconfirm --needed bubblewrap
fi
if command -v bwrap >/dev/null 2>&1; then
  exit 0
fi
echo "could not install bubblewrap: install the package bubblewrap with your system's package manager (see docs/explanation/sandbox.md)" >&2
exit 1
