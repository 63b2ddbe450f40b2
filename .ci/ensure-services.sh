#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer at TEST_POSTGRES_URI / TEST_REDIS_URI (defaults: the
# machine's own servers), starting them with the machine's usual commands when they do not.
set -euo pipefail
pg_uri="${TEST_POSTGRES_URI:-postgres://postgres@127.0.0.1:5432/postgres}"
redis_uri="${TEST_REDIS_URI:-redis://127.0.0.1:6379}"

wait_for() { # name, command...
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then echo "$name is up"; return 0; fi
    sleep 0.5
  done
  echo "$name did not come up: set TEST_POSTGRES_URI / TEST_REDIS_URI to a reachable server" >&2
  return 1
}

if ! pg_isready -d "$pg_uri" >/dev/null 2>&1; then
  echo "PostgreSQL is not answering at $pg_uri: starting the local cluster"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
  fi
fi
wait_for PostgreSQL pg_isready -d "$pg_uri"

if ! redis-cli -u "$redis_uri" ping >/dev/null 2>&1; then
  echo "Redis is not answering at $redis_uri: starting a local server"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
wait_for Redis redis-cli -u "$redis_uri" ping
