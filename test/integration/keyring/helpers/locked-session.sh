#!/bin/sh
# Runs inside its own dbus-run-session: a gnome-keyring whose "login" collection holds an entry
# and is then LOCKED (org.freedesktop.Secret.Service.Lock), then the probe child. No display, so
# nobody can answer the unlock prompt: the keyring is as on a headless server after login.
set -e
unset GNOME_KEYRING_CONTROL
out="$(printf %s locked-test-pw | XDG_DATA_HOME="$KR_TMP/data" XDG_RUNTIME_DIR="$KR_TMP/run" gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
for kv in $out; do case "$kv" in [A-Z_]*=*) export "$kv" ;; esac; done
printf %s locked-value | timeout 10 secret-tool store --label=locked service "$KR_KEY" username atmos-auth
timeout 10 gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
  --method org.freedesktop.Secret.Service.Lock "['/org/freedesktop/secrets/collection/login']" >/dev/null
unset DISPLAY WAYLAND_DISPLAY
exec node "$KR_PROBE"
