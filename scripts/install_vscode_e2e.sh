#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs (tests/editors/vscode_e2e/):
# a real VS Code (code-server, VS Code in a browser) and a browser to drive it
# (Debian chromium through playwright-core). Prints the install directory on
# stdout; everything else goes to stderr.
#
# Offline from registries only: code-server's own postinstall downloads
# ripgrep from GitHub, so it is installed with --ignore-scripts and its native
# modules are built here from source against the system node headers.
# `playwright install` (a browser download) is never run.
#
# The build is cached under $CODEMELD_E2E_CACHE (default
# ~/.cache/codemeld-e2e), outside the repository: a second run takes seconds.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_CORE_VERSION=1.65.1
CACHE=${CODEMELD_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/codemeld-e2e}
DEST=$CACHE/code-server-$CODE_SERVER_VERSION-pw$PLAYWRIGHT_CORE_VERSION
APT_PACKAGES=(chromium libkrb5-dev ripgrep)

log() { echo "install_vscode_e2e: $*" >&2; }
die() { log "$*"; exit 1; }

# --- Debian packages --------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=()
    [ "$(id -u)" = 0 ] || SUDO=(sudo -n)
    command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
    log "apt-get install ${missing[*]}"
    "${SUDO[@]}" apt-get update -q >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
        || die "apt-get install ${missing[*]} failed"
fi

# --- node 20 ----------------------------------------------------------------
command -v node >/dev/null || die "node not found (code-server $CODE_SERVER_VERSION needs node 20)"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" = 20 ] || die "node $(node --version) found; code-server $CODE_SERVER_VERSION needs node 20"
NODEDIR=${NODEDIR:-$(dirname "$(dirname "$(command -v node)")")}
[ -f "$NODEDIR/include/node/node.h" ] || die "node headers not found under $NODEDIR/include/node (Debian: nodejs headers; or set NODEDIR)"

if [ -f "$DEST/.complete" ]; then
    echo "$DEST"
    exit 0
fi
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9  # two test runs at once: the second waits, then finds the build done
if [ -f "$DEST/.complete" ]; then
    echo "$DEST"
    exit 0
fi

# --- code-server and playwright-core, without install scripts ---------------
log "building code-server $CODE_SERVER_VERSION in $DEST (a few minutes, once)"
rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp"
cd "$DEST.tmp"
NPM=(npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
"${NPM[@]}" "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION" >&2

# What code-server's postinstall.sh does, minus the downloads.
CS=$PWD/node_modules/code-server
(cd "$CS/lib/vscode" && "${NPM[@]}" --omit=dev >&2)
ln -sfn node_modules "$CS/lib/vscode/node_modules.asar"
(cd "$CS/lib/vscode/bin/remote-cli" && ln -sfn code-linux.sh code-server)
(cd "$CS/lib/vscode/bin/helpers" && ln -sfn browser-linux.sh browser.sh)
(cd "$CS/lib/vscode/extensions" && "${NPM[@]}" --omit=dev >&2)

# --- native modules from source ----------------------------------------------
NODE_GYP=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js
[ -f "$NODE_GYP" ] || NODE_GYP=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
[ -f "$NODE_GYP" ] || die "node-gyp (bundled with npm) not found"
JOBS=$(nproc 2>/dev/null || echo 2)
(cd node_modules/argon2 && node ../@mapbox/node-pre-gyp/bin/node-pre-gyp rebuild --build-from-source "--nodedir=$NODEDIR" >&2)
for mod in kerberos @vscode/deviceid @vscode/spdlog native-watchdog node-pty; do
    log "node-gyp rebuild $mod"
    (cd "$CS/lib/vscode/node_modules/$mod" && node "$NODE_GYP" rebuild "--nodedir=$NODEDIR" -j "$JOBS" >&2)
done
mkdir -p "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin"
ln -sfn "$(command -v rg)" "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"

# Smoke check: the server entry point loads its native modules.
# (XDG dirs inside the build: --version writes a default config file.)
XDG_CONFIG_HOME=$PWD/.smoke XDG_DATA_HOME=$PWD/.smoke node "$CS/out/node/entry.js" --version >&2 \
    || die "code-server does not start"
rm -rf .smoke

touch .complete
cd "$CACHE"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "$DEST"
