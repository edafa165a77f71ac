#!/usr/bin/env bash
# tc0flow check and simulate under `mpirun -np 2` against one process, on a moons circuit:
#   - the same verdict, exit status, printed outputs and mismatch report;
#   - the same JSON except timings and the added list of shards;
#   - the shards are disjoint and cover every input exactly once (from the ranks' own counts);
#   - one rank given a corrupt circuit fails the whole run with that rank's message and no verdict.
# Usage: mpi_shards.sh TC0FLOW MPIEXEC WORKDIR
set -uo pipefail
tc0flow=$1 mpiexec=$2 dir=$3
rm -rf "$dir" && mkdir -p "$dir" || exit 1
cd "$(dirname "$0")/../.." || exit 1
# In the sanitizer tree, OpenMPI's plugins (dlopen'ed, unloaded at MPI_Finalize) leave allocations
# LeakSanitizer cannot attribute or suppress by library: leak checking is off for the ranks only;
# AddressSanitizer's other checks stay on.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
mpi=("$mpiexec" --allow-run-as-root --oversubscribe -np 2)
fail() { echo "FAIL: $*"; exit 1; }

"$tc0flow" compile --model sampler/models/moons_mf2 -o "$dir/moons.tc0c" >/dev/null || fail "compile"
count=300  # not a multiple of 64 * 2: the last shard is short

# 1. check, passing: same verdict, lines and JSON.
"$tc0flow" check "$dir/moons.tc0c" --model sampler/models/moons_mf2 --count $count --json "$dir/one.json" \
  >"$dir/one.out" 2>/dev/null; st1=$?
"${mpi[@]}" "$tc0flow" check "$dir/moons.tc0c" --model sampler/models/moons_mf2 --count $count --json "$dir/two.json" \
  >"$dir/two.out" 2>"$dir/two.err"; st2=$?
[ $st1 = 0 ] && [ $st2 = 0 ] || { cat "$dir/two.err"; fail "check exit status: one process $st1, two ranks $st2"; }
diff <(grep -v '^time:\|^device:' "$dir/one.out") <(grep -v '^time:\|^device:' "$dir/two.out") || fail "check output differs"
grep -q "mismatches: PASS" "$dir/two.out" || fail "no PASS verdict"

# 2. check, failing (the circuit is MF2, checked as Euler): same verdict, counts and first mismatch.
"$tc0flow" check "$dir/moons.tc0c" --model sampler/models/moons_mf2 --sampler euler --count $count \
  --json "$dir/one_bad.json" >"$dir/one_bad.out" 2>/dev/null; st1=$?
"${mpi[@]}" "$tc0flow" check "$dir/moons.tc0c" --model sampler/models/moons_mf2 --sampler euler --count $count \
  --json "$dir/two_bad.json" >"$dir/two_bad.out" 2>/dev/null; st2=$?
[ $st1 = 1 ] && [ $st2 = 1 ] || fail "mismatching check exit status: one process $st1, two ranks $st2 (want 1)"
diff <(grep -v '^time:\|^device:' "$dir/one_bad.out") <(grep -v '^time:\|^device:' "$dir/two_bad.out") || fail "mismatch report differs"
grep -q "^first mismatch: input 0 " "$dir/two_bad.out" || fail "no first mismatch reported"

# 3. simulate: the same lines in the same order, the same JSON.
"$tc0flow" simulate "$dir/moons.tc0c" --random 1000 --seed 7 --threads 1 --json "$dir/sim_one.json" \
  >"$dir/sim_one.out" 2>/dev/null || fail "simulate, one process"
"${mpi[@]}" "$tc0flow" simulate "$dir/moons.tc0c" --random 1000 --seed 7 --threads 1 --json "$dir/sim_two.json" \
  >"$dir/sim_two.out" 2>/dev/null || fail "simulate, two ranks"
cmp -s "$dir/sim_one.out" "$dir/sim_two.out" || fail "simulate output differs"
[ "$(wc -l <"$dir/sim_two.out")" = 1001 ] || fail "simulate printed $(wc -l <"$dir/sim_two.out") lines, want 1001"

python3 - "$dir" $count <<'EOF' || exit 1
import json, sys
d, count = sys.argv[1], int(sys.argv[2])
# Timings, and where each process ran (its thread count differs under mpirun), are not results.
TIMINGS = {"seconds", "seconds_fixed", "seconds_circuit", "edge_samples_per_second", "load_seconds", "setup_seconds",
           "device"}
def strip(j):
    if isinstance(j, dict):
        return {k: strip(v) for k, v in j.items() if k not in TIMINGS and k != "ranks"}
    if isinstance(j, list):
        return [strip(v) for v in j]
    return j
def covers(ranks, n, what):
    assert len(ranks) == 2, f"{what}: {len(ranks)} shards, want 2"
    spans = sorted((r["begin"], r["end"]) for r in ranks)
    assert spans[0][0] == 0 and spans[-1][1] == n, f"{what}: shards {spans} do not span [0, {n})"
    assert spans[0][1] == spans[1][0], f"{what}: shards {spans} overlap or leave a gap"
    for r in ranks:
        done = r.get("inputs", r.get("samples"))
        assert done == r["end"] - r["begin"] and done > 0, f"{what}: rank {r['rank']} did {done} of {r}"
        assert r["device"]["device"] == "cpu", f"{what}: rank {r['rank']} names no device: {r}"
    assert sum(r.get("inputs", r.get("samples")) for r in ranks) == n
for one, two, n in [("one", "two", count), ("one_bad", "two_bad", count), ("sim_one", "sim_two", 1000)]:
    a, b = (json.load(open(f"{d}/{x}.json")) for x in (one, two))
    assert strip(a) == strip(b), f"{one}.json and {two}.json differ beyond timings and shards"
    assert len(a["ranks"]) == 1, f"{one}.json: one process should list one shard"
    covers(b["ranks"], n, two)
bad = json.load(open(f"{d}/two_bad.json"))["equivalence"]
assert bad["mismatches"] > 0 and "first_mismatch" in bad and not bad["pass"], bad
print("json: equal beyond timings; shards disjoint and complete")
EOF

# 4. One rank gets a corrupt circuit (MPMD launch): the run fails with that rank's message, no verdict.
head -c 2000 "$dir/moons.tc0c" >"$dir/corrupt.tc0c"
"$mpiexec" --allow-run-as-root --oversubscribe \
  -np 1 "$tc0flow" check "$dir/moons.tc0c" --model sampler/models/moons_mf2 --count $count : \
  -np 1 "$tc0flow" check "$dir/corrupt.tc0c" --model sampler/models/moons_mf2 --count $count \
  >"$dir/corrupt.out" 2>&1; st=$?
[ $st != 0 ] || fail "a rank with a corrupt circuit: exit status 0"
grep -q "tc0flow check: error: rank 1 of 2: .*corrupt.tc0c" "$dir/corrupt.out" || { cat "$dir/corrupt.out"; fail "no error naming rank 1 and its file"; }
! grep -q "^equivalence:" "$dir/corrupt.out" || fail "a verdict was printed although rank 1 failed"
echo "PASS: mpirun -np 2 equals one process (check pass/fail, simulate), shards cover every input once, a failing rank fails the run"
