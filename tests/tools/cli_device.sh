#!/usr/bin/env bash
# --device in tc0flow simulate and check, without a GPU, through the emulated device of
# TC0_TEST_DEVICE (circuits/sim/device.hpp): a device that fails part-way gives the CPU's output
# bits (simulate) and the CPU's verdict, passing or failing with the same mismatch count (check),
# with a message and the device line; a malformed hook or device name is refused with one line.
#   cli_device.sh BUILD_DIR     (from the repository root)
set -u
tc0=$1/tools/tc0flow
d=$1/cli-device
rm -rf "$d"
mkdir -p "$d"
fail() {
  echo "FAIL: $*"
  exit 1
}
has() { grep -qE -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "$1 lacks '$2'"; }; }

# simulate: CPU bits, emulated device bits, and a device failing on its 4th block.
"$tc0" gadget multiply --bits 8 -o "$d/mul.tc0c" > /dev/null || fail "gadget"
"$tc0" simulate "$d/mul.tc0c" --random 1000 --seed 3 --device cpu -o "$d/cpu.txt" 2> "$d/cpu.err" || fail "simulate cpu"
has "$d/cpu.err" '^device: cpu \([0-9]+ threads?\)$'
TC0_TEST_DEVICE=emulate,block-words=2 "$tc0" simulate "$d/mul.tc0c" --random 1000 --seed 3 --device cuda \
  -o "$d/emulated.txt" --json "$d/emulated.json" 2> "$d/emulated.err" || fail "simulate on the emulated device"
cmp -s "$d/cpu.txt" "$d/emulated.txt" || fail "the emulated device's outputs differ from the CPU's"
has "$d/emulated.err" '^device: emulated \(.*\): 1000 samples in 8 blocks of up to 128 samples$'
has "$d/emulated.json" '"device_samples": 1000'
TC0_TEST_DEVICE=emulate,block-words=1,fail-after=3 "$tc0" simulate "$d/mul.tc0c" --random 1000 --seed 3 --device cuda \
  -o "$d/fallback.txt" --json "$d/fallback.json" 2> "$d/fallback.err" || fail "simulate with a failing device exited $?"
cmp -s "$d/cpu.txt" "$d/fallback.txt" || fail "after a device error the outputs differ from the CPU's"
has "$d/fallback.err" '^tc0flow simulate: device error, continuing on the CPU: injected device fault on batch 4 .*block at sample 192 of 1000'
has "$d/fallback.err" '^device: emulated \(.*\) for 192 samples, then cpu \([0-9]+ threads?\) for 808 samples after a device error: '
has "$d/fallback.json" '"cpu_samples": 808'
TC0_TEST_DEVICE=emulate,fail-afterr=1 "$tc0" simulate "$d/mul.tc0c" --random 10 --device auto > "$d/bad.txt" 2>&1
[ $? = 1 ] || fail "a malformed TC0_TEST_DEVICE was not refused"
has "$d/bad.txt" "^tc0flow simulate: error: TC0_TEST_DEVICE='emulate,fail-afterr=1': unknown item 'fail-afterr=1'"
"$tc0" simulate "$d/mul.tc0c" --random 10 --device gpu > "$d/gpu.txt" 2>&1
[ $? != 0 ] || fail "--device gpu was accepted"
has "$d/gpu.txt" 'device.*gpu'

# check: two small calibrated models with the same state format but other weights; the circuit of
# A passes against A and fails against B, on the CPU and on a device failing part-way alike.
"$tc0" calibrate --model sampler/models/moons_mf2 --bits-weights 4 --bits-act 6 --count 32 -o "$d/a" > /dev/null || fail "calibrate a"
"$tc0" calibrate --model sampler/models/moons_mf2 --bits-weights 5 --bits-act 6 --count 32 -o "$d/b" > /dev/null || fail "calibrate b"
"$tc0" compile --model "$d/a" -o "$d/a.tc0c" > /dev/null || fail "compile a"
fault=TC0_TEST_DEVICE=emulate,block-words=2,fail-after=2
for model in a b; do
  "$tc0" check "$d/a.tc0c" --model "$d/$model" --count 768 --device cpu > "$d/check_$model.cpu" 2>&1
  rc_cpu=$?
  env $fault "$tc0" check "$d/a.tc0c" --model "$d/$model" --count 768 --device cuda > "$d/check_$model.dev" 2>&1
  rc_dev=$?
  [ $rc_cpu = $rc_dev ] || fail "check against $model: exit $rc_cpu on the CPU, $rc_dev with a failing device"
  has "$d/check_$model.dev" '^device: emulated \(.*\) for 256 samples, then cpu \([0-9]+ threads?\) for 512 samples after a device error'
  has "$d/check_$model.dev" 'tc0flow check: device error, continuing on the CPU'
  want=$(grep '^equivalence: ' "$d/check_$model.cpu")
  got=$(grep '^equivalence: ' "$d/check_$model.dev")
  [ -n "$want" ] && [ "$want" = "$got" ] || fail "check against $model: '$want' on the CPU, '$got' with a failing device"
done
[ $rc_cpu = 1 ] || fail "the circuit of a passed against model b"
has "$d/check_a.cpu" '^equivalence: 768 inputs .* 0 mismatches: PASS$'
has "$d/check_b.cpu" '^equivalence: 768 inputs .* [1-9][0-9]* mismatches: FAIL$'
echo "cli --device: as expected"
