#!/usr/bin/env bash
# scripts/with-keyring.sh CMD [ARGS...]
# Runs CMD on a private D-Bus session bus with a fresh, unlocked gnome-keyring Secret Service
# (the real system keyring the tests use, DESIGN.md §7), and exits with CMD's status.
# The keyring lives in a temp dir deleted afterwards: the user's own keyrings are never touched.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/infrakey-keyring.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
mkdir -m 700 "$TMP/data" "$TMP/run"

# dbus-daemon warns on stderr (e.g. it cannot raise its fd limit in a container); send its
# output to a log so the test output stays clean, shown only if the keyring does not work.
cat > "$TMP/dbus-daemon" <<EOF
#!/bin/sh
exec dbus-daemon "\$@" 2>>"$TMP/dbus.log"
EOF
chmod +x "$TMP/dbus-daemon"

# The session bus and everything on it (gnome-keyring-daemon, and any daemon D-Bus would
# auto-start) see XDG_DATA_HOME/XDG_RUNTIME_DIR in the temp dir; CMD gets the caller's values
# back through `env` below.
unsets=(-u KR_TMP) sets=()   # env takes all its -u options before any NAME=VALUE
for v in XDG_DATA_HOME XDG_RUNTIME_DIR; do
  if [ -n "${!v+set}" ]; then sets+=("$v=${!v}"); else unsets+=(-u "$v"); fi
done
restore=(env "${unsets[@]}" "${sets[@]}")

# Inside the session: unlock (which creates) the "login" collection with a throwaway password,
# wait until the daemon owns the Secret Service name (--unlock returns before that), prove a
# store + lookup works with no prompt, run CMD, then stop that daemon by its pid (it can outlive
# the bus otherwise). GNOME_KEYRING_CONTROL is unset so --unlock cannot reach a desktop's keyring.
# shellcheck disable=SC2016  # the script is expanded by the inner sh, not here
INNER='
  fail() { echo "with-keyring: $1" >&2; cat "$KR_TMP/gkd.log" "$KR_TMP/dbus.log" >&2 2>/dev/null
          [ -n "${gkd_pid:-}" ] && kill "$gkd_pid" 2>/dev/null; exit 1; }
  bus() { dbus-send --session --print-reply --dest=org.freedesktop.DBus / "org.freedesktop.DBus.$1" string:org.freedesktop.secrets 2>/dev/null; }
  unset GNOME_KEYRING_CONTROL
  out="$(printf %s infrakey-test | gnome-keyring-daemon --unlock --components=secrets 2>"$KR_TMP/gkd.log")" \
    || fail "gnome-keyring-daemon --unlock failed"
  # It may print VAR=value lines (GNOME_KEYRING_CONTROL); export them for CMD.
  for kv in $out; do case "$kv" in [A-Z_]*=*) export "$kv" ;; esac; done
  i=0
  until bus NameHasOwner | grep -q "boolean true"; do
    i=$((i + 1)); [ "$i" -le 100 ] || fail "gnome-keyring-daemon did not register on D-Bus within 10 s"; sleep 0.1
  done
  gkd_pid="$(bus GetConnectionUnixProcessID | awk "/uint32/ {print \$2}")"
  # The probe must answer within 10 s: a locked collection would wait on a prompt instead.
  if ! printf v | timeout 10 secret-tool store --label=infrakey-probe service infrakey-probe username atmos-auth \
     || [ "$(timeout 10 secret-tool lookup service infrakey-probe username atmos-auth)" != v ]; then
    fail "the Secret Service does not store/look up without a prompt"
  fi
  timeout 10 secret-tool clear service infrakey-probe username atmos-auth || true  # tests start empty
  "$@"; status=$?
  [ -n "$gkd_pid" ] && kill "$gkd_pid" 2>/dev/null
  exit "$status"
'
status=0
KR_TMP="$TMP" XDG_DATA_HOME="$TMP/data" XDG_RUNTIME_DIR="$TMP/run" \
  dbus-run-session --dbus-daemon="$TMP/dbus-daemon" -- sh -c "$INNER" sh "${restore[@]}" "$@" || status=$?
exit "$status"
