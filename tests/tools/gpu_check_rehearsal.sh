#!/usr/bin/env bash
# tools/gpu/run.sh on a machine without a GPU (issue 18), from a build tree's binaries:
#  1. --cpu-rehearsal on the small calibrated moons model: exit 0, every one of the six device
#     checks reported FAIL with the lack of a device named, every CPU-side expectation met, and the
#     summary JSON and logs written;
#  2. the device mode here: exit 1, "no CUDA device here", the device checks FAIL.
#   gpu_check_rehearsal.sh BUILD_DIR     (from the repository root)
set -u
build=$1
base=$build/gpu-check-rehearsal
rm -rf "$base"
mkdir -p "$base"
fail() {
  echo "FAIL: $*"
  exit 1
}
args=(--bin "$build" --model smoke --inputs 256 --sim-samples 1000 --check-count 512 --budget 200)

OUT=$base/rehearsal bash tools/gpu/run.sh --cpu-rehearsal "${args[@]}" > "$base/rehearsal.txt" 2>&1
rc=$?
cat "$base/rehearsal.txt"
[ $rc = 0 ] || fail "the rehearsal exited $rc"
r=$base/rehearsal.txt
grep -q '^gpu check: PASS (rehearsal: no device, as expected)' "$r" || fail "no rehearsal verdict line"
for g in device_named cuda_tests demo_identity simulate_cuda check_cuda fallback_cuda; do
  grep -q "^  \[FAIL\] $g: " "$r" || fail "device check $g is not reported as failing"
done
[ "$(grep -c '^  \[PASS\]' "$r")" = 0 ] || fail "a device check passed without a device"
grep -q '^  \[FAIL\] cuda_tests: 0 CudaSim tests passed, 8 skipped, 0 failed' "$r" || fail "the skipped CUDA tests are not counted"
grep -qE '^  \[FAIL\] demo_identity: cuda: not measured \(no device: ' "$r" || fail "bench_gpu does not say why"
[ "$(grep -c '^  \[ok\] ' "$r")" = 11 ] || fail "not every rehearsal expectation was met"
grep -q '^  \[WRONG\]' "$r" && fail "a rehearsal expectation was wrong"
for f in gpu_check.json gpu_check.log test_cuda.log bench_gpu.json; do
  [ -s "$base/rehearsal/$f" ] || fail "no $f in \$OUT"
done
[ "$(find "$base/rehearsal" -type f | wc -l)" -le 8 ] || fail "more than the 8 files the device tool brings back"
grep -q '"verdict": "PASS"' "$base/rehearsal/gpu_check.json" || fail "gpu_check.json has no PASS verdict"
if command -v python3 > /dev/null; then
  python3 -m json.tool "$base/rehearsal/gpu_check.json" > /dev/null || fail "gpu_check.json is not JSON"
fi

OUT=$base/device bash tools/gpu/run.sh "${args[@]}" > "$base/device.txt" 2>&1
rc=$?
cat "$base/device.txt"
[ $rc = 1 ] || fail "the device mode exited $rc without a device (want 1)"
grep -q '^no CUDA device here' "$base/device.txt" || fail "the device mode does not say there is no device"
grep -q '^gpu check: FAIL' "$base/device.txt" || fail "the device mode does not fail"
grep -q '"verdict": "FAIL"' "$base/device/gpu_check.json" || fail "gpu_check.json of the device mode is not FAIL"
echo "gpu check rehearsal: as expected"
