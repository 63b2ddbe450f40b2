#!/usr/bin/env bash
# Installs, from Debian, the packages of .ci/system-packages that the given npm scripts need (all
# of them when none is given), skipping those whose program is already there:
#   bash .ci/install-system-packages.sh test                the GitLab test job (npm test)
#   bash .ci/install-system-packages.sh --print <script...> the packages, one a line; installs nothing
set -euo pipefail
list="$(dirname "$0")/system-packages"
print=false
if [ "${1:-}" = --print ]; then
  print=true
  shift
fi
wanted=("$@")
known=$(awk '!/^#/ && NF { gsub(",", "\n", $3); print $3 }' "$list" | sort -u)
for script in "${wanted[@]}"; do
  grep -qxF -- "$script" <<<"$known" ||
    { echo "install-system-packages.sh: no package is listed for \"$script\" (listed: $(echo $known))" >&2; exit 1; }
done

selected=()
missing=()
while read -r package program needed_by; do
  case "$package" in '' | '#'*) continue ;; esac
  if [ ${#wanted[@]} -gt 0 ] && ! tr ',' '\n' <<<"$needed_by" | grep -qxF -f <(printf '%s\n' "${wanted[@]}"); then
    continue
  fi
  selected+=("$package")
  present=false
  # Unquoted on purpose: the program's `*` expands to the installed versions.
  for candidate in $program; do [ -x "$candidate" ] && present=true; done
  $present || missing+=("$package")
done <"$list"

if $print; then
  printf '%s\n' "${selected[@]}"
  exit 0
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present: ${selected[*]}"
  exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian's Docker images (and these machines) carry a policy-rc.d that keeps the packages' own
# services (PostgreSQL, prometheus, pgbouncer, haproxy) from starting: the tests start private
# instances on free ports, and the servers they share are the job's services.
apt-get install -y -qq "${missing[@]}" >/dev/null
