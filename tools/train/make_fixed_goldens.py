#!/usr/bin/env python3
"""Records bit-exact goldens of the C++ fixed-point sampler for a shipped model:
  python3 tools/train/make_fixed_goldens.py BUILD/tools/tc0flow sampler/models/digits_mf2
Runs `tc0flow sample --type fixed` for a few (sampler, steps, seed) cases and stores the raw state
integers and the quantised noise in MODEL/fixed_golden.json (tests/sampler/test_sampler_golden.cpp).
Regenerate only when a change of the bits is intended, and say why in the commit."""
import json
import os
import subprocess
import sys
import tempfile

CASES = [("mf2", 1, 0, 4), ("mf1", 1, 1, 4), ("euler", 2, 2, 2), ("mf2", 2, 3, 2)]


def main():
    tool, model = sys.argv[1], sys.argv[2]
    cases = []
    for kind, steps, seed, count in CASES:
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "s.json")
            subprocess.run([tool, "sample", "--model", model, "--sampler", kind, "--steps", str(steps), "--type",
                            "fixed", "--seed", str(seed), "--count", str(count), "-o", out], check=True,
                           stdout=subprocess.DEVNULL)
            s = json.load(open(out))
        cases.append({"sampler": kind, "steps": steps, "seed": seed, "count": count, "raw": s["raw"],
                      "noise_raw": s["noise_raw"], "state_format": s["state_format"]})
    json.dump({"note": "bits of the C++ fixed-point sampler; see tools/train/make_fixed_goldens.py", "cases": cases},
              open(os.path.join(model, "fixed_golden.json"), "w"))


if __name__ == "__main__":
    main()
