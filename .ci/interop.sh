#!/usr/bin/env bash
# Interoperability test (issue 13, deliverable 7): the example authorization server, offline
# with its in-process stand-in for Authlete, driven by an independent OpenID Certified
# relying party (Node `openid-client`) and a real headless Chromium (Debian's `chromium`,
# through `playwright-core`), plus hostile requests with plain fetch. See interop/interop.mjs.
#
# Installs what it needs when missing (apt-get: chromium, nodejs, npm; `npm ci` with the
# committed lock file), starts the server on a free loopback port, always stops it, prints
# one line per step and exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf '# %s\n' "$*"; }
started=$(date +%s)

# --- What the test needs ------------------------------------------------------------------
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} (apt-get)"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
log "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: no version')"
log "node $(node --version), npm $(npm --version)"

if [ ! -d interop/node_modules/openid-client ] || [ ! -d interop/node_modules/playwright-core ] \
    || [ interop/package-lock.json -nt interop/node_modules/.package-lock.json ]; then
    log "npm ci (interop/)"
    # playwright-core never downloads a browser; the test uses /usr/bin/chromium.
    (cd interop && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# --- The example server -------------------------------------------------------------------
log "building the example server"
cargo build -q -p authlete --features axum --example server
target_dir=$(cargo metadata --format-version 1 --no-deps | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
server_bin="$target_dir/debug/examples/server"

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
base="http://127.0.0.1:$port"
server_log=$(mktemp)
server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -f "$server_log"
    [ -z "${work:-}" ] || rm -rf "$work"
}
trap stop_server EXIT

# No Authlete configuration: the server runs against the stand-in (offline). An
# authlete.ini in the working directory would make it call a real Authlete, so run it
# from an empty directory with the AUTHLETE_* (and DEMO_* client) variables unset.
work=$(mktemp -d)
unset_vars=()
for name in $(compgen -e); do
    case "$name" in AUTHLETE_* | DEMO_*) unset_vars+=(-u "$name") ;; esac
done
(cd "$work" && exec env "${unset_vars[@]}" PORT="$port" "$server_bin") >"$server_log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$base/.well-known/openid-configuration" 2>/dev/null; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "not ok - the example server exited:" && cat "$server_log"
        exit 1
    fi
    sleep 0.1
done
if ! grep -q "Authorization server on $base" "$server_log"; then
    echo "not ok - the example server did not start on $base:" && cat "$server_log"
    exit 1
fi
if ! grep -q "stand-in for Authlete" "$server_log"; then
    echo "not ok - the example server is not using the offline stand-in:" && cat "$server_log"
    exit 1
fi
log "example server on $base (pid $server_pid, offline stand-in)"

# --- The test -----------------------------------------------------------------------------
status=0
(cd interop && BASE_URL="$base" CHROMIUM=/usr/bin/chromium timeout 300 node interop.mjs) || status=$?
if [ "$status" != 0 ]; then
    log "server log:"
    sed 's/^/#   /' "$server_log" | tail -40
fi
log "interop: $(( $(date +%s) - started )) s"
exit "$status"
