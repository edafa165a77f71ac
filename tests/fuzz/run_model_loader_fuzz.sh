#!/usr/bin/env bash
# Builds the libFuzzer harness of the model loader with clang (ASan + UBSan) into BUILD_DIR and runs
# it for SECONDS on a seed corpus made from the shipped models (sampler/models/*).
#   tests/fuzz/run_model_loader_fuzz.sh BUILD_DIR [SECONDS]
# A missing clang++ is a failure (tools/deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?build dir}; secs=${2:-20}
command -v clang++ >/dev/null || { echo "clang++ not found: apt-get install clang (tools/deps.sh does)"; exit 1; }
mkdir -p "$out/fuzz/gen/tc0" "$out/fuzz/corpus"
sv=$(sed -n 's/^set(TC0_SEMANTICS_VERSION \([0-9]*\)).*/\1/p' CMakeLists.txt)
sed -e "s/@PROJECT_VERSION@/fuzz/" -e "s/@TC0_SEMANTICS_VERSION@/$sv/" numerics/version.hpp.in > "$out/fuzz/gen/tc0/version.hpp.new"
cmp -s "$out/fuzz/gen/tc0/version.hpp.new" "$out/fuzz/gen/tc0/version.hpp" || mv "$out/fuzz/gen/tc0/version.hpp.new" "$out/fuzz/gen/tc0/version.hpp"
srcs=(tests/fuzz/fuzz_model_loader.cpp sampler/config.cpp sampler/layout.cpp sampler/model.cpp sampler/safetensors.cpp
      numerics/format.cpp numerics/rounding.cpp numerics/fixed.cpp fileio/atomic_file.cpp fileio/cleanup.cpp fileio/input_file.cpp)
bin="$out/fuzz/fuzz_model_loader"
newer=0
for s in "${srcs[@]}" sampler/*.hpp numerics/*.hpp fileio/*.hpp; do [ "$s" -nt "$bin" ] && newer=1; done
if [ ! -x "$bin" ] || [ $newer = 1 ]; then
  clang++ -std=gnu++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I. -I"$out/fuzz/gen" "${srcs[@]}" -lfmt -o "$bin"
fi
# seed corpus: [u32 length][config.json][weights.safetensors] of each shipped model
for d in sampler/models/*/; do
  n=$(basename "$d")
  python3 - "$d" "$out/fuzz/corpus/$n" <<'PY'
import struct, sys
d, out = sys.argv[1], sys.argv[2]
c = open(d + "config.json", "rb").read()
w = open(d + "weights.safetensors", "rb").read()
open(out, "wb").write(struct.pack("<I", len(c)) + c + w)
PY
done
"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 "$out/fuzz/corpus"
