#!/usr/bin/env bash
# Builds the libFuzzer harness of the native circuit parser with clang (-fsanitize=fuzzer,address,
# undefined) and runs it for a bounded time on a seed corpus of valid circuit files.
#   tests/fuzz/run_native_fuzz.sh BUILD_DIR [SECONDS]      (BUILD_DIR: a configured tree, for tc0/version.hpp
#                                                          and the tc0flow tool that writes the seeds)
# Exit status 0: no crash; 1: the fuzzer found a crash (the reproducer is printed and kept).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: run_native_fuzz.sh BUILD_DIR [SECONDS]}
seconds=${2:-20}
command -v clang++ >/dev/null || { echo "clang++ not found: install it with 'apt-get install clang' (tools/deps.sh)"; exit 1; }
work="$build/fuzz_native"
mkdir -p "$work/corpus" "$work/seeds"
launcher=()
command -v ccache >/dev/null && launcher=(ccache)
"${launcher[@]}" clang++ -std=gnu++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I. -I"$build/generated" tests/fuzz/fuzz_native.cpp circuits/io/native.cpp circuits/network.cpp circuits/canonical.cpp numerics/format.cpp \
  fileio/atomic_file.cpp fileio/cleanup.cpp fileio/input_file.cpp \
  -lfmt -o "$work/fuzz_native"
# Seeds: small valid circuits, as raw files (first byte odd) and as bodies (first byte even).
tool="$build/tools/tc0flow"
if [ -x "$tool" ]; then
  for g in "add --bits 3" "compare --bits 3" "max --bits 2 --terms 3" "mux --bits 2"; do
    name=${g%% *}
    "$tool" gadget $g -o "$work/seeds/$name.tc0c" >/dev/null
    { printf '\001'; cat "$work/seeds/$name.tc0c"; } > "$work/corpus/raw_$name"
    { printf '\000'; tail -c +33 "$work/seeds/$name.tc0c"; } > "$work/corpus/body_$name"
  done
fi
# Inputs that once crashed the parser stay in the corpus as regressions.
cp tests/fuzz/regressions/native/* "$work/corpus/"
cd "$work"
exec ./fuzz_native -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 corpus
