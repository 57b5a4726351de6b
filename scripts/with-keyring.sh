#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, as the
# tests need a real Secret Service for keytar. The keyring lives in a throw-away directory
# (otherwise gnome-keyring writes a login keyring under $HOME that a later run finds locked)
# and the daemon exits with the D-Bus session.
# Usage: scripts/with-keyring.sh <command> [args…]
set -euo pipefail
KR=$(mktemp -d)
chmod 700 "$KR"
trap 'rm -rf "$KR"' EXIT
export TOKENTRAY_KEYRING_DIR="$KR"
dbus-run-session -- bash -c '
  printf %s ci-keyring-password | XDG_DATA_HOME="$TOKENTRAY_KEYRING_DIR/data" XDG_RUNTIME_DIR="$TOKENTRAY_KEYRING_DIR" \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"
' with-keyring "$@"
