#!/usr/bin/env python3
"""Independent Python fixed-point reference of tc0flow's sampler, checked against the C++ goldens.

  python3 tools/train/fixed_reference.py sampler/models/moons_mf2 [--cases 0,2] [--json out.json]

Loads MODEL/config.json and MODEL/weights.safetensors, runs the fixed-point operation graph of
sampler/README.md in pure integer arithmetic (package fixedref/, no C++ involved) from each case's
quantised noise in MODEL/fixed_golden.json, and compares the final state integers with the C++ bits.
Prints one line per case ("match" or the first differing element: sample, index, Python value,
C++ value) and exits 1 on any mismatch, 2 on bad input."""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixedref import fixed  # noqa: E402
from fixedref.model import Model, ModelError  # noqa: E402
from fixedref.samplers import sample  # noqa: E402


def first_difference(got, want):
    for s, (g, w) in enumerate(zip(got, want)):
        for i, (a, b) in enumerate(zip(g, w)):
            if a != b:
                return s, i, a, b
    return None


def run_case(m, case):
    got = [sample(m, case["sampler"], case["steps"], noise) for noise in case["noise_raw"]]
    return got, first_difference(got, case["raw"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="model directory with config.json, weights.safetensors, fixed_golden.json")
    ap.add_argument("--cases", help="comma-separated case indices (default: all)")
    ap.add_argument("--json", help="write per-case results and timings here")
    a = ap.parse_args()
    try:
        t0 = time.perf_counter()
        m = Model(a.model)
        gpath = os.path.join(a.model, "fixed_golden.json")
        with open(gpath) as fh:
            cases = json.load(fh)["cases"]
        load_s = time.perf_counter() - t0
        idx = list(range(len(cases))) if not a.cases else [int(x) for x in a.cases.split(",")]
        for i in idx:
            if not 0 <= i < len(cases):
                raise ModelError(f"--cases: no case {i} (the golden has {len(cases)})")
        state = str(m.act("state")).replace(" ", "")
    except (OSError, ValueError, KeyError, ModelError) as e:
        print(f"fixed_reference: {e}", file=sys.stderr)
        return 2
    name = os.path.basename(os.path.normpath(a.model))
    print(f"{name}: loaded in {load_s:.2f} s")
    results, bad = [], 0
    for i in idx:
        c = cases[i]
        if c["state_format"].replace(" ", "") != state:
            print(f"{name} case {i}: golden state format {c['state_format']} differs from the model's {state}")
            bad += 1
            continue
        t0 = time.perf_counter()
        _, diff = run_case(m, c)
        dt = time.perf_counter() - t0
        label = f"{name} case {i} ({c['sampler']}, {c['steps']} steps, seed {c['seed']}, {c['count']} samples)"
        n = sum(len(r) for r in c["raw"])
        if diff is None:
            print(f"{label}: match ({n} values, {dt:.2f} s)")
        else:
            bad += 1
            s, k, py, cpp = diff
            print(f"{label}: MISMATCH at sample {s} index {k}: python {py}, C++ {cpp} ({dt:.2f} s)")
        results.append({"case": i, "match": diff is None, "seconds": dt, "first_difference":
                        None if diff is None else {"sample": diff[0], "index": diff[1], "python": diff[2], "cpp": diff[3]}})
    if fixed.saturations:
        print(f"{name}: {fixed.saturations} saturation events")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"model": name, "load_seconds": load_s, "cases": results, "saturations": fixed.saturations}, fh, indent=1)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
