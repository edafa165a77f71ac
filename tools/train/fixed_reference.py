#!/usr/bin/env python3
"""Independent Python fixed-point reference of tc0flow's sampler, checked against the C++ bits.

  python3 tools/train/fixed_reference.py sampler/models/moons_mf2 [--cases 0,2] [--json out.json]
  python3 tools/train/fixed_reference.py MODEL --samples s.json   (s.json from tc0flow sample --type fixed -o)

Loads MODEL/config.json and MODEL/weights.safetensors and runs the fixed-point operation graph of
sampler/README.md in pure integer arithmetic (package fixedref/, no C++ involved). For every case
of MODEL/fixed_golden.json (or of each --samples file) it regenerates the quantised noise from the
seed and compares it with the recorded noise_raw, then runs the sampler from the recorded noise_raw
and compares the final state integers with the recorded raw. Prints one line per case ("match", or
the first differing element: sample, index, Python value, C++ value); exits 1 on any mismatch and
2 on bad input."""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixedref import fixed  # noqa: E402
from fixedref.model import Model, ModelError  # noqa: E402
from fixedref.noise import noise_raw  # noqa: E402
from fixedref.samplers import sample  # noqa: E402


def first_difference(got, want):
    """(sample, index, got, want) of the first differing element, or None; shapes must agree."""
    if len(got) != len(want):
        return (len(min(got, want, key=len)), 0, f"{len(got)} samples", f"{len(want)} samples")
    for s, (g, w) in enumerate(zip(got, want)):
        if len(g) != len(w):
            return (s, 0, f"{len(g)} values", f"{len(w)} values")
        for i, (a, b) in enumerate(zip(g, w)):
            if a != b:
                return s, i, a, b
    return None


def check_case(m, case, label):
    """Prints the verdict lines of one case; returns its result record."""
    rec = {"label": label, "sampler": case["sampler"], "steps": case["steps"], "seed": case["seed"],
           "count": case["count"]}
    state = str(m.act("state"))
    if case["state_format"].replace(" ", "") != state:
        print(f"{label}: MISMATCH: recorded state format {case['state_format']}, the model's is {state}")
        rec["match"] = False
        return rec
    t0 = time.perf_counter()
    noise = noise_raw(case["seed"], case["count"], m.data_dim, m.noise_clip, m.act("state"))
    nd = first_difference(noise, case["noise_raw"])
    t1 = time.perf_counter()
    sat0 = fixed.saturations
    got = [sample(m, case["sampler"], case["steps"], z) for z in case["noise_raw"]]
    d = first_difference(got, case["raw"])
    t2 = time.perf_counter()
    rec.update({"noise_match": nd is None, "match": d is None and nd is None, "noise_seconds": t1 - t0,
                "sampler_seconds": t2 - t1, "values": sum(len(r) for r in case["raw"]),
                "sampler_saturations": fixed.saturations - sat0})
    if nd is not None:
        print(f"{label}: NOISE MISMATCH at sample {nd[0]} index {nd[1]}: python {nd[2]}, C++ {nd[3]}")
        rec["noise_first_difference"] = dict(zip(("sample", "index", "python", "cpp"), nd))
    if d is None:
        sat = f", {rec['sampler_saturations']} saturations" if rec["sampler_saturations"] else ""
        print(f"{label}: match ({rec['values']} values{sat}, noise {t1 - t0:.2f} s, sampler {t2 - t1:.2f} s)")
    else:
        print(f"{label}: MISMATCH at sample {d[0]} index {d[1]}: python {d[2]}, C++ {d[3]} ({t2 - t1:.2f} s)")
        rec["first_difference"] = dict(zip(("sample", "index", "python", "cpp"), d))
    return rec


def load_cases(args):
    """[(label prefix, case)] from the golden (optionally a subset) or from --samples files."""
    name = os.path.basename(os.path.normpath(args.model))
    if args.samples:
        out = []
        for path in args.samples:
            with open(path) as fh:
                s = json.load(fh)
            if s.get("type") != "fixed" or "raw" not in s:
                raise ModelError(f"{path}: not a fixed-point sample file (tc0flow sample --type fixed -o FILE)")
            sp = s["sampler"]
            case = {"sampler": sp["kind"], "steps": sp["steps"], "seed": s["seed"], "count": s["count"],
                    "raw": s["raw"], "noise_raw": s["noise_raw"], "state_format": s["state_format"]}
            out.append((f"{name} {os.path.basename(path)}", case))
        return out
    gpath = os.path.join(args.model, "fixed_golden.json")
    with open(gpath) as fh:
        cases = json.load(fh)["cases"]
    idx = list(range(len(cases))) if not args.cases else [int(x) for x in args.cases.split(",")]
    for i in idx:
        if not 0 <= i < len(cases):
            raise ModelError(f"--cases: no case {i} (the golden has {len(cases)})")
    return [(f"{name} case {i}", cases[i]) for i in idx]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="model directory with config.json, weights.safetensors, fixed_golden.json")
    ap.add_argument("--cases", help="comma-separated golden case indices (default: all)")
    ap.add_argument("--samples", action="append", help="check a `tc0flow sample --type fixed -o` file instead "
                    "of the golden (repeatable)")
    ap.add_argument("--json", help="write per-case results and timings here")
    a = ap.parse_args()
    try:
        t0 = time.perf_counter()
        m = Model(a.model)
        cases = load_cases(a)
        load_s = time.perf_counter() - t0
    except (OSError, ValueError, KeyError, TypeError, ModelError) as e:
        print(f"fixed_reference: {e}", file=sys.stderr)
        return 2
    name = os.path.basename(os.path.normpath(a.model))
    print(f"{name}: model loaded in {load_s:.2f} s")
    results = []
    for label, c in cases:
        try:
            c = dict(c)
            label = f"{label} ({c['sampler']}, {c['steps']} steps, seed {c['seed']}, {c['count']} samples)"
            results.append(check_case(m, c, label))
        except (KeyError, TypeError, ValueError) as e:
            print(f"fixed_reference: {label}: bad case ({e})", file=sys.stderr)
            return 2
    bad = sum(not r["match"] for r in results)
    total = time.perf_counter() - t0
    print(f"{name}: {len(results) - bad}/{len(results)} cases match, {total:.2f} s")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"model": name, "load_seconds": load_s, "seconds": total, "saturations": fixed.saturations,
                       "cases": results}, fh, indent=1)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
