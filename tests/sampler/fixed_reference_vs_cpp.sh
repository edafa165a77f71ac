#!/usr/bin/env bash
# The Python fixed-point reference (tools/train/fixedref) against the freshly built C++ sampler on
# more inputs than the goldens hold, including a non-dyadic grid (3 steps: t - r = 1/3):
#   tests/sampler/fixed_reference_vs_cpp.sh TC0FLOW PYTHON      (run from the repository root)
# Exit 0 when every sample matches bit for bit, 1 otherwise (the checker names the first difference).
set -euo pipefail
tool=$1 py=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
run() {  # model sampler steps count seed
  local out="$tmp/$1_$2_$3_$5.json"
  "$tool" sample --model "sampler/models/$1" --type fixed --sampler "$2" --steps "$3" --count "$4" --seed "$5" \
    -o "$out" >/dev/null
  "$py" tools/train/fixed_reference.py "sampler/models/$1" --samples "$out" | grep -v "model loaded" || status=1
}
run moons_mf2 mf2 3 128 101
run moons_mf2 mf1 1 128 102
run moons_mf1 euler 5 64 103
run moons_mf1 mf2 2 64 104
run digits_mf2 mf2 3 4 105
run digits_mf2 mf1 2 8 106
run digits_mf1 euler 3 4 107

# Variants that reach the corners the shipped models do not: narrow formats (saturation in the
# state, the noise clip, linear layers, tables' inputs and outputs, LayerNorm variance, attention),
# t_r conditioning and a listed non-uniform time grid (kept when --steps equals the config's steps).
variant() {  # source name python-edit
  mkdir -p "$tmp/$2"
  cp "sampler/models/$1/config.json" "sampler/models/$1/weights.safetensors" "$tmp/$2/"
  "$py" - "$tmp/$2/config.json" "$3" <<'PY'
import json, sys
path, edit = sys.argv[1], sys.argv[2]
c = json.load(open(path))
a = c["formats"]["activations"]
exec(edit)
json.dump(c, open(path, "w"), indent=1)
PY
}
runv() {  # dir sampler steps count seed
  local out="$tmp/v_$(basename "$1")_$2_$3_$5.json"
  "$tool" sample --model "$1" --type fixed --sampler "$2" --steps "$3" --count "$4" --seed "$5" -o "$out" >/dev/null
  "$py" tools/train/fixed_reference.py "$1" --samples "$out" | grep -v "model loaded" || status=1
}
variant moons_mf2 moons_narrow 'a.update({"state": "Q(10,8)", "temb": "Q(6,4)", "layers.0.pre": "Q(8,6)",
  "layers.1.pre": "Q(8,4)", "layers.1.act": "Q(8,5)", "u": "Q(8,7)", "abar": "Q(6,3)"});
c["time_conditioning"] = "t_r"; c["sampler"]["steps"] = 3; c["sampler"]["time_grid"] = [1, 0.75, 0.3, 0]'
runv "$tmp/moons_narrow" mf2 3 64 201
runv "$tmp/moons_narrow" mf1 3 64 202
runv "$tmp/moons_narrow" euler 2 64 203
variant digits_mf2 digits_narrow 'a.update({"state": "Q(10,8)", "cond": "Q(8,5)", "blocks.0.attn.score": "Q(8,3)",
  "blocks.0.attn.shifted": "Q(6,2)", "blocks.0.attn.den": "Q(8,5)", "blocks.0.attn.inv": "Q(8,7)",
  "blocks.0.ln1.var": "Q(8,7)", "blocks.0.ln1.rstd": "Q(8,6)", "blocks.1.mlp.hidden": "Q(8,5)",
  "blocks.1.resid1": "Q(8,6)", "final.ln.mod": "Q(8,4)", "u": "Q(8,6)"})'
runv "$tmp/digits_narrow" mf2 2 2 204
exit $status
