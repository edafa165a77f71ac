#!/usr/bin/env bash
# Runs on the GPU machine (device tool), from the repository root, with .gpu/ carried (pack.sh):
# the CUDA correctness suite (bit-identical to the CPU) and the simulation benchmark. Writes the
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
timeout 200 .gpu/bin/bench_sim --no-external --json "$out/bench_sim.json" 2>&1 | tee "$out/bench_sim.log" | tail -30 || status=1
echo "gpu checks: $([ $status = 0 ] && echo PASS || echo FAIL)"
exit $status
