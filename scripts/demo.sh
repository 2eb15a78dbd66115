#!/usr/bin/env bash
# The quickstart demo (no cloud): a SOPS/age secret declared in stack config, provisioned and
# consumed with `infrakey secret`. Runs in a temporary copy of examples/quickstart.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

[ -d node_modules ] || { echo "==> installing node modules (npm ci)"; npm ci --no-audit --no-fund; }
echo "==> building (npm run build)"
npm run --silent build

WORK="$(mktemp -d "${TMPDIR:-/tmp}/infrakey-demo.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cp -R examples/quickstart/. "$WORK/"
cd "$WORK"
# Keep the demo away from your own sops keys and config.
export HOME="$WORK" XDG_CONFIG_HOME="$WORK/.xdg"
unset SOPS_AGE_KEY_FILE SOPS_AGE_KEY ATMOS_CLI_CONFIG_PATH ATMOS_BASE_PATH ATMOS_PROFILE || true
IK=(node "$ROOT/dist/cli/infrakey.js")

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then B=$'\033[1m' N=$'\033[0m'; else B='' N=''; fi
step() { printf '\n%s==> %s%s\n$ %s\n' "$B" "$1" "$N" "$2"; }

step "keygen: create an age key (private key to .age/keys.txt, 0600; public recipient into .sops.yaml)" "infrakey secret keygen"
"${IK[@]}" secret keygen

step "set: store DB_PASSWORD for component api in stack dev; the value comes from stdin, never argv" "printf %s '…' | infrakey secret set DB_PASSWORD -s dev -c api"
printf '%s' "demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" | "${IK[@]}" secret set DB_PASSWORD -s dev -c api

step "list: declared secrets, their backend, scope and whether a value exists (nothing is decrypted)" "infrakey secret list -s dev -c api"
"${IK[@]}" secret list -s dev -c api

step "validate: every required secret of every component in stack dev has a value (exit 1 otherwise)" "infrakey secret validate -s dev"
"${IK[@]}" secret validate -s dev

step "get: read it back; values are masked unless you pass --mask=false" "infrakey secret get DB_PASSWORD -s dev -c api"
"${IK[@]}" secret get DB_PASSWORD -s dev -c api

step "describe: the merged component (abstract base, import, inheritance); !secret shows as <MASKED>" "infrakey describe component api -s dev"
"${IK[@]}" describe component api -s dev

step "exec: run a command with the declared secrets as env vars; --mask hides them in its output" "infrakey secret exec -s dev -c api --mask -- sh -c 'echo DB_PASSWORD=\$DB_PASSWORD (\${#DB_PASSWORD} chars)'"
"${IK[@]}" secret exec -s dev -c api --mask -- sh -c 'echo "DB_PASSWORD=$DB_PASSWORD (${#DB_PASSWORD} chars)"'

printf '\nThe encrypted file (values are ciphertext; safe to commit):\n'
head -n 3 secrets/dev.enc.yaml
