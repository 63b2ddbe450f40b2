#!/bin/sh
# The build job's smoke test of the image it built, before anything is pushed: the image runs as
# production runs it, against the test job's PostgreSQL and Redis images on a network of its own
# (under the same aliases), and .ci/smoke-checks.sh asks it from a curl container on that network.
# The containers run in the job's docker:dind daemon, whose network the job container cannot reach
# by name. A failure prints the service's output and exits 1: the job then pushes nothing.
#   sh .ci/smoke-image.sh <image>    (SMOKE_POSTGRES_IMAGE, SMOKE_REDIS_IMAGE, SMOKE_CURL_IMAGE)
set -eu
image=${1:?usage: smoke-image.sh <image>}
: "${SMOKE_POSTGRES_IMAGE:?}" "${SMOKE_REDIS_IMAGE:?}" "${SMOKE_CURL_IMAGE:?}"
checks="$(dirname "$0")/smoke-checks.sh"
run="smoke-$$"

finish() {
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "--- the service's output:" >&2
    docker logs "$run-app" >&2 2>&1 || true
  fi
  docker rm -f "$run-app" "$run-postgres" "$run-redis" >/dev/null 2>&1 || true
  docker network rm "$run" >/dev/null 2>&1 || true
  exit "$status"
}
trap finish EXIT

docker network create "$run" >/dev/null
docker run -d --name "$run-postgres" --network "$run" --network-alias postgres \
  --env POSTGRES_HOST_AUTH_METHOD=trust "$SMOKE_POSTGRES_IMAGE" >/dev/null
docker run -d --name "$run-redis" --network "$run" --network-alias redis "$SMOKE_REDIS_IMAGE" >/dev/null

# The service migrates as it starts, and exits when PostgreSQL does not answer: wait for it first.
# Over TCP: the image's first start answers on its socket only, while it initialises.
deadline=$(($(date +%s) + 120))
until docker exec "$run-postgres" pg_isready --quiet --host 127.0.0.1 --username postgres; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "smoke: FAIL $SMOKE_POSTGRES_IMAGE did not start" >&2; exit 1; }
  sleep 1
done

# Production's settings (the image sets NODE_ENV=production), with the servers above.
docker run -d --name "$run-app" --network "$run" --network-alias app \
  --env POSTGRES_URI=postgres://postgres@postgres:5432/postgres \
  --env REDIS_URI=redis://redis:6379 \
  --env WRITE_TOKENS=smoke-test-token \
  "$image" >/dev/null

docker run --rm -i --network "$run" --entrypoint sh "$SMOKE_CURL_IMAGE" -s -- http://app:5000 <"$checks"
