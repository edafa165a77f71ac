#!/usr/bin/env bash
# The whole default test suite: installs what is missing, builds the release and the
# sanitizer (ASan + UBSan) trees incrementally, runs the default suite under the sanitizers, then in
# the release build; ends with ctest's summary line. Labels: `slow` and `gpu` are opt-in here
# (see README); gpu tests report themselves skipped without a device.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
# -O1 with line tables keeps the sanitizer tree quick to build and its reports readable.
tools/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DTC0_SANITIZE=ON
tools/build.sh build -DCMAKE_BUILD_TYPE=Release
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tools/lsan.supp:print_suppressions=0
(cd build-asan && ctest --output-on-failure -j "$(nproc)" -LE 'slow|gpu|sanitizer_exempt')
cd build && ctest --output-on-failure -j "$(nproc)" -LE 'slow'
