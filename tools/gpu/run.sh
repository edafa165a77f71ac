#!/usr/bin/env bash
# Runs on the GPU machine (device tool), from the repository root, with .gpu/ carried (pack.sh):
# the CUDA correctness suite (bit-identical to the CPU on random circuits and on the demo sampler
# circuit) and the simulation benchmark. Writes the
# logs and the benchmark JSON to $OUT (or ./gpu-results). Under 5 minutes on an H100.
set -uo pipefail
out=${OUT:-gpu-results}
mkdir -p "$out"
export LD_LIBRARY_PATH=$PWD/.gpu/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
nproc | sed 's/^/cpu cores: /' | tee -a "$out/gpu.txt"
status=0
timeout 240 .gpu/bin/test_circuits_cuda 2>&1 | tee "$out/test_cuda.log" | tail -25 || status=1
grep -q "PASSED" "$out/test_cuda.log" && ! grep -q "FAILED" "$out/test_cuda.log" || status=1
# The demo circuit (about 50 s to compile), then the benchmark on the built-in circuits and on it:
# bench_sim throws when the CUDA bits differ from the CPU's, so this is also the demo-circuit check.
timeout 150 .gpu/bin/tc0flow compile --model sampler/models/digits_mf2 --depth-budget 6 -o demo.tc0c \
  2>&1 | tee "$out/compile_demo.log" | tail -8 || status=1
circuit=()
[ -f demo.tc0c ] && circuit=(--circuit demo.tc0c)
timeout 200 .gpu/bin/bench_sim --no-external --edge-samples 5e8 "${circuit[@]}" --json "$out/bench_sim.json" 2>&1 \
  | tee "$out/bench_sim.log" | tail -30 || status=1
echo "gpu checks: $([ $status = 0 ] && echo PASS || echo FAIL)"
exit $status
