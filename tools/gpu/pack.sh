#!/usr/bin/env bash
# Builds the GPU checks here (nvcc, sm_90) and packs the executables with the shared libraries they
# need into .gpu/ (ignored by git), which the device tool carries to the GPU machine. The GPU
# machine has CUDA but none of our Debian libraries, so we bring them.
#   tools/gpu/pack.sh            then, on the GPU machine: bash tools/gpu/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f build-gpu/build.ninja ] || cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 >/dev/null
cmake --build build-gpu -j "$(nproc)" --target test_circuits_cuda bench_sim tc0flow
rm -rf .gpu && mkdir -p .gpu/bin .gpu/lib
bins=(build-gpu/tests/circuits/test_circuits_cuda build-gpu/tools/bench/bench_sim build-gpu/tools/tc0flow)
for b in "${bins[@]}"; do
  [ -x "$b" ] || { echo "pack: $b was not built" >&2; exit 1; }
  cp "$b" .gpu/bin/
  # Every shared library except the C library family, which the GPU machine's newer glibc provides.
  ldd "$b" | awk '/=> \// {print $3}' | grep -vE '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so' |
    xargs -r -I{} cp -L {} .gpu/lib/
done
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
du -sh .gpu
