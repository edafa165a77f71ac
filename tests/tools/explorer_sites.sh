#!/usr/bin/env bash
# Writes the explorer sites that the browser tests open (tests/tools/CMakeLists.txt):
#   OUT/max      a gadget circuit (max of 4 numbers: a module with own gates and a child)
#   OUT/moons    the compiled moons MF2 sampler, with --model, --bounds and --verify
#   OUT/sparse   the gadget with bounds and verification reports that leave fields out
#   OUT/missing, OUT/stale, OUT/nometa   copies of OUT/max with a data file removed or from another run
#   OUT/foreign  a folder that is not a site (tc0flow view must refuse it)
# Usage: explorer_sites.sh TC0FLOW OUT   (run from the repository root)
set -euo pipefail
tc0flow=$1 out=$2
rm -f "$out/max.tc0c" "$out/moons.tc0c"  # made anew each run
rm -rf "$out/max" "$out/moons" "$out/sparse" "$out/missing" "$out/stale" "$out/nometa" "$out/foreign"
mkdir -p "$out"
"$tc0flow" gadget max --bits 8 --terms 4 -o "$out/max.tc0c" >/dev/null
"$tc0flow" compile --model sampler/models/moons_mf2 --depth-budget 6 -o "$out/moons.tc0c" >/dev/null
"$tc0flow" view "$out/max.tc0c" -o "$out/max"
"$tc0flow" view "$out/moons.tc0c" -o "$out/moons" --model sampler/models/moons_mf2 \
  --bounds tests/tools/data/bounds_sample.json --verify tests/tools/data/verify_sample.json --json "$out/moons_view.json"
"$tc0flow" view "$out/max.tc0c" -o "$out/sparse" --bounds tests/tools/data/bounds_sparse.json \
  --verify tests/tools/data/verify_sparse.json
cp -r "$out/max" "$out/missing" && rm "$out/missing/data/n/1.js"
cp -r "$out/max" "$out/stale" && sed -i 's/tc0x.load("n\/1", "[^"]*"/tc0x.load("n\/1", "0000000000000000-1"/' "$out/stale/data/n/1.js"
grep -q '"0000000000000000-1"' "$out/stale/data/n/1.js"
cp -r "$out/max" "$out/nometa" && rm "$out/nometa/data/meta.js"
mkdir -p "$out/foreign" && echo "not a site" > "$out/foreign/notes.txt"
echo "sites written in $out"
