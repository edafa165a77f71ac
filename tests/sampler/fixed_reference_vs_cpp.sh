#!/usr/bin/env bash
# The Python fixed-point reference (tools/train/fixedref) against the freshly built C++ sampler on
# more inputs than the goldens hold, including a non-dyadic grid (3 steps: t - r = 1/3):
#   tests/sampler/fixed_reference_vs_cpp.sh TC0FLOW PYTHON      (run from the repository root)
# Exit 0 when every sample matches bit for bit, 1 otherwise (the checker names the first difference).
set -euo pipefail
tool=$1 py=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
run() {  # model sampler steps count seed
  local out="$tmp/$1_$2_$3_$5.json"
  "$tool" sample --model "sampler/models/$1" --type fixed --sampler "$2" --steps "$3" --count "$4" --seed "$5" \
    -o "$out" >/dev/null
  "$py" tools/train/fixed_reference.py "sampler/models/$1" --samples "$out" | grep -v "model loaded" || status=1
}
run moons_mf2 mf2 3 128 101
run moons_mf2 mf1 1 128 102
run moons_mf1 euler 5 64 103
run moons_mf1 mf2 2 64 104
run digits_mf2 mf2 3 4 105
run digits_mf2 mf1 2 8 106
run digits_mf1 euler 3 4 107
exit $status
