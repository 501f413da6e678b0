#!/usr/bin/env bash
# Installs every build and test dependency of cloudward from Debian 12 packages. Run as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  build-essential cmake ninja-build pkg-config ccache git
  libsimdjson-dev libdeflate-dev zlib1g-dev libre2-dev libvectorscan-dev libyaml-cpp-dev
  libcurl4-openssl-dev libssl-dev libpugixml-dev libsqlite3-dev sqlite3 libpq-dev
  libcli11-dev libfmt-dev libspdlog-dev libexpected-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql jq graphviz python3 python3-yaml
  libcpp-httplib-dev chromium
)
# The console's browser test drives chromium with playwright-core from npm. A machine that already
# has node and npm (e.g. from NodeSource) keeps them; Debian's packages would conflict with those.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-deps: all ${#packages[@]} packages present"
