"""Export of a trained tc0flow model: config.json, weights.safetensors, golden.json.

Safetensors is written by hand (Debian has no package): 8-byte little-endian header length, a JSON
header {name: {dtype, shape, data_offsets}} padded with spaces to a multiple of 8, then the raw
little-endian tensor bytes. Initial fixed-point formats follow one rule from measured ranges and a
bit budget: a tensor with largest magnitude m in a w-bit budget gets Q(w, w - 1 - ceil(log2(m * margin)))
(margin 1 for weights, 1.25 for activations); the calibration step refines them later.
"""
import copy
import json
import math
import os
import struct

import numpy as np
import torch

import model as tcm

STATE_CLIP = 4.0  # documented noise clip range: the sampler state holds [-4, 4]


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        a = np.ascontiguousarray(t.detach().cpu().numpy().astype("<f4"))
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, d in header.items():
        if name == "__metadata__":
            continue
        dt = {"F32": "<f4", "F64": "<f8"}[d["dtype"]]
        b, e = d["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + b:8 + n + e], dtype=dt).reshape(d["shape"]).astype(np.float64)
    return out


def fmt_for(m, bits, margin):
    if not (m > 0):
        return f"Q({bits},{bits - 2})"
    ib = math.ceil(math.log2(m * margin))
    f = max(-128, min(128, bits - 1 - ib))
    return f"Q({bits},{f})"


def reload_float64(net):
    """A float64 copy whose weights are exactly the exported float32 values."""
    return copy.deepcopy(net).float().double()


def calibration_ranges(n64, cfg, n=256, seed=4321):
    """Largest |value| of every named activation over the evaluations the samplers make from noise."""
    rec = {}
    dim = cfg["data"]["dim"]
    gen = torch.Generator().manual_seed(seed)
    e = torch.randn(n, dim, generator=gen, dtype=torch.float64).clamp(-STATE_CLIP, STATE_CLIP)
    with torch.no_grad():
        for steps in (1, 2, 4, 8):
            z = e.clone()
            for i in range(steps):
                t, r = 1.0 - i / steps, 1.0 - (i + 1) / steps
                tt = torch.full((n,), t, dtype=torch.float64)
                v, _ = n64(z, tt, torch.zeros(n, dtype=torch.float64), rec)
                u, ab = n64(z, tt, torch.full((n,), t - r, dtype=torch.float64), rec)
                z = z - (t - r) * v
    return rec


def golden_inputs(cfg):
    dim = cfg["data"]["dim"]
    gen = torch.Generator().manual_seed(777)
    z = torch.randn(4, dim, generator=gen, dtype=torch.float64)
    t = torch.tensor([1.0, 1.0, 0.5, 0.3], dtype=torch.float64)
    s = torch.tensor([1.0, 0.0, 0.25, 0.0], dtype=torch.float64)  # h = t - r (t_h conditioning)
    return z, t, s


def export(net, cfg, out, weight_bits=8, act_bits=12):
    sd = net.state_for_export()
    write_safetensors(os.path.join(out, "weights.safetensors"), sd)
    n64 = reload_float64(net)
    wf = {name: fmt_for(float(t.detach().abs().max()), weight_bits, 1.0) for name, t in sd.items()}
    rec = calibration_ranges(n64, cfg)
    af = {name: fmt_for(m, act_bits, 1.25) for name, m in sorted(rec.items())}
    af["state"] = fmt_for(STATE_CLIP, act_bits, 1.0)
    cfg = dict(cfg)
    cfg["formats"] = {"rule": f"initial: weights {weight_bits} bits, activations {act_bits} bits, "
                              "f = w - 1 - ceil(log2(max|x| * margin))",
                      "weights": wf, "activations": af}
    cfg["activation_ranges"] = {k: float(v) for k, v in sorted(rec.items())}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    z, t, s = golden_inputs(cfg)
    with torch.no_grad():
        u, ab = n64(z, t, s)
    g = {"note": "PyTorch float64 forward of the exported (float32) weights on fixed inputs",
         "z": z.tolist(), "t": t.tolist(), "s": s.tolist(), "u": u.tolist(), "abar": ab.tolist()}
    with open(os.path.join(out, "golden.json"), "w") as f:
        json.dump(g, f)
