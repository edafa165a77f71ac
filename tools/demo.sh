#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the tc0flow demo.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
tools/build.sh build -DCMAKE_BUILD_TYPE=Release
exec build/tools/tc0flow demo "$@"
