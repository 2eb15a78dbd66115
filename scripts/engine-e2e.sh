#!/usr/bin/env bash
# Runs the real-engine end-to-end tests alone (test/engines/): the Pulumi CLI on
# examples/pulumi-ci, sops interop both ways, OpenTofu. Builds what is missing first
# (scripts/build-engines.sh), starts moto/redis (scripts/services.sh) and stops them after.
#   scripts/engine-e2e.sh [jest args...]
# scripts/test.sh runs the same files as part of the whole suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/install-test-deps.sh
npm run --silent build
trap './scripts/services.sh stop' EXIT
./scripts/services.sh start
# shellcheck source=/dev/null
. .cache/services/env
npx jest --ci test/engines "$@"
