#!/usr/bin/env bash
# Installs every Debian package that Cascade's build, tests and demo need.
# Does nothing when all of them are already present, so `make` can call it
# on every run.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libtorrent-rasterbar-dev libboost-dev libboost-system-dev libssl-dev
  libsodium-dev libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev libsqlite3-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nginx-light curl iproute2 python3 dpkg sqlite3
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
else
  sudo_cmd=()
fi

echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
