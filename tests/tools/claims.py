#!/usr/bin/env python3
"""The paper's TC0 claim on compiled samplers (SPEC.md section 3.7), with bands fixed from the theory:
for each width, `tc0flow bounds` sweeps the token count n at one construction strategy and the test
asserts the depth is the same at every n, the attention component's edges grow as n^e with e in
[1.75, 2.25] (the T^2 scores and the T-term softmax sums), and the linear, nonlinear and norm
components' as n^e with e in [0.9, 1.1]. With --materialise every point is also built, and the built
circuit's gates, edges, stored entries, depth, max fan-in, weight bits and majority size must equal
the count.

  claims.py TC0FLOW OUTDIR --widths 4,8 --tokens 4,9,16,25 --depth-budget 4 [--materialise]
"""
import argparse
import json
import os
import subprocess
import sys

BANDS = {"attention": (1.75, 2.25), "linear": (0.9, 1.1), "nonlinear": (0.9, 1.1), "norm": (0.9, 1.1)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tc0flow")
    ap.add_argument("outdir")
    ap.add_argument("--widths", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--depth-budget", default="4")
    ap.add_argument("--materialise", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    failures = []
    for width in a.widths.split(","):
        arch = os.path.join(a.outdir, f"arch_w{width}.json")
        with open(arch, "w") as f:
            json.dump({"architecture": "dit", "image_size": 4, "channels": 1, "patch": 1, "width": int(width),
                       "heads": 2, "mlp_ratio": 1, "blocks": 1, "act_bits": 8, "seed": 3}, f)
        out = os.path.join(a.outdir, f"bounds_w{width}.json")
        cmd = [a.tc0flow, "bounds", "--arch", arch, "--sweep", "tokens=" + a.tokens, "--depth-budget", a.depth_budget,
               "--json", out] + (["--materialise"] if a.materialise else [])
        r = subprocess.run(cmd, capture_output=True, text=True)
        print(r.stdout, end="")
        if r.returncode != 0:
            failures.append(f"width {width}: tc0flow bounds exited {r.returncode}: {r.stderr.strip()}")
            continue
        j = json.load(open(out))
        pts = j["points"]
        depths = sorted({p["depth"] for p in pts})
        if len(depths) != 1:
            failures.append(f"width {width}: depth changes with n: {depths}")
        if not j.get("depth_independent_of_axis"):
            failures.append(f"width {width}: bounds does not report the depth independent of n")
        fits = j["fits"]["edges"]
        for comp, (lo, hi) in BANDS.items():
            e = fits.get(comp, {}).get("exponent")
            if e is None or not lo <= e <= hi:
                failures.append(f"width {width}: {comp} edges ~ n^{e}, outside [{lo}, {hi}]")
            else:
                print(f"width {width}: {comp} edges ~ n^{e:.3f} in [{lo}, {hi}]")
        if a.materialise:
            for p in pts:
                m = p.get("materialised")
                if m is None:
                    failures.append(f"width {width} n {p['tokens']}: not materialised")
                    continue
                for k in ("gates", "edges", "stored_edges", "depth", "max_fanin", "weight_bits", "majority_size"):
                    if m[k] != p[k]:
                        failures.append(f"width {width} n {p['tokens']}: {k} counted {p[k]} != materialised {m[k]}")
    for f in failures:
        print("FAIL:", f)
    print("claims: " + ("FAIL" if failures else "PASS"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
