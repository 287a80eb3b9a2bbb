#!/usr/bin/env bash
# Installs every Debian package in scripts/debian-packages.txt (and, with --cluster,
# scripts/debian-packages-cluster.txt). Needs root or sudo; safe to run again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lists=("$here/debian-packages.txt")
if [[ ${1:-} == --cluster ]]; then lists+=("$here/debian-packages-cluster.txt"); fi
mapfile -t packages < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "${lists[@]}" | awk '{print $1}')
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 "${packages[@]}"
