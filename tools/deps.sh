#!/usr/bin/env bash
# Installs the Debian packages tc0flow needs, only those missing (idempotent). Run as root.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config ccache clang
  libboost-dev libgmp-dev libmpfr-dev libz3-dev z3 libgtest-dev libgraphviz-dev graphviz
  libcli11-dev nlohmann-json3-dev libfmt-dev libpng-dev libomp-dev libopenmpi-dev openmpi-bin
  berkeley-abc yosys iverilog verilator cvc5 python3 python3-numpy python3-mpmath
  chromium gnuplot-nox
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The explorer's web app is bundled at build time with node and npm (any nodejs >= 18, npm >= 9:
# Debian 12's packages or a newer node that brings its own npm), so only a missing command is installed.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "tc0flow: installing missing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
