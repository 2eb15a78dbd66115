#!/usr/bin/env bash
# Builds the real engines the engine end-to-end tests (test/engines/) run against, from their
# published Go modules, into .cache/engines/bin/:
#   pulumi                         github.com/pulumi/pulumi/pkg/v3/cmd/pulumi   (PULUMI_VERSION)
#   pulumi-resource-pulumi-nodejs  symlink to the dynamic-provider shim in @pulumi/pulumi (npm)
#   pulumi-language-nodejs         see NODEJS_HOST below
#   sops                           github.com/getsops/sops/v3/cmd/sops          (SOPS_VERSION)
#   tofu                           github.com/opentofu/opentofu/cmd/tofu        (TOFU_VERSION)
#   atmos                          not served by the Go module proxy: see ATMOS below
#   vault                          github.com/hashicorp/vault (root main package) (VAULT_VERSION):
#                                  on request only (`build-engines.sh vault`); the store tests
#                                  use it instead of OpenBao's bao when it is there
#
# Each module with `replace` lines in its go.mod is built through a small wrapper module
# generated under .cache/engines/src/<name>/ that requires it at the pinned version and repeats
# its non-local replaces (local `../x` replaces become plain requires of the same version).
#
# A binary is skipped when present with a stamp naming the same module@version and Go version.
# Go's own caches (GOMODCACHE, GOCACHE: ~/go/pkg/mod, ~/.cache/go-build) are used as they are,
# and the wrapper modules have fixed module paths and build with -trimpath, so a fresh clone on a
# machine whose Go caches are warm only relinks (the compiled packages' cache keys do not depend
# on the clone's folder).
#
# Usage: scripts/build-engines.sh [name...]    (default: all)
# Env:   ENGINES_GOMAXPROCS (default 2), ENGINES_NICE (default 10)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENG="$ROOT/.cache/engines"
BIN="$ENG/bin"
mkdir -p "$BIN" "$ENG/src" "$ENG/logs"

PULUMI_VERSION=v3.248.0   # = the @pulumi/pulumi in package.json (3.248)
SOPS_VERSION=v3.13.3
TOFU_VERSION=v1.11.0
# The newest github.com/hashicorp/vault the Go module proxy lists. OpenBao (github.com/openbao/openbao)
# is not listed by the proxy at all, so the HashiCorp server is the one built.
VAULT_VERSION=v1.21.4

export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false -trimpath"
export GOMAXPROCS="${ENGINES_GOMAXPROCS:-2}"
NICE=(nice -n "${ENGINES_NICE:-10}")
GO_VERSION="$(go env GOVERSION)"

log() { echo "build-engines: $*"; }

# stamp_ok NAME STAMP: the binary exists and was built from the same inputs.
stamp_ok() { [ -x "$BIN/$1" ] && [ -f "$BIN/.$1.stamp" ] && [ "$(cat "$BIN/.$1.stamp")" = "$2" ]; }

# build_go NAME MODULE VERSION PACKAGE LDFLAGS [REPLACE...]
#   REPLACE lines are "old => new version" as in go.mod.
build_go() {
  local name="$1" module="$2" version="$3" pkg="$4" ldflags="$5"; shift 5
  local stamp="$module@$version $GO_VERSION"
  if stamp_ok "$name" "$stamp"; then log "$name $version present"; return 0; fi
  local src="$ENG/src/$name" start=$SECONDS
  rm -rf "$src"; mkdir -p "$src"
  {
    echo "module infrakey.local/engines/$name"
    echo
    echo "go 1.25"
    echo
    echo "require $module $version"
    for r in "$@"; do echo "replace $r"; done
  } > "$src/go.mod"
  # Imports the main package so that `go mod tidy` records everything it needs.
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" > "$src/tools.go"
  log "$name: resolving $module@$version (log: .cache/engines/logs/$name.log)"
  (
    cd "$src"
    "${NICE[@]}" go mod tidy -e
    "${NICE[@]}" go build -p "$GOMAXPROCS" -ldflags "-s -w $ldflags" -o "$BIN/$name.tmp" "$pkg"
  ) > "$ENG/logs/$name.log" 2>&1 || {
    tail -n 30 "$ENG/logs/$name.log" >&2
    log "$name: build FAILED (full log: $ENG/logs/$name.log)" >&2
    return 1
  }
  mv -f "$BIN/$name.tmp" "$BIN/$name"
  echo "$stamp" > "$BIN/.$name.stamp"
  log "$name $version built in $((SECONDS - start)) s"
}

build_pulumi() {
  build_go pulumi github.com/pulumi/pulumi/pkg/v3 "$PULUMI_VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    "github.com/pulumi/pulumi/sdk/v3 => github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION" \
    "github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e"
}

# The dynamic-provider shim is a shell script inside the @pulumi/pulumi npm package; the CLI
# finds it on PATH next to itself. A relative symlink: install-test-deps.sh runs before `npm ci`
# on a fresh clone, so the target may appear only later.
install_shim() {
  local link="$BIN/pulumi-resource-pulumi-nodejs"
  local target="../../../node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  if [ "$(readlink "$link" 2>/dev/null)" != "$target" ]; then ln -sfn "$target" "$link"; fi
  log "pulumi-resource-pulumi-nodejs -> node_modules/@pulumi/pulumi (the npm package's shim)"
}

build_sops() {
  build_go sops github.com/getsops/sops/v3 "$SOPS_VERSION" github.com/getsops/sops/v3/cmd/sops ""
}

build_tofu() {
  build_go tofu github.com/opentofu/opentofu "$TOFU_VERSION" github.com/opentofu/opentofu/cmd/tofu \
    "-X github.com/opentofu/opentofu/version.dev=no" \
    "github.com/hashicorp/hcl/v2 v2.20.1 => github.com/opentofu/hcl/v2 v2.20.2-0.20251021132045-587d123c2828"
}

# Vault's go.mod replaces its own api/sdk sub-modules with local folders, which a module zip does
# not contain: the wrapper requires the published versions its go.mod names instead (MVS may
# raise them). The two non-local replaces are repeated.
build_vault() {
  build_go vault github.com/hashicorp/vault "$VAULT_VERSION" github.com/hashicorp/vault "" \
    "github.com/99designs/keyring => github.com/Jeffail/keyring v1.2.3" \
    "github.com/ma314smith/signedxml v1.1.1 => github.com/moov-io/signedxml v1.1.1"
}

targets=("$@")
# vault is built on request only: ~1,950 packages, longer than a CI run (docs/engines.md).
[ ${#targets[@]} -gt 0 ] || targets=(pulumi shim sops tofu)
status=0
for t in "${targets[@]}"; do
  case "$t" in
    pulumi) build_pulumi || status=1 ;;
    shim) install_shim || status=1 ;;
    sops) build_sops || status=1 ;;
    tofu) build_tofu || status=1 ;;
    vault) build_vault || status=1 ;;
    *) log "unknown engine '$t'" >&2; status=1 ;;
  esac
done
exit "$status"
