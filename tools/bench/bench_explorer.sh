#!/usr/bin/env bash
# Benchmark of the circuit explorer (issue 17 point 4) on a circuit, by default the demo circuit:
# the time, CPU and peak memory of `tc0flow view` (and its own phases), the size of the site, then
# headless Chromium (tests/tools/explorer_browser.cjs --timing): the first view, every module of
# the tree and the largest unit of every leaf at gate level, each from the hash change to rendered.
# Prints a table and writes JSON with the machine, the commit and the figures.
#   tools/bench/bench_explorer.sh [BUILD] [CIRCUIT] [OUT] [JSON]
# CIRCUIT defaults to OUT/demo.tc0c, compiled first when missing:
#   tc0flow compile --model sampler/models/digits_mf2 --depth-budget 6 -o OUT/demo.tc0c
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build} out=${3:-/tmp/tc0flow-bench-explorer}
circuit=${2:-$out/demo.tc0c} json=${4:-$out/bench_explorer.json}
mkdir -p "$out"
tc0flow=$build/tools/tc0flow
if [ ! -f "$circuit" ]; then
  "$tc0flow" compile --model sampler/models/digits_mf2 --depth-budget 6 -o "$circuit" >/dev/null
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/time -v -o "$out/view.time" "$tc0flow" view "$circuit" -o "$out/site" --model sampler/models/digits_mf2 \
  --json "$out/view.json" >/dev/null
bytes=$(du -sb "$out/site" | cut -f1)
NODE_PATH=$build/tools/explorer/npm/node_modules node tests/tools/explorer_browser.cjs "$out/site" --expect step0 \
  --screenshot "$out/explorer.png" --timing "$out/timing.json" > "$out/browser.log"
python3 - "$out" "$json" "$bytes" "$load_before" "$circuit" <<'PY'
import json, os, platform, re, subprocess, sys
out, path, size, load, circuit = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
t = open(f"{out}/view.time").read()
def field(name):
    return re.search(re.escape(name) + r": (.*)", t).group(1).strip()
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
m = [float(x) for x in wall.split(":")]
wall_s = m[-1] + 60 * m[-2] + (3600 * m[-3] if len(m) > 2 else 0)
view = json.load(open(f"{out}/view.json"))
timing = json.load(open(f"{out}/timing.json"))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
r = {
  "benchmark": "explorer", "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
  "machine": {"cpu": cpu, "cores": os.cpu_count(), "load_before": load, "load_after": open("/proc/loadavg").read().split()[:3],
              "chromium": subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()},
  "circuit": circuit, "view_wall_s": wall_s, "view_user_s": float(field("User time (seconds)")),
  "view_sys_s": float(field("System time (seconds)")), "view_peak_gib": int(field("Maximum resident set size (kbytes)")) / 2**20,
  "phases_s": {"load": view["seconds_load"], "tree": view["site"]["seconds_tree"], "units": view["site"]["seconds_units"],
               "write": view["site"]["seconds_write"]},
  "phases_cpu_s": {"load": view["cpu_seconds_load"], "tree": view["site"]["cpu_seconds_tree"],
                   "units": view["site"]["cpu_seconds_units"], "write": view["site"]["cpu_seconds_write"]},
  "site_bytes": size, "site_files": view["site"]["files"], "units": view["site"]["units"], "templates": view["site"]["templates"],
  "first_view_ms": timing["first_view_ms"], "first_view_wall_ms": timing["first_view_wall_ms"],
  "modules_opened": timing["modules"], "slowest_module_ms": timing["slowest_module_ms"],
  "units_opened": timing["units_opened"], "slowest_unit_ms": timing["slowest_unit_ms"], "slowest_units": timing["slowest_units"],
}
json.dump(r, open(path, "w"), indent=2)
print(f"{'what':44} {'measured':>14} {'target':>10}")
rows = [("tc0flow view wall (s)", f"{wall_s:.1f}", "60"),
        ("  CPU user + sys (s)", f"{r['view_user_s'] + r['view_sys_s']:.1f}", ""),
        ("  phases load / tree / units / write (s)", "/".join(f"{v:.1f}" for v in r["phases_s"].values()), ""),
        ("  the same, CPU of the main thread (s)", "/".join(f"{v:.1f}" for v in r["phases_cpu_s"].values()), ""),
        ("  peak memory (GiB)", f"{r['view_peak_gib']:.2f}", ""),
        ("site size (MB)", f"{size / 1e6:.1f}", "200"),
        ("units at gate level / templates", f"{r['units']} / {r['templates']}", ""),
        ("first view (ms, rendered / from navigation)", f"{r['first_view_ms']:.0f} / {r['first_view_wall_ms']}", "2000"),
        (f"slowest of {r['modules_opened']} modules (ms)", f"{r['slowest_module_ms']:.0f}", "1000"),
        (f"slowest of {r['units_opened']} gate-level units (ms)", f"{r['slowest_unit_ms']:.0f}", "1000")]
for a, b, c in rows: print(f"{a:44} {b:>14} {c:>10}")
print(f"load before/after: {load} / {' '.join(r['machine']['load_after'])}; JSON: {path}")
PY
