"""The model format of sampler/README.md: config.json + weights.safetensors, weights quantised to
their formats at load (half to even, saturated). Config numbers (freqs, c, ln_eps, attn_scale,
time grid) are the exact rationals of the binary64 values the JSON numbers denote."""
import json
import math
import os
import struct
from fractions import Fraction

from .fixed import parse_format, quantise_float

_DTYPES = {"F32": ("f", 4), "F64": ("d", 8)}


class ModelError(Exception):
    pass


def read_safetensors(path):
    """{name: (shape, [float, ...])}: 8-byte little-endian header length, JSON header, raw data."""
    with open(path, "rb") as fh:
        blob = fh.read()
    if len(blob) < 8:
        raise ModelError(f"{path}: shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8 or n > 100 << 20:
        raise ModelError(f"{path}: header length {n} runs past the end of the file")
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelError(f"{path}: header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise ModelError(f"{path}: header is not a JSON object")
    data = blob[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = _DTYPES.get(info.get("dtype"))
        if dt is None:
            raise ModelError(f"{path}: tensor {name}: dtype {info.get('dtype')} (allowed F32, F64)")
        shape = info["shape"]
        a, b = info["data_offsets"]
        count = math.prod(shape)
        if not (0 <= a <= b <= len(data)) or b - a != count * dt[1]:
            raise ModelError(f"{path}: tensor {name}: data_offsets {a}..{b} do not fit shape {shape}")
        vals = list(struct.unpack_from(f"<{count}{dt[0]}", data, a))  # float32 widens exactly
        if not all(math.isfinite(v) for v in vals):
            raise ModelError(f"{path}: tensor {name} has a non-finite value")
        out[name] = (list(shape), vals)
    return out


class Weight:
    """A quantised tensor: raws (row-major), frac, shape; rows(j) gives row j of a matrix."""

    def __init__(self, shape, raws, fmt):
        self.shape, self.raws, self.fmt, self.frac = shape, raws, fmt, fmt.f
        cols = shape[1] if len(shape) == 2 else 1
        self.rows = [raws[j * cols:(j + 1) * cols] for j in range(shape[0])] if len(shape) == 2 else None


class Model:
    def __init__(self, model_dir):
        cpath = os.path.join(model_dir, "config.json")
        try:
            with open(cpath) as fh:
                cfg = json.load(fh)
        except (OSError, json.JSONDecodeError) as e:
            raise ModelError(f"{cpath}: {e}") from None
        self.cfg = cfg
        for key, want in (("path", "linear"), ("acceleration", "kinematic")):
            if cfg.get(key) != want:
                raise ModelError(f"{cpath}: {key} '{cfg.get(key)}' (only '{want}' is implemented)")
        self.arch = cfg["architecture"]
        self.time_conditioning = cfg["time_conditioning"]
        if self.time_conditioning not in ("t_h", "t_r"):
            raise ModelError(f"{cpath}: time_conditioning '{self.time_conditioning}' (allowed t_h, t_r)")
        self.freqs = [Fraction(float(f)) for f in cfg["time_embedding"]["freqs"]]
        self.c = Fraction(float(cfg["sampler"]["c"]))
        self.data_dim = cfg["data"]["dim"]
        nz = cfg["noise"]
        if (nz.get("generator"), nz.get("transform")) != ("xoshiro256**", "box-muller-cos"):
            raise ModelError(f"{cpath}: noise generator/transform (only xoshiro256** / box-muller-cos)")
        self.noise_clip = Fraction(float(nz["clip"]))
        # SPEC.md section 2.4: "output_grid" rounds LayerNorm's eps to the variance's grid first
        self.constant_folding = cfg.get("constant_folding", "exact")
        if self.constant_folding not in ("exact", "output_grid"):
            raise ModelError(f"{cpath}: constant_folding '{self.constant_folding}' (allowed exact, output_grid)")
        self.act_formats = {k: parse_format(v) for k, v in cfg["formats"]["activations"].items()}
        wformats = {k: parse_format(v) for k, v in cfg["formats"]["weights"].items()}
        if self.arch == "dit":
            d = cfg["dit"]
            self.dit = d
            self.ln_eps = Fraction(float(d["ln_eps"]))
            self.attn_scale = Fraction(float(d["attn_scale"]))
            self.activation = d["activation"]
        elif self.arch == "mlp":
            self.mlp = cfg["mlp"]
            self.activation = cfg["mlp"]["activation"]
        else:
            raise ModelError(f"{cpath}: architecture '{self.arch}' (allowed dit, mlp)")
        if self.activation != "silu":
            raise ModelError(f"{cpath}: activation '{self.activation}' is not implemented in the Python reference "
                             "(silu is)")
        tensors = read_safetensors(os.path.join(model_dir, "weights.safetensors"))
        if set(tensors) != set(wformats):
            raise ModelError(f"{model_dir}: tensors {sorted(set(tensors) ^ set(wformats))} lack a format or a tensor")
        self.weights = {}
        for name, (shape, vals) in tensors.items():
            fmt = wformats[name]
            self.weights[name] = Weight(shape, [quantise_float(v, fmt) for v in vals], fmt)

    def act(self, name):
        try:
            return self.act_formats[name]
        except KeyError:
            raise ModelError(f"config: no activation format for '{name}'") from None

    def w(self, name):
        return self.weights[name]

    def second_time(self, t, r):
        return t - r if self.time_conditioning == "t_h" else r
