#!/usr/bin/env bash
# Reproduces "Approximate attention in the sampler" (tools/bench/README.md): the polynomial method of
# SPEC 4 inside the float64 sampler, on the demo model digits_mf2 and on random small DiTs.
#   tools/bench/approx_attention_demo.sh [BUILD_DIR (build)] [OUT_DIR (out/approx_attention)]
# About a minute on one core: the tables run single-threaded, 64 samples of seed 1000.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
out=${2:-out/approx_attention}
mkdir -p "$out"
cmake --build "$build" --target tc0flow bench_approx_sampler
tc0flow=$build/tools/tc0flow

# The tables: B per head call, the degree/rank for eps = 1e-2 and the refusal, forced degrees
# 0..10 against the exact sampler (times), and error against eps on random DiTs with d_h = 2 and 4.
"$build/tools/bench/bench_approx_sampler" --count 64 --seed 1000 --threads 1 --json "$out/bench_approx_sampler.json" \
  | tee "$out/bench_approx_sampler.txt"

# The same through the command line. eps = 1e-2 is refused by the rank limit (exit 1, one line):
echo
echo "\$ tc0flow sample --model sampler/models/digits_mf2 --type float64 --count 64 --seed 1000 --approx-attention 1e-2"
if OMP_NUM_THREADS=1 "$tc0flow" sample --model sampler/models/digits_mf2 --type float64 --count 64 --seed 1000 \
     --approx-attention 1e-2; then
  echo "unexpected: not refused"; exit 1
fi
# forced even degrees run (odd ones can make a row sum negative and are refused), with the exact
# sampler on the same noise for max |approx - exact| and the times:
for g in 0 4 8; do
  echo "\$ tc0flow sample ... --approx-attention 1e-2 --approx-degree $g"
  OMP_NUM_THREADS=1 "$tc0flow" sample --model sampler/models/digits_mf2 --type float64 --count 64 --seed 1000 \
    --approx-attention 1e-2 --approx-degree "$g" --json "$out/sample_degree$g.json" --png "$out/samples_degree$g.png" | tail -2
done
# MPFR runs the same approximation at its own precision:
echo "\$ tc0flow sample ... --type mpfr --count 4 --approx-attention 1e-2 --approx-degree 4"
"$tc0flow" sample --model sampler/models/digits_mf2 --type mpfr --count 4 --seed 1000 --approx-attention 1e-2 \
  --approx-degree 4 | tail -2
echo "written: $out"
