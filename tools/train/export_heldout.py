#!/usr/bin/env python3
"""Writes the held-out data of eval_samples.py's fixed split as MODEL/heldout.json, so that
`tc0flow fidelity` computes the SPEC 2 quality criterion (MMD^2 against held-out data) in C++ without
Python. The bandwidth (median pairwise distance of the held-out set) and the data-vs-data baseline
are the values eval_samples.py uses. Digits are stored as their integer pixel values (0..16) with
value = offset + scale * v; moons points as floats (repr, exact round trip).
  python3 tools/train/export_heldout.py sampler/models/digits_mf2 [more model dirs ...]"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eval_samples import heldout, mmd2, sqdist  # noqa: E402


def main():
    for model in sys.argv[1:]:
        cfg = json.load(open(os.path.join(model, "config.json")))
        kind = cfg["data"]["kind"]
        y, train = heldout(kind)
        sigma = float(np.median(np.sqrt(sqdist(y, y))))
        out = {"kind": kind, "note": "held-out split of tools/train/eval_samples.py",
               "bandwidth": sigma, "data_vs_data": float(mmd2(train[: len(y)], y, sigma))}
        if kind == "digits8x8":
            v = np.rint((y + 1.0) * 8.0).astype(int)
            assert np.array_equal(v / 8.0 - 1.0, y)
            out.update(offset=-1.0, scale=0.125, rows=v.tolist())
        else:
            out.update(offset=0.0, scale=1.0, rows=y.tolist())
        path = os.path.join(model, "heldout.json")
        with open(path, "w") as f:
            json.dump(out, f, separators=(",", ":"))
        print(f"{path}: {len(y)} rows, bandwidth {sigma:.6g}, data_vs_data {out['data_vs_data']:.3g}")


if __name__ == "__main__":
    main()
