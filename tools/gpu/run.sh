#!/usr/bin/env bash
# The prepared GPU check of issue 18, run on the device machine from the repository root with .gpu/
# carried (tools/gpu/pack.sh); tools/bench/README.md, "GPU runs", has the exact device call.
# In one run, within a time budget (default 345 s, so that a rerun fits in the 15 device minutes),
# the most important first:
#   1. tests   test_circuits_cuda: CUDA == CPU on random circuits of every weight width (1..125
#              bits), every gadget family, compiled samplers, block sizes, streaming, a real device
#              failing part-way; the device named;
#   2. check   tc0flow check --device cuda on a small circuit (the moons model calibrated to 4-bit
#              weights, 6-bit activations; the references on the CPU cores meanwhile), then
#      fallback  the same with the real GPU made to fail part-way (TC0_TEST_DEVICE): CPU verdict;
#   3. compile the demo circuit (tc0flow compile --model M --depth-budget 6), timed;
#   4. bench   bench_gpu on it: CPU on all cores (reference bits) vs CUDA end to end on N inputs,
#              every output bit; CPU on one core; the kernels' rate from CUDA events; the issue's
#              targets; the device profile (packing, transfers, kernels per level);
#   5. simulate  tc0flow simulate demo.tc0c --random S --device cuda --quiet (+ --profile, --json), timed.
# It FAILS unless CUDA actually ran: a device name, zero skipped or failed CUDA tests, the demo
# identity on >= N inputs, and simulate/check/fallback saying they ran on cuda. Targets (>= 1e12
# edge-samples/s, >= 30x the all-core CPU, simulate <= 60 s) are reported as met or missed, with
# the profile, and do not decide the verdict. Results: $OUT (or ./gpu-results): gpu_check.json
# (summary), gpu_check.log (everything), test_cuda.log, bench_gpu.json, simulate.json, check.json.
#
# --cpu-rehearsal runs the same steps with a build tree's binaries on a machine without a GPU (CI
# does, tests/tools/CMakeLists.txt): every device check must fail, saying there is no device, and
# the CPU side must work (the simulator on the CPU, the check on the CPU, the fallback path through
# the emulated device). Exit 0 when it behaves so. --model smoke uses the small calibrated moons
# model for every step (what CI does: a few seconds).
#   bash tools/gpu/run.sh [--cpu-rehearsal] [--bin DIR] [--model DIR] [--inputs N] [--sim-samples S]
#                         [--check-count C] [--budget SECONDS]
set -uo pipefail
cd "$(dirname "$0")/../.."

mode=device bin="" model=sampler/models/digits_mf2 inputs=12288 sim_samples=100000 check_count=10000 budget=345
while [ $# -gt 0 ]; do
  case $1 in
    --cpu-rehearsal) mode=rehearsal ;;
    --bin | --model | --inputs | --sim-samples | --check-count | --budget)
      [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
      case $1 in
        --bin) bin=$2 ;; --model) model=$2 ;; --inputs) inputs=$2 ;; --sim-samples) sim_samples=$2 ;;
        --check-count) check_count=$2 ;; --budget) budget=$2 ;;
      esac
      shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for v in "$inputs" "$sim_samples" "$check_count" "$budget"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: '$v' is not a positive integer" >&2; exit 2; }
done
[ -n "$bin" ] || { [ $mode = device ] && bin=.gpu || bin=build; }
[ "$model" = smoke ] || [ -d "$model" ] || { echo "run.sh: no model directory '$model'" >&2; exit 2; }

out=${OUT:-gpu-results}
mkdir -p "$out" || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/tc0-gpu-check.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
log=$out/gpu_check.log
: > "$log"
say() { printf '%s\n' "$*" | tee -a "$log"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }
start=$(now)
deadline=$(($(date +%s) + budget))

