#!/usr/bin/env bash
# tc0flow calibrate then tc0flow fidelity on the moons MLP: the model calibrated at 12-bit
# activations passes the SPEC 2 quality criterion (exit 0), at 4-bit activations and 3-bit weights it fails (exit 1); the JSON
# reports carry the fields the README documents.  Usage: cli_calibrate_fidelity.sh TC0FLOW WORKDIR
set -u
bin=$1; work=$2
rm -rf "$work"; mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
"$bin" calibrate --model sampler/models/moons_mf2 --bits-act 12 --count 32 -o "$work/a12" --json "$work/c12.json" \
  || fail "calibrate 12"
"$bin" calibrate --model sampler/models/moons_mf2 --bits-act 4 --bits-weights 3 --count 32 -o "$work/a3" >/dev/null \
  || fail "calibrate 3"
grep -q '"fixed_saturations"' "$work/c12.json" || fail "calibrate JSON lacks fixed_saturations"
"$bin" fidelity --model "$work/a12" --count 64 --seed 5 --json "$work/f12.json"; rc=$?
[ $rc -eq 0 ] || fail "fidelity at 12 bits exited $rc, expected 0 (criterion passes)"
for k in '"tensors"' '"samples"' '"quality"' '"mmd2_fixed"' '"max_lsb_error"' '"worst"' '"pass": true'; do
  grep -q "$k" "$work/f12.json" || fail "fidelity JSON lacks $k"
done
"$bin" fidelity --model "$work/a3" --count 64 --seed 5 >/dev/null; rc=$?
[ $rc -eq 1 ] || fail "fidelity at 4/3 bits exited $rc, expected 1 (criterion fails)"
"$bin" fidelity --model "$work/a3" --count 8 --data /nonexistent.json 2>"$work/err.txt"; rc=$?
[ $rc -eq 1 ] && [ "$(wc -l < "$work/err.txt")" -eq 1 ] || fail "missing data: exit $rc, $(cat "$work/err.txt")"
echo "ok"
