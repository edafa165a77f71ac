#!/usr/bin/env bash
# Packs the prepared GPU check (issue 18) for the device machine into .gpu/ (in .gitignore): the
# release build's tc0flow, bench_gpu and test_circuits_cuda (nvcc, sm_90), stripped; the shared
# libraries they need (the device image has CUDA but none of our Debian libraries); this machine's
# C library in .gpu/glibc, which tools/gpu/run.sh uses only if the device's own is too old for the
# binaries; and .gpu/manifest.txt (commit, checksums). Refuses, leaving no .gpu/, when the binaries
# carry no sm_90 code or when .gpu/ plus the working tree that travels with it would exceed the
# device tool's 64 MiB limit.
#   tools/gpu/pack.sh [BUILD_DIR]        default: build (the release tree, tools/build.sh)
# Then, on the device: bash tools/gpu/run.sh   (tools/bench/README.md, "GPU runs", has the call).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
limit=$((64 * 1024 * 1024))
refuse() {
  echo "pack: $*" >&2
  rm -rf .gpu
  exit 1
}
[ -f "$build/build.ninja" ] || refuse "$build is not a configured build tree; run: tools/build.sh $build -DCMAKE_BUILD_TYPE=Release"
grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build/CMakeCache.txt" || refuse "$build is not a Release build"
grep -q '^CMAKE_CUDA_COMPILER:[A-Z]*=.*nvcc$' "$build/CMakeCache.txt" ||
  refuse "$build was configured without nvcc, so its binaries have no CUDA backend"
PATH=$PATH:/usr/local/cuda/bin
# Reconfigure first, so that the benchmark's compiled-in commit is this one.
cmake -S . -B "$build" > /dev/null
nice -n 10 cmake --build "$build" -j "$(nproc)" --target tc0flow bench_gpu test_circuits_cuda
bins=("$build/tools/tc0flow" "$build/tools/bench/bench_gpu" "$build/tests/circuits/test_circuits_cuda")

rm -rf .gpu
mkdir -p .gpu/bin .gpu/lib .gpu/glibc
for b in "${bins[@]}"; do
  [ -x "$b" ] || refuse "$b was not built"
  # sm_90 machine code: cuobjdump lists its cubins where it is installed; otherwise the ptxas
  # options that nvcc embeds with each cubin name the target.
  if command -v cuobjdump >/dev/null; then
    cuobjdump --list-elf "$b" 2>/dev/null | grep -q 'sm_90' || refuse "$b carries no sm_90 code (CMAKE_CUDA_ARCHITECTURES must include 90)"
  else
    grep -aq -- '-arch sm_90 ' "$b" || refuse "$b carries no sm_90 code (CMAKE_CUDA_ARCHITECTURES must include 90)"
  fi
  strip --strip-unneeded -o ".gpu/bin/$(basename "$b")" "$b"
  # Shared libraries: the C library family goes to glibc/ (used only when the device's is older).
  ldd "$b" | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' | while read -r lib; do
    case "$(basename "$lib")" in
      libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) cp -L "$lib" .gpu/glibc/ ;;
      *) cp -L "$lib" .gpu/lib/ ;;
    esac
  done
done

{
  echo "commit $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "uncommitted_changes $(git status --porcelain --untracked-files=no 2>/dev/null | wc -l)"
  echo "packed $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(ldd --version | head -1)"
  echo "build $build"
  (cd .gpu && find bin lib glibc -type f -print0 | sort -z | xargs -0 sha256sum)
} > .gpu/manifest.txt

# What travels: tracked and untracked-not-ignored files, plus .gpu/ (carried).
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
packed=$(du -sb .gpu | cut -f1)
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
echo "pack: .gpu/ $(mib "$packed") + working tree $(mib "$tree") = $(mib $((packed + tree))) of the 64 MiB the device tool carries"
if [ $((packed + tree)) -gt "$limit" ]; then
  du -ab .gpu | sort -n | tail -8 >&2
  refuse ".gpu/ ($(mib "$packed")) and the working tree ($(mib "$tree")) exceed the 64 MiB the device tool carries"
fi
echo "pack: ready; on the device: bash tools/gpu/run.sh   (carry [\".gpu\"])"
