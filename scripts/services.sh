#!/usr/bin/env bash
# Starts / stops the real servers the tests talk to (DESIGN.md §7): redis-server, the moto
# AWS server and a Vault-compatible dev server, each on a free port on 127.0.0.1. The dev server
# is HashiCorp Vault when scripts/build-engines.sh vault built it, else OpenBao's bao
# (scripts/install-test-deps.sh).
#   scripts/services.sh start   -> writes .cache/services/env (source it to get the endpoints)
#   scripts/services.sh stop    -> kills what `start` recorded, by pid only
# Logs: .cache/services/{redis,moto,vault}.log. Install first with scripts/install-test-deps.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/.cache/services"
MOTO_PY="$ROOT/.cache/moto/usr/lib/python3/dist-packages"
VAULT_BIN="$ROOT/.cache/engines/bin/vault"
[ -x "$VAULT_BIN" ] || VAULT_BIN="$ROOT/.cache/engines/bin/bao"
TIMEOUT=20

# Kill one recorded service. The pid is checked against the expected command line first, so a
# stale pid file never kills an unrelated process that reused the pid.
stop_one() {
  local name=$1 pattern=$2 pidfile="$DIR/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -q -- "$pattern"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "services: stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

stop_all() {
  stop_one redis redis-server
  stop_one moto moto.server
  stop_one vault ' server -dev'
  rm -f "$DIR/env"
}

# Fail with the service's name and log, and take down whatever this run already started.
fail() {
  echo "services: $1; log: $2" >&2
  tail -n 20 "$2" >&2 2>/dev/null || true
  stop_all >&2
  exit 1
}

# wait_for NAME LOG PID CHECK...: poll CHECK until it succeeds, the process dies, or TIMEOUT.
wait_for() {
  local name=$1 log=$2 pid=$3; shift 3
  local deadline=$((SECONDS + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || fail "$name exited before it was ready" "$log"
    [ "$SECONDS" -lt "$deadline" ] || fail "$name did not become ready within ${TIMEOUT}s" "$log"
    sleep 0.2
  done
}

# Any HTTP answer from moto means it is serving (/moto-api/ gives 200; older builds 404).
http_up() {
  node -e 'fetch(process.argv[1]).then(r => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))' "$1"
}

start() {
  stop_all >/dev/null   # a second `start` replaces the first instead of leaking servers
  mkdir -p "$DIR"
  [ -d "$MOTO_PY/moto" ] || { echo "services: moto not installed; run scripts/install-test-deps.sh" >&2; exit 1; }

  # Ask the kernel for three distinct free ports (the sockets are held open until all are known).
  local ports redis_port moto_port vault_port
  ports="$(node -e '
    const net = require("net");
    const open = () => new Promise((r) => { const s = net.createServer().listen(0, "127.0.0.1", () => r(s)); });
    Promise.all([open(), open(), open()]).then((s) => { console.log(s.map((x) => x.address().port).join(" ")); s.forEach((x) => x.close()); });')"
  read -r redis_port moto_port vault_port <<< "$ports"

  # Fresh log files: a worktree made with `cp -al` shares the old ones (hard links) with main.
  rm -f "$DIR/redis.log" "$DIR/moto.log"
  # Daemons run in the background with no stdin and their output in their logs, so a caller
  # that pipes our output (`| tee`) is not held open by them.
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    < /dev/null > "$DIR/redis.log" 2>&1 &
  echo $! > "$DIR/redis.pid"
  PYTHONPATH="$MOTO_PY" /usr/bin/python3 -m moto.server -H 127.0.0.1 -p "$moto_port" \
    < /dev/null > "$DIR/moto.log" 2>&1 &
  echo $! > "$DIR/moto.pid"

  # -dev mode: in-memory storage, unsealed, KV v2 at secret/, a fresh root token per start
  # (never the well-known "root"; given in the environment, not argv), not written to
  # ~/.vault-token. BAO_ and VAULT_ spellings, so either server takes it.
  local vault_token=""
  if [ -x "$VAULT_BIN" ]; then
    rm -f "$DIR/vault.log"; (umask 077; : > "$DIR/vault.log")
    vault_token="infrakey-dev-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    VAULT_DEV_ROOT_TOKEN_ID="$vault_token" BAO_DEV_ROOT_TOKEN_ID="$vault_token" "$VAULT_BIN" server -dev -dev-listen-address="127.0.0.1:$vault_port" \
      -dev-no-store-token < /dev/null > "$DIR/vault.log" 2>&1 &   # 0600 below: it prints the root token
    echo $! > "$DIR/vault.pid"
  fi

  wait_for redis "$DIR/redis.log" "$(cat "$DIR/redis.pid")" \
    sh -c "redis-cli -h 127.0.0.1 -p $redis_port ping | grep -q PONG"
  wait_for moto "$DIR/moto.log" "$(cat "$DIR/moto.pid")" http_up "http://127.0.0.1:$moto_port/moto-api/"
  if [ -n "$vault_token" ]; then
    wait_for vault "$DIR/vault.log" "$(cat "$DIR/vault.pid")" http_up "http://127.0.0.1:$vault_port/v1/sys/health"
  fi

  # 0600: it holds the dev server's root token.
  rm -f "$DIR/env"; (umask 077; : > "$DIR/env")
  cat > "$DIR/env" <<EOF
export INFRAKEY_TEST_MOTO_ENDPOINT=http://127.0.0.1:$moto_port
export INFRAKEY_TEST_REDIS_URL=redis://127.0.0.1:$redis_port
EOF
  if [ -n "$vault_token" ]; then
    cat >> "$DIR/env" <<EOF
export INFRAKEY_TEST_VAULT_ADDR=http://127.0.0.1:$vault_port
export INFRAKEY_TEST_VAULT_TOKEN=$vault_token
export INFRAKEY_TEST_VAULT_SERVER="$("$VAULT_BIN" version | head -n1 | cut -d' ' -f1-2)"
EOF
    echo "services: $(basename "$VAULT_BIN") -dev on 127.0.0.1:$vault_port (pid $(cat "$DIR/vault.pid"))"
  else
    # The vault tests then fail naming the missing server (they never skip).
    echo "services: no Vault-compatible server in .cache/engines/bin (run scripts/install-test-deps.sh): vault store tests will fail" >&2
  fi
  echo "services: redis on 127.0.0.1:$redis_port (pid $(cat "$DIR/redis.pid")), moto on 127.0.0.1:$moto_port (pid $(cat "$DIR/moto.pid")); env in ${DIR#"$ROOT/"}/env"
}

case "${1:-}" in
  start) start ;;
  stop) stop_all ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
