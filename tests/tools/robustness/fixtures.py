"""Shared pieces of the robustness and interruption tests: running tc0flow, a tiny model written
from scratch (config + safetensors, so that compile takes about a second), and the check that no
temporary file of the atomic writer is left anywhere under a folder."""
import json
import os
import random
import shutil
import struct
import subprocess

TEMP_MARKER = ".tc0tmp-"  # fileio::kTempMarker


def run(tc0flow, args, timeout=60, cwd=None, preexec_fn=None):
    """(exit status, stdout, stderr); a negative status is the signal that ended it."""
    p = subprocess.run([tc0flow] + args, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                       preexec_fn=preexec_fn, errors="replace")
    return p.returncode, p.stdout, p.stderr


def leftover_temporaries(folder):
    found = []
    for base, dirs, files in os.walk(folder):
        found += [os.path.join(base, f) for f in files + dirs if TEMP_MARKER in f]
    return found


def write_safetensors(path, tensors):
    """tensors: name -> (shape, flat list of floats), written as F64 (the format's spec)."""
    header, data, offset = {}, b"", 0
    for name in sorted(tensors):
        shape, values = tensors[name]
        blob = struct.pack(f"<{len(values)}d", *values)
        header[name] = {"dtype": "F64", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        data += blob
        offset += len(blob)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def tiny_mlp(folder, repo, width=8, seed=1):
    """A one-layer MLP model on 2-D data (the shipped moons config with a smaller network)."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(repo, "sampler/models/moons_mf1/config.json")) as f:
        cfg = json.load(f)
    freqs = [1.0, 2.0]
    cfg["name"] = "tiny"
    cfg["time_embedding"]["freqs"] = freqs
    cfg["mlp"] = {"width": width, "depth": 1, "activation": "silu"}
    cfg.pop("training", None)
    cfg.pop("activation_ranges", None)
    inputs = cfg["data"]["dim"] + 4 * len(freqs)
    shapes = {"layers.0.weight": [width, inputs], "layers.0.bias": [width],
              "head_u.weight": [2, width], "head_u.bias": [2],
              "head_abar.weight": [2, width], "head_abar.bias": [2]}
    cfg["formats"] = {"rule": "tiny test model",
                      "weights": {n: "Q(8,6)" for n in shapes},
                      "activations": {"temb": "Q(10,8)", "layers.0.pre": "Q(10,6)", "layers.0.act": "Q(10,6)",
                                      "u": "Q(10,7)", "abar": "Q(10,7)", "state": "Q(10,7)"}}
    rng = random.Random(seed)
    tensors = {}
    for name, shape in shapes.items():
        n = 1
        for s in shape:
            n *= s
        tensors[name] = (shape, [round(rng.uniform(-1, 1), 6) for _ in range(n)])
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    write_safetensors(os.path.join(folder, "weights.safetensors"), tensors)
    return folder


def copy_model(src, dst, edit=None):
    """A copy of a model folder, its config changed by edit(cfg) when given."""
    shutil.copytree(src, dst)
    if edit:
        path = os.path.join(dst, "config.json")
        with open(path) as f:
            cfg = json.load(f)
        edit(cfg)
        with open(path, "w") as f:
            json.dump(cfg, f, indent=1)
    return dst
