#!/usr/bin/env bash
# Installs the Debian packages that the real-server and delivery tests drive, when missing:
# pgbouncer (transaction pooling), prometheus (promtool), wrk (bench), buildah and mmdebstrap
# (the image test), haproxy (the fleet test's balancer). A fresh machine has none of them; a machine that kept them skips apt.
set -euo pipefail
declare -A binary_of=(
  [pgbouncer]=/usr/sbin/pgbouncer
  [prometheus]=/usr/bin/promtool
  [wrk]=/usr/bin/wrk
  [buildah]=/usr/bin/buildah
  [mmdebstrap]=/usr/bin/mmdebstrap
  [haproxy]=/usr/sbin/haproxy
)
missing=()
for package in "${!binary_of[@]}"; do
  [ -x "${binary_of[$package]}" ] || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present: ${!binary_of[*]}"
  exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d on these machines keeps the packages' own services (prometheus, pgbouncer) from
# starting; the tests start private instances on free ports.
apt-get install -y -qq "${missing[@]}" >/dev/null
