#!/usr/bin/env bash
# The explorer on the demo circuit (ctest -L slow -R explorer_browser_demo): compiles the 24 M-gate
# demo sampler, writes its site, then opens it in headless Chromium with every browser check and
# times the first view and every module (DIR/timing.json).
# Usage: explorer_demo.sh TC0FLOW DIR NODE explorer_browser.cjs   (run from the repository root)
set -euo pipefail
tc0flow=$1 dir=$2 node=$3 driver=$4
mkdir -p "$dir"
rm -f "$dir/demo.tc0c"  # this test's own file, made anew each run
"$tc0flow" compile --model sampler/models/digits_mf2 --depth-budget 6 -o "$dir/demo.tc0c"
"$tc0flow" view "$dir/demo.tc0c" -o "$dir/site" --model sampler/models/digits_mf2 --json "$dir/view.json"
du -sh "$dir/site"
"$node" "$driver" "$dir/site" --expect step0 --bus 'e[0]' --walk attn.score --screenshot "$dir/demo.png" --timing "$dir/timing.json"
