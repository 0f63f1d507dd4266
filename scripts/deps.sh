#!/usr/bin/env bash
# deps.sh: installs the Debian packages carecircle needs, only those missing.
#   scripts/deps.sh build   what `make` and `make run` need
#   scripts/deps.sh test    build + what `make test` needs (PostgreSQL, cmocka, …)
set -euo pipefail

build_pkgs=(gcc make cmake pkg-config libmicrohttpd-dev libsqlite3-dev libcmark-dev
  libjansson-dev libsodium-dev libgd-dev libcurl4-openssl-dev zlib1g-dev libpq-dev
  fonts-dejavu-core)
test_pkgs=(libcmocka-dev postgresql curl sqlite3 libclang-rt-14-dev clang nginx-light python3 python3-aiosmtpd
  nodejs chromium default-jre-headless sqlmap util-linux)  # browser tests need node, chromium, Java (vnu)

want=("${build_pkgs[@]}")
if [[ "${1:-build}" == "test" ]]; then
  want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm ships inside some nodejs builds; Debian's own nodejs needs the npm package beside it.
if [[ "${1:-build}" == "test" ]] && ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
echo "Installing missing Debian packages: ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"; then
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"
fi
