#!/bin/sh
# What the pipeline asks a freshly started image before it pushes it (.ci/smoke-image.sh runs this
# against the image; tests/delivery/smoke-checks.test.ts against the service started here): that
# it turns ready, then /healthz, GET /ping twice (a MISS recorded in PostgreSQL, then that same
# ping as a HIT from Redis) and /openapi.json. A line per check; the first wrong answer exits 1.
#   sh .ci/smoke-checks.sh <base url>    (SMOKE_TIMEOUT_SECONDS: the wait for readiness, default 60)
# POSIX sh and curl only: it runs in curlimages/curl's busybox too.
set -eu
base=${1:?usage: smoke-checks.sh <base url>}
timeout=${SMOKE_TIMEOUT_SECONDS:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "smoke: FAIL $*" >&2
  exit 1
}
ok() { echo "smoke: ok $*"; }
# get <path>: prints the status; the answer's headers and body land in $work.
get() {
  : >"$work/headers"
  : >"$work/body"
  code=$(curl -sS --max-time 10 -D "$work/headers" -o "$work/body" -w '%{http_code}' "$base$1" 2>"$work/error") || true
  echo "${code:-000}"
}
header() { tr -d '\r' <"$work/headers" | grep -i "^$1:" | tail -n 1 | cut -d: -f2- | sed 's/^ *//'; }
body() { head -c 300 "$work/body"; }
ping_id() { sed -n 's/.*"ping": *{ *"id": *\([0-9][0-9]*\).*/\1/p' "$work/body"; }

deadline=$(($(date +%s) + timeout))
until [ "$(get /readyz)" = 200 ]; do
  [ "$(date +%s)" -lt "$deadline" ] ||
    fail "GET /readyz: not ready within ${timeout}s: $(cat "$work/error")$(body)"
  sleep 1
done
ok "GET /readyz 200"

status=$(get /healthz)
[ "$status" = 200 ] || fail "GET /healthz: $status, expected 200"
ok "GET /healthz 200"

# check_ping <what> <X-Cache> <source>: GET /ping answers 200 with that X-Cache and source.
check_ping() {
  status=$(get /ping)
  cache=$(header x-cache)
  [ "$status" = 200 ] && [ "$cache" = "$2" ] || fail "$1: $status with X-Cache ${cache:-absent}, expected 200 $2: $(body)"
  grep -q "\"source\": *\"$3\"" "$work/body" || fail "$1 ($2): expected \"source\":\"$3\": $(body)"
}

# A fresh database and cache: the first GET /ping records a ping, the second serves it cached.
check_ping "GET /ping" MISS database
recorded=$(ping_id)
[ -n "$recorded" ] || fail "GET /ping (MISS): no ping id in $(body)"
ok "GET /ping 200 MISS (ping $recorded recorded)"
check_ping "GET /ping again" HIT cache
[ "$(ping_id)" = "$recorded" ] || fail "GET /ping (HIT): served ping $(ping_id), expected $recorded from the cache"
ok "GET /ping 200 HIT (ping $recorded from the cache)"

status=$(get /openapi.json)
type=$(header content-type)
[ "$status" = 200 ] || fail "GET /openapi.json: $status, expected 200"
case "$type" in application/json*) ;; *) fail "GET /openapi.json: Content-Type ${type:-absent}, expected application/json" ;; esac
grep -q '"openapi": *"3\.1' "$work/body" && grep -q '"/ping"' "$work/body" ||
  fail "GET /openapi.json: not an OpenAPI 3.1 document of /ping: $(body)"
ok "GET /openapi.json 200 (OpenAPI 3.1)"
