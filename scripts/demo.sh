#!/usr/bin/env bash
# The quickstart demo (no cloud): a SOPS/age secret declared in stack config, provisioned and
# consumed with `infrakey secret`, then the CDKTF example synthesized without any value in
# cdk.tf.json. Runs in temporary copies of examples/quickstart and examples/cdktf-aws; needs no
# cloud account, no login and no Terraform.
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
unset SOPS_AGE_KEY_FILE SOPS_AGE_KEY ATMOS_CLI_CONFIG_PATH ATMOS_BASE_PATH ATMOS_PROFILE ATMOS_IDENTITY ATMOS_XDG_CONFIG_HOME || true
IK=(node "$ROOT/dist/cli/infrakey.js")
# The demo's secret value: random, so that the last step can look for it.
VALUE="demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then B=$'\033[1m' N=$'\033[0m'; else B='' N=''; fi
step() { printf '\n%s==> %s%s\n$ %s\n' "$B" "$1" "$N" "$2"; }

step "keygen: create an age key (private key to .age/keys.txt, 0600; public recipient into .sops.yaml)" "infrakey secret keygen"
"${IK[@]}" secret keygen

step "set: store DB_PASSWORD for component api in stack dev; the value comes from stdin, never argv" "printf %s '…' | infrakey secret set DB_PASSWORD -s dev -c api"
printf '%s' "$VALUE" | "${IK[@]}" secret set DB_PASSWORD -s dev -c api

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

step "cdktf: synthesize examples/cdktf-aws (its SOPS secret set to the same value); cdk.tf.json gets an SSM data source, a sensitive variable and a provider on credential files: no value, no key" "printf %s '…' | infrakey secret set SIGNING_KEY -s dev -c api && cdktf synth   # synth run as: node scripts/run-ts-app.js main.ts"
APP="$WORK/cdktf-aws"
mkdir "$APP"
cp -R "$ROOT/examples/cdktf-aws/." "$APP/"
rm -rf "$APP/cdktf.out" "$APP/.age"
(
  cd "$APP"
  "${IK[@]}" secret keygen >/dev/null
  printf '%s' "$VALUE" | "${IK[@]}" secret set SIGNING_KEY -s dev -c api >/dev/null
  # What `cdktf synth` does: run the app with the output folder and cdktf.json's context.
  CDKTF_OUTDIR="$APP/cdktf.out" CDKTF_CONTEXT_JSON="$(node -p 'JSON.stringify(require("./cdktf.json").context)')" \
    node "$ROOT/scripts/run-ts-app.js" main.ts
)
JSON="$APP/cdktf.out/stacks/api-dev/cdk.tf.json"
node -e '
const doc = require(process.argv[1]);
const [ssm] = Object.values(doc.data.aws_ssm_parameter);
const [aws] = doc.provider.aws;
console.log(`data.aws_ssm_parameter  DB_PASSWORD (SSM): name ${ssm.name}, with_decryption ${ssm.with_decryption}; Terraform reads it`);
console.log(`variable.SIGNING_KEY    (SOPS): sensitive ${doc.variable.SIGNING_KEY.sensitive}, type ${doc.variable.SIGNING_KEY.type}; filled by infrakey secret exec --tf-vars`);
console.log(`provider.aws            profile ${aws.profile}, shared_credentials_files ${aws.shared_credentials_files.join(", ")}`);
console.log(`                        assume_role ${aws.assume_role.map((r) => r.role_arn).join(", ")}, region ${aws.region}`);
' "$JSON"
KEYS="$(grep -cE '"(access_key|secret_key|token)"' "$JSON" || true)"
VALUES="$(grep -cF "$VALUE" "$JSON" || true)"
printf '$ grep -cE %s cdk.tf.json   -> %s matches\n' "'\"(access_key|secret_key|token)\"'" "$KEYS"
printf '$ grep -cF <the secret value> cdk.tf.json                 -> %s matches\n' "$VALUES"
if [ "$KEYS" != 0 ] || [ "$VALUES" != 0 ]; then echo "demo: cdk.tf.json holds key material or the secret's value" >&2; exit 1; fi
