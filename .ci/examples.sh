#!/usr/bin/env bash
# Runs the examples of the `authlete` crate as a newcomer without an Authlete account would:
# no AUTHLETE_* variables and no authlete.ini, so each example must say so in one line on
# stderr, run against the stand-in for Authlete (the authlete-standin crate), and exit 0.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

examples=(quickstart ciba_poll device_flow management)

# No Authlete configuration: clear the environment of AUTHLETE_* variables, and run from an
# empty directory, so that an authlete.ini in the checkout is not picked up either.
while IFS= read -r name; do
    unset "$name"
done < <(compgen -e | grep '^AUTHLETE_' || true)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# Build first, so that compiler output does not mix with what the examples print.
cargo build -q --manifest-path "$root/Cargo.toml" -p authlete "${examples[@]/#/--example=}"

# A stuck example (say, polling forever) fails instead of hanging CI.
limit=()
if command -v timeout >/dev/null; then
    limit=(timeout 300)
fi

failed=0
fail() {
    echo "FAIL $1: $2" >&2
    failed=1
}
for example in "${examples[@]}"; do
    echo "== $example"
    status=0
    ${limit[@]+"${limit[@]}"} cargo run -q --manifest-path "$root/Cargo.toml" -p authlete \
        --example "$example" \
        >"$work/$example.out" 2>"$work/$example.err" || status=$?
    cat "$work/$example.out"
    if [ "$status" -ne 0 ]; then
        cat "$work/$example.err" >&2
        fail "$example" "exit code $status"
        continue
    fi
    if [ "$(wc -l <"$work/$example.err")" -ne 1 ] || ! grep -q 'stand-in' "$work/$example.err"; then
        cat "$work/$example.err" >&2
        fail "$example" "stderr is not the one line that announces the stand-in"
    fi
done

# The quick start prints the HTTP responses of the flow, as Authlete's Python SDK does.
for line in 'HTTP/1.1 302 Found' 'HTTP/1.1 200 OK' 'Content-Type: application/json'; do
    grep -qxF "$line" "$work/quickstart.out" || fail quickstart "no line '$line'"
done
grep -qE '^Location: https://[^ ]*[?&]code=[^&]+' "$work/quickstart.out" ||
    fail quickstart "no Location with the authorization code"

if [ "$failed" -ne 0 ]; then
    exit 1
fi
echo "examples: all ran against the stand-in"
