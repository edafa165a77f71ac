#!/usr/bin/env bash
# bench_bounds.sh: the figures of tc0flow bounds (issue 13), one run. Counting against building
# (the demo model: the count and tc0flow compile side by side), the DiT-S/2-like and DiT-B/2-like
# counts (one core: CPU seconds and peak memory from /usr/bin/time), the token and precision sweeps
# with both constant foldings, and the seed's effect. Writes OUT/*.json and prints one line per run.
#   tools/bench/bench_bounds.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
build=${1:-build}
out=${2:-bench-bounds}
tc0=$build/tools/tc0flow
mkdir -p "$out"
uptime | sed 's/^/load: /'
run() {  # name, then the tc0flow arguments
  local name=$1
  shift
  /usr/bin/time -f "$name: %U s user, %e s wall, %M KB peak" "$tc0" "$@" > "$out/$name.txt" 2> "$out/$name.time" ||
    { cat "$out/$name.txt" "$out/$name.time"; exit 1; }
  { grep -E '^(gates|tokens|precision|compiled)|~|independent' "$out/$name.txt" || true; } | cut -c1-160 | sed "s/^/$name: /"
  tail -1 "$out/$name.time"
}
arch=sampler/architectures
grid=$(mktemp -d)
trap 'rm -rf "$grid"' EXIT
python3 -c "import json,sys; a=json.load(open('$arch/small_dit.json')); a['constant_folding']='output_grid'; json.dump(a, open('$grid/small_dit_grid.json','w'))"
python3 -c "import json,sys; a=json.load(open('$arch/small_dit.json')); a['seed']=2; json.dump(a, open('$grid/small_dit_seed2.json','w'))"

run demo_count bounds --model sampler/models/digits_mf2 --json "$out/demo_count.json"
run demo_build compile --model sampler/models/digits_mf2 --depth-budget 6 -o "$grid/demo.tc0c"
run tokens_b6 bounds --arch $arch/small_dit.json --sweep tokens=4,16,64,256 --no-plots -o "$out/tokens_b6"
run tokens_b4 bounds --arch $arch/small_dit.json --sweep tokens=4,16,64,256 --depth-budget 4 --no-plots -o "$out/tokens_b4"
run tokens_b6_grid bounds --arch "$grid/small_dit_grid.json" --sweep tokens=4,16,64,256 --no-plots -o "$out/tokens_b6_grid"
run tokens_b6_seed2 bounds --arch "$grid/small_dit_seed2.json" --sweep tokens=4,16,64,256 --no-plots -o "$out/tokens_b6_seed2"
run precision bounds --arch $arch/small_dit.json --sweep precision=8,10,12,14,16 --no-plots -o "$out/precision"
run precision_grid bounds --arch "$grid/small_dit_grid.json" --sweep precision=8,10,12,14,16 --no-plots -o "$out/precision_grid"
run dit_s2 bounds --arch $arch/dit_s2.json --json "$out/dit_s2.json"
run dit_b2 bounds --arch $arch/dit_b2.json --json "$out/dit_b2.json"
uptime | sed 's/^/load: /'