find_bin() {
  local c
  for c in "$bin/bin/$1" "$bin/tools/$1" "$bin/tools/bench/$1" "$bin/tests/circuits/$1"; do
    [ -x "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}
for b in tc0flow bench_gpu test_circuits_cuda; do
  find_bin $b >/dev/null || { say "run.sh: no $b under $bin/ (run tools/gpu/pack.sh here, or give --bin BUILD_DIR)"; exit 2; }
done

# Packed libraries first; if the binaries do not start on this machine's C library (older than the
# one they were built against), run them under the packed one.
launcher=()
if [ -d "$bin/lib" ]; then export LD_LIBRARY_PATH="$PWD/$bin/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
if [ -f "$bin/manifest.txt" ]; then
  (cd "$bin" && grep -E '^[0-9a-f]{64}  ' manifest.txt | sha256sum --quiet -c -) >> "$log" 2>&1 ||
    { say "run.sh: $bin/ does not match its manifest (a broken carry?): run tools/gpu/pack.sh again"; exit 2; }
fi
if ! "$(find_bin tc0flow)" --version > "$work/version" 2>&1; then
  if [ -x "$bin/glibc/ld-linux-x86-64.so.2" ]; then
    launcher=("$PWD/$bin/glibc/ld-linux-x86-64.so.2" --library-path "$PWD/$bin/lib:$PWD/$bin/glibc${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
    say "binaries do not start on this C library ($(head -1 "$work/version")): using the packed one"
    "${launcher[@]}" "$(find_bin tc0flow)" --version > "$work/version" 2>&1
  fi
fi

# ---- 0. the machine ----------------------------------------------------------------------------
commit=$(sed -n 's/^commit //p' "$bin/manifest.txt" 2>/dev/null)
[ -n "$commit" ] || commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
smi=""
command -v nvidia-smi >/dev/null && smi=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
gpu_name=$(printf '%s' "$smi" | cut -d, -f1 | sed 's/^ *//; s/ *$//')
driver=$(printf '%s' "$smi" | cut -d, -f2 | sed 's/^ *//; s/ *$//')
cores=$(nproc)
say "gpu check ($mode): commit $commit, $(head -1 "$work/version")"
say "machine: $cores cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
say "nvidia-smi: ${smi:-none}"
say "binaries: $bin/, model $model, $inputs bench inputs, $sim_samples simulate samples, $check_count check inputs, budget ${budget}s"

# ---- the steps ---------------------------------------------------------------------------------
steps_json=""
declare -A rc secs cpu
step_env=()
# step NAME CAP BINARY ARGS...: runs under a timeout of min(CAP, time left), output in $work/NAME.out
# and the log; records the exit status (124: timed out, 125: not run, out of time) and seconds.
step() {
  local name=$1 cap=$2 exe=$3
  shift 3
  local left=$((deadline - $(date +%s)))
  if [ "$left" -lt 5 ]; then
    rc[$name]=125 secs[$name]=0 cpu[$name]=0
    say "== $name: not run (the ${budget}s budget is spent)"
    : > "$work/$name.out"
  else
    local t=$((cap < left ? cap : left)) t0
    say "== $name (timeout ${t}s): ${step_env[*]} $exe $*"
    t0=$(now)
    # bash's `time` gives the CPU seconds of the step's processes as well (user + system).
    { TIMEFORMAT='%U %S'; time timeout --kill-after=5 "$t" env "${step_env[@]}" "${launcher[@]}" "$(find_bin "$exe")" "$@" \
        > "$work/$name.out" 2>&1; } 2> "$work/$name.time"
    rc[$name]=$? secs[$name]=$(since "$t0")
    cpu[$name]=$(tail -n 1 "$work/$name.time" | awk '{printf "%.1f", $1 + $2}')  # after any "Aborted" line
    cat "$work/$name.out" >> "$log"
    say "-- $name: exit ${rc[$name]} in ${secs[$name]} s (CPU ${cpu[$name]} s)"
  fi
  steps_json+="${steps_json:+, }{\"step\": \"$name\", \"exit\": ${rc[$name]}, \"seconds\": ${secs[$name]}, \"cpu_seconds\": ${cpu[$name]:-0}}"
  step_env=()
}
has() { grep -qE -- "$2" "$work/$1.out"; }

circuit=$work/demo.tc0c
smoke=$work/smoke.tc0c
step tests 90 test_circuits_cuda --gtest_color=no
cp "$work/tests.out" "$out/test_cuda.log"
cuda_named=$(sed -n 's/^CUDA device: //p' "$work/tests.out" | head -1)
# Without a device our binaries can use (whatever nvidia-smi says), the rest would only burn time.
if [ $mode = device ] && [ -z "$cuda_named" ]; then
  say "no CUDA device here (nvidia-smi: ${smi:-absent}; $(grep -m1 -oE 'no usable CUDA device[^]]*|built without CUDA[^]]*' "$work/tests.out" || echo "the tests named none (exit ${rc[tests]})"))"
  say "stopping: the remaining steps need the device"
else
  step smoke_model 20 tc0flow calibrate --model sampler/models/moons_mf2 --bits-weights 4 --bits-act 6 --count 32 -o "$work/smoke"
  step smoke_compile 20 tc0flow compile --model "$work/smoke" -o "$smoke"
  # The user's path on a small circuit first (seconds): check with the references on the CPU cores
  # while the GPU simulates, then a real GPU failing part-way under check.
  step check 30 tc0flow check "$smoke" --model "$work/smoke" --count "$check_count" --device cuda --json "$out/check.json"
  step_env=(TC0_TEST_DEVICE=block-words=2,fail-after=2)
  step fallback 30 tc0flow check "$smoke" --model "$work/smoke" --count 1024 --device cuda
  # The demo circuit: compiled here (it cannot be carried), then the identity and speed figures,
  # then the user's simulate command, timed, with whatever time is left.
  [ "$model" = smoke ] && model=$work/smoke
  step compile 150 tc0flow compile --model "$model" --depth-budget 6 -o "$circuit"
  # 12288 inputs (>= 10^4) are 48 CPU blocks of 256 samples: 3 full rounds on 16 cores.
  step bench 170 bench_gpu --circuit "$circuit" --inputs "$inputs" --json "$out/bench_gpu.json"
  step simulate 150 tc0flow simulate "$circuit" --random "$sim_samples" --device cuda --quiet --profile --json "$out/simulate.json"
  if [ $mode = rehearsal ]; then
    # The CPU side of the same commands: what a machine without a GPU does with --device auto, and
    # the fallback path through the emulated device.
    step simulate_auto 600 tc0flow simulate "$circuit" --random "$sim_samples" --device auto --quiet --profile --json "$work/simulate_auto.json"
    step check_auto 120 tc0flow check "$smoke" --model "$work/smoke" --count "$check_count" --device auto
    step_env=(TC0_TEST_DEVICE=emulate,block-words=2,fail-after=2)
    step fallback_emulated 60 tc0flow check "$smoke" --model "$work/smoke" --count 1024 --device cuda
    step_env=(TC0_TEST_DEVICE=emulate)
    step bench_emulated 60 bench_gpu --circuit "$smoke" --inputs 1024 --json "$work/bench_emulated.json"
  fi
fi

# ---- the device checks -------------------------------------------------------------------------
gates_json="" failed=0 passed=0
# gate NAME OK DETAIL: one device check; OK is 1 when it passed.
gate() {
  local status=FAIL
  [ "$2" = 1 ] && status=PASS passed=$((passed + 1)) || failed=$((failed + 1))
  say "  [$status] $1: $3"
  gates_json+="${gates_json:+, }\"$1\": {\"pass\": $([ "$2" = 1 ] && echo true || echo false), \"detail\": \"$(printf '%s' "$3" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr -d '\000-\037')\"}"
}
count() {
  local n
  n=$(grep -cE -- "$2" "$work/$1.out" 2>/dev/null)
  echo "${n:-0}"
}
say "== device checks"
name="${gpu_name:-$cuda_named}"
gate device_named "$([ -n "$name" ] && echo 1)" "${name:-no device name (nvidia-smi: ${smi:-absent}; tests: $(grep -m1 -oE 'no usable CUDA device[^]]*|built without CUDA[^]]*' "$work/tests.out" || echo no reason printed))}"
ok=$(count tests '^\[       OK \] CudaSim\.')
skipped=$(count tests '^\[  SKIPPED \] CudaSim\.[A-Za-z]+ \(')
bad=$(count tests '^\[  FAILED  \] CudaSim\.[A-Za-z]+ \(')
gate cuda_tests "$([ "${rc[tests]}" = 0 ] && [ "$ok" -ge 8 ] && [ "$skipped" = 0 ] && [ "$bad" = 0 ] && echo 1)" \
  "$ok CudaSim tests passed, $skipped skipped, $bad failed (exit ${rc[tests]}); $(grep -m1 -oE '^\[  SKIPPED \].*|no usable CUDA device[^]]*' "$work/tests.out" || true)"
ident=$(grep -m1 '^identity: ' "$work/bench.out" 2>/dev/null)
ident_n=$(printf '%s' "$ident" | sed -n 's/^identity: cuda == cpu on \([0-9]*\) inputs.*/\1/p')
# The issue asks for at least 10^4 inputs on the device, whatever --inputs says.
need=$inputs
[ $mode = device ] && [ "$need" -lt 10000 ] && need=10000
gate demo_identity "$([ "${rc[bench]:-1}" = 0 ] && [[ $ident == *": PASS" ]] && [ "${ident_n:-0}" -ge "$need" ] && echo 1)" \
  "${ident:-$(grep -m1 '^cuda: not measured' "$work/bench.out" 2>/dev/null || echo "bench did not run (exit ${rc[bench]:-none})")}"
ran_cuda() { has "$1" '^device: cuda \(' && ! has "$1" 'device error'; }
gate simulate_cuda "$([ "${rc[simulate]:-1}" = 0 ] && ran_cuda simulate && echo 1)" \
  "$(grep -m1 -E '^device: |^tc0flow simulate: error' "$work/simulate.out" 2>/dev/null || echo "not run (exit ${rc[simulate]:-none})")"
gate check_cuda "$([ "${rc[check]:-1}" = 0 ] && ran_cuda check && has check 'mismatches: PASS' && echo 1)" \
  "$(grep -m1 -E '^equivalence: |^tc0flow check: error' "$work/check.out" 2>/dev/null || echo "not run (exit ${rc[check]:-none})")"
gate fallback_cuda "$([ "${rc[fallback]:-1}" = 0 ] && has fallback '^device: cuda \(.*then cpu' && has fallback 'mismatches: PASS' && echo 1)" \
  "$(grep -m1 -E '^device: |^tc0flow check: error' "$work/fallback.out" 2>/dev/null || echo "not run (exit ${rc[fallback]:-none})")"

# ---- targets (device mode) ---------------------------------------------------------------------
targets=$(grep -m1 '^targets: ' "$work/bench.out" 2>/dev/null)
sim_s=${secs[simulate]:-0}
sim_target="simulate --random $sim_samples --device cuda: ${sim_s} s"
if [ $mode = device ] && [ "${rc[simulate]:-1}" = 0 ]; then
  [ "$sim_samples" = 100000 ] && sim_target+=" (target 60 s: $(awk -v s="$sim_s" 'BEGIN {print (s <= 60) ? "met" : "MISSED"}'))"
fi
[ "${rc[simulate]:-1}" = 124 ] && sim_target+=" (timed out: target MISSED)"

# ---- verdict -----------------------------------------------------------------------------------
total=$(since "$start")
if [ $mode = device ]; then
  verdict=$([ $failed = 0 ] && echo PASS || echo FAIL)
  [ -n "${rc[simulate]:-}" ] && say "targets: ${targets#targets: }${targets:+; }$sim_target"
  if [[ $targets == *MISSED* || $sim_target == *MISSED* ]]; then
    say "profile of the missed target(s): 'device profile' in gpu_check.log (bench_gpu end to end, simulate --profile)"
  fi
else
  # Rehearsal: no device check may pass, the lack of a device must be stated, the CPU side must work.
  expect() { if [ "$1" = 1 ]; then say "  [ok] $2"; else say "  [WRONG] $2"; wrong=1; fi; }
  wrong=0
  say "== rehearsal expectations (no device here)"
  expect "$([ $passed = 0 ] && echo 1)" "all $((passed + failed)) device checks fail without a device ($passed passed)"
  expect "$(has tests 'no usable CUDA device|built without CUDA|no CUDA device' && echo 1)" "the tests say why there is no device"
  expect "$([ "${rc[tests]}" = 0 ] && has tests '^\[  PASSED  \]' && [ "$(count tests '^\[       OK \] DeviceFallback\.')" -ge 6 ] && echo 1)" \
    "the device-path tests pass on the emulated device ($(count tests '^\[       OK \] DeviceFallback\.') DeviceFallback tests)"
  expect "$([ "${rc[compile]:-1}" = 0 ] && echo 1)" "compile runs (${secs[compile]:-?} s)"
  expect "$([ "${rc[bench]:-1}" = 0 ] && has bench '^cuda: not measured \(no device' && has bench '^cpu, 1 thread' && echo 1)" \
    "bench_gpu measures the CPU rows and says the CUDA rows need a device (${secs[bench]:-?} s)"
  expect "$([ "${rc[simulate]:-0}" = 1 ] && has simulate 'error: --device cuda: ' && echo 1)" "simulate --device cuda is refused with the reason"
  expect "$([ "${rc[check]:-0}" = 1 ] && has check 'error: --device cuda: ' && echo 1)" "check --device cuda is refused with the reason"
  expect "$([ "${rc[simulate_auto]:-1}" = 0 ] && has simulate_auto 'found no usable device' && echo 1)" \
    "simulate --device auto runs on the CPU and says why (${secs[simulate_auto]:-?} s for $sim_samples samples)"
  expect "$([ "${rc[check_auto]:-1}" = 0 ] && has check_auto 'mismatches: PASS' && has check_auto 'found no usable device' && echo 1)" \
    "check --device auto passes on the CPU (${secs[check_auto]:-?} s for $check_count inputs)"
  expect "$([ "${rc[fallback_emulated]:-1}" = 0 ] && has fallback_emulated 'device error, continuing on the CPU' && has fallback_emulated 'mismatches: PASS' && echo 1)" \
    "a device failing part-way under check gives the CPU's verdict, with a message (emulated device)"
  expect "$([ "${rc[bench_emulated]:-1}" = 0 ] && has bench_emulated '^identity: emulated == cpu on 1024 inputs .*: PASS$' && echo 1)" \
    "bench_gpu's device rows run on the emulated device (identity, profile, JSON)"
  verdict=$([ $wrong = 0 ] && echo "PASS (rehearsal: no device, as expected)" || echo "FAIL (rehearsal)")
fi

cat > "$out/gpu_check.json" <<EOF
{
  "mode": "$mode",
  "verdict": "${verdict%% *}",
  "commit": "$commit",
  "gpu": "$(printf '%s' "$name" | tr -d '"\\')",
  "nvidia_smi": "$(printf '%s' "$smi" | tr -d '"\\')",
  "driver": "$driver",
  "cpu_cores": $cores,
  "budget_s": $budget,
  "total_s": $total,
  "inputs": $inputs, "simulate_samples": $sim_samples, "check_inputs": $check_count,
  "steps": [$steps_json],
  "checks": {$gates_json},
  "simulate_seconds": ${secs[simulate]:-null},
  "targets_line": "$(printf '%s' "${targets#targets: }" | tr -d '"\\')",
  "files": ["gpu_check.log", "test_cuda.log", "bench_gpu.json", "simulate.json", "check.json"]
}
EOF
say "gpu check: $verdict in ${total} s (budget ${budget} s); results in $out/"
case $verdict in PASS*) exit 0 ;; *) exit 1 ;; esac
