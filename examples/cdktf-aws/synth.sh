#!/usr/bin/env bash
# Demo: synthesize this app exactly as `cdktf synth` does (the app command runs with CDKTF_OUTDIR
# and cdktf.json's context in CDKTF_CONTEXT_JSON), then show what cdk.tf.json holds for the
# identity and the two secrets. Needs no cloud, no login and no Terraform. In your own project
# run `npx cdktf synth` instead (cdktf-cli + ts-node).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export CDKTF_OUTDIR="$PWD/cdktf.out"
CDKTF_CONTEXT_JSON="$(node -p 'JSON.stringify(require("./cdktf.json").context)')"
export CDKTF_CONTEXT_JSON
node ../../scripts/run-ts-app.js main.ts
node -e '
const doc = require(process.argv[1]);
const show = (title, v) => console.log(`${title}\n${JSON.stringify(v, null, 2)}\n`);
show("provider.aws (identity files + assume_role, no keys):", doc.provider.aws);
show("data.aws_ssm_parameter (DB_PASSWORD, read by Terraform):", doc.data.aws_ssm_parameter);
show("variable.SIGNING_KEY (SOPS, filled by infrakey secret exec --tf-vars):", doc.variable);
' "$CDKTF_OUTDIR/stacks/api-dev/cdk.tf.json"
