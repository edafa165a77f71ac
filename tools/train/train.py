#!/usr/bin/env python3
"""Trains a Second-Order MeanFlow model (SPEC section 1.4) and exports it for tc0flow.

  /usr/bin/python3 tools/train/train.py --data digits --lam 0.1 --seed 0 --out sampler/models/digits_mf2

Loss L = L_u + lam L_a with stop-gradient targets from forward-mode JVPs (torch.autograd.forward_ad):
  u_tgt = v_t - (t-r) du/dt,      tangent (v_t, 0, 1) on (z, r, t)
  a_tgt = ahat - (t-r) dabar/dt,  ahat = JVP(v_theta; (v_theta, 1, 1) on (z, r, t)), v_theta = u(z, t, t)
adaptive weight 1/(||D||^2 + 1e-3), logit-normal(-0.4, 1) time pairs, r = t for 75%, EMA 0.999,
gradient clipping at 10 (NOTES.md). lam = 0 trains the first-order MeanFlow model the same way.
Writes config.json, weights.safetensors (F32), golden.json (float64 forward outputs of the exported
weights on fixed inputs) and train_log.json (times, losses, sample-quality figures) into --out.
Not part of CI: needs Debian's python3-torch and python3-sklearn (run with /usr/bin/python3).
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.autograd.forward_ad as fwAD

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as tcm  # noqa: E402
import export as tce  # noqa: E402

SEMANTICS_VERSION = 1  # must equal TC0_SEMANTICS_VERSION in the root CMakeLists.txt


def load_data(kind, seed):
    """Returns (train, heldout) float64 arrays. Digits: sklearn's 8x8 digits scaled to [-1, 1]."""
    rng = np.random.default_rng(seed)
    if kind == "digits":
        from sklearn.datasets import load_digits
        x = load_digits().data.astype(np.float64) / 8.0 - 1.0
        # Fixed split, independent of the training seed, so every model is judged on the same digits.
        perm = np.random.default_rng(12345).permutation(len(x))
        return x[perm[:1500]], x[perm[1500:]]
    if kind == "moons":
        from sklearn.datasets import make_moons
        x, _ = make_moons(n_samples=6000, noise=0.05, random_state=12345)
        x = (x - np.array([0.5, 0.25])) * np.array([1.0, 2.0])  # roughly centred, spread about [-1.5, 1.5]
        return x[:5000], x[5000:]
    raise SystemExit(f"unknown data kind {kind}")


def make_config(args):
    cfg = {
        "format": "tc0flow-model",
        "semantics_version": SEMANTICS_VERSION,
        "name": os.path.basename(os.path.normpath(args.out)),
        "path": "linear",
        "time_conditioning": "t_h",
        "acceleration": "kinematic",
        "time_embedding": {"freqs": [1.0, 2.0, 3.0, 4.0, 6.0, 8.0]},
        "sampler": {"kind": "mf2" if args.lam > 0 else "mf1", "steps": 1, "c": 0.5, "time_grid": "uniform"},
        "noise": {"generator": "xoshiro256**", "transform": "box-muller-cos", "clip": 4.0},
    }
    if args.data == "digits":
        cfg["architecture"] = "dit"
        cfg["data"] = {"kind": "digits8x8", "dim": 64, "shape": [1, 8, 8]}
        cfg["dit"] = {"image_size": 8, "channels": 1, "patch": 2, "width": args.width, "depth": args.depth,
                      "heads": args.heads, "mlp_ratio": 2, "activation": "silu", "ln_eps": 1e-6,
                      # exact dyadic near 1/sqrt(d_head), folded into the score dot product exactly
                      "attn_scale": _dyadic(1.0 / math.sqrt(args.width // args.heads), 7)}
    else:
        cfg["architecture"] = "mlp"
        cfg["data"] = {"kind": args.data, "dim": 2}
        cfg["mlp"] = {"width": 64, "depth": 3, "activation": "silu"}
    cfg["training"] = {"seed": args.seed, "lambda": args.lam, "steps": args.steps, "batch": args.batch,
                       "lr": args.lr, "ema": 0.999, "time_sampling": "logit-normal(-0.4,1)",
                       "r_equals_t_fraction": 0.75, "adaptive_weight": "1/(||D||^2+1e-3)", "grad_clip": 10.0}
    return cfg


def _dyadic(x, bits):
    return round(x * 2 ** bits) / 2 ** bits


def sample_times(n, gen):
    a = torch.sigmoid(torch.randn(n, generator=gen) - 0.4)
    b = torch.sigmoid(torch.randn(n, generator=gen) - 0.4)
    t, r = torch.maximum(a, b), torch.minimum(a, b)
    same = torch.rand(n, generator=gen) < 0.75
    r = torch.where(same, t, r)
    return t, r


def adaptive(delta):
    sq = (delta ** 2).sum(dim=1)
    w = 1.0 / (sq.detach() + 1e-3)
    return (w * sq).mean(), sq.mean().detach()


def loss_fn(net, x, gen, lam):
    n, dev = x.shape[0], x.device
    e = torch.randn(x.shape, generator=gen).to(dev)  # CPU generator: the same draws on every device
    t, r = (v.to(dev) for v in sample_times(n, gen))
    h = t - r
    z = (1 - t[:, None]) * x + t[:, None] * e
    vt = e - x
    zeros, ones = torch.zeros(n, device=dev), torch.ones(n, device=dev)
    if lam > 0:
        with torch.no_grad():
            v_th, _ = net(z, t, zeros)
            with fwAD.dual_level():
                out, _ = net(fwAD.make_dual(z, v_th), fwAD.make_dual(t, ones), fwAD.make_dual(zeros, zeros))
                ahat = fwAD.unpack_dual(out).tangent
    with fwAD.dual_level():
        # (z, r, t) tangent (v_t, 0, 1) is (v_t, 1, 1) on (z, t, h)
        u, ab = net(fwAD.make_dual(z, vt), fwAD.make_dual(t, ones), fwAD.make_dual(h, ones))
        u_p, du = fwAD.unpack_dual(u)
        a_p, da = fwAD.unpack_dual(ab)
    u_tgt = (vt - h[:, None] * du).detach()
    lu, mu = adaptive(u_p - u_tgt)
    if lam > 0:
        a_tgt = (ahat - h[:, None] * da).detach()
        la, ma = adaptive(a_p - a_tgt)
    else:
        la, ma = torch.zeros(()), torch.zeros(())
    return lu + lam * la, float(mu), float(ma)


@torch.no_grad()
def sample(net, e, kind, steps, c=0.5):
    """Float64 samplers of SPEC 1.4 on the uniform grid t_i = 1 - i/K."""
    z = e.clone()
    n = z.shape[0]
    for i in range(steps):
        t, r = 1.0 - i / steps, 1.0 - (i + 1) / steps
        tt = torch.full((n,), t, dtype=z.dtype)
        if kind == "mf1":
            u, _ = net(z, tt, torch.full((n,), t - r, dtype=z.dtype))
            z = z - (t - r) * u
        elif kind == "mf2":
            v, _ = net(z, tt, torch.zeros(n, dtype=z.dtype))
            _, ab = net(z, tt, torch.full((n,), t - r, dtype=z.dtype))
            z = z - (t - r) * v + c * (t - r) ** 2 * ab
        else:
            v, _ = net(z, tt, torch.zeros(n, dtype=z.dtype))
            z = z - (t - r) * v
    return z


def mmd2(x, y, sigma):
    """Unbiased MMD^2 with a Gaussian kernel of fixed bandwidth sigma."""
    def k(a, b):
        return torch.exp(-torch.cdist(a, b) ** 2 / (2 * sigma ** 2))
    m, n = x.shape[0], y.shape[0]
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    return float((kxx.sum() - kxx.diag().sum()) / (m * (m - 1)) + (kyy.sum() - kyy.diag().sum()) / (n * (n - 1))
                 - 2 * kxy.mean())


def evaluate(net, heldout, train, seed):
    net = net.double()
    y = torch.tensor(heldout)
    xt = torch.tensor(train[: len(heldout)])
    sigma = float(torch.cdist(y, y).median())
    gen = torch.Generator().manual_seed(1000 + seed)
    e = torch.randn(y.shape, generator=gen, dtype=torch.float64).clamp(-4, 4)
    res = {"mmd_bandwidth": sigma, "n": len(heldout), "data_vs_data": mmd2(xt, y, sigma)}
    for kind, steps in [("mf1", 1), ("mf2", 1), ("mf1", 2), ("mf2", 2), ("euler", 1), ("euler", 2),
                        ("euler", 4), ("euler", 8), ("euler", 32)]:
        s = sample(net, e, kind, steps)
        res[f"{kind}-{steps}"] = {"mmd2": mmd2(s, y, sigma), "frac_abs_gt_1.2": float((s.abs() > 1.2).double().mean())}
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=["digits", "moons"], default="digits")
    ap.add_argument("--lam", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--time-limit", type=float, default=840.0, help="seconds; stops early (recorded)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--weight-bits", type=int, default=8)
    ap.add_argument("--act-bits", type=int, default=12)
    ap.add_argument("--device", default="cpu", help="cpu or cuda (the draws come from a CPU generator)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    torch.set_num_threads(1)  # NOTES.md: one thread was faster for a model this small
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    train, heldout = load_data(args.data, args.seed)
    cfg = make_config(args)
    net = tcm.build(cfg).to(args.device)
    ema = copy.deepcopy(net)
    for p in ema.parameters():
        p.requires_grad_(False)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    xs = torch.tensor(train, dtype=torch.float32, device=args.device)
    log = {"loss": [], "step_ms": None}
    t0 = time.time()
    step = 0
    while step < args.steps and time.time() - t0 < args.time_limit:
        idx = torch.randint(0, len(xs), (args.batch,), generator=gen).to(args.device)
        loss, mu, ma = loss_fn(net, xs[idx], gen, args.lam)
        opt.zero_grad()
        loss.backward()
        gn = float(torch.nn.utils.clip_grad_norm_(net.parameters(), 10.0))
        opt.step()
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), net.parameters()):
                pe.mul_(0.999).add_(p, alpha=0.001)
        step += 1
        if step % 500 == 0 or step == 1:
            el = time.time() - t0
            log["loss"].append({"step": step, "loss": float(loss), "mse_u": mu, "mse_a": ma, "grad_norm": gn,
                                "seconds": el})
            print(f"step {step} loss {float(loss):.4f} mse_u {mu:.4f} mse_a {ma:.4f} |g| {gn:.2f} {el:.0f}s",
                  flush=True)
    log["steps_done"] = step
    log["train_seconds"] = time.time() - t0
    log["step_ms"] = 1000 * log["train_seconds"] / max(step, 1)
    cfg["training"]["steps_done"] = step
    cfg["training"]["train_seconds"] = round(log["train_seconds"], 1)
    cfg["training"]["device"] = args.device
    cfg["training"]["torch"] = torch.__version__
    ema = ema.cpu()
    os.makedirs(args.out, exist_ok=True)
    tce.export(ema, cfg, args.out, weight_bits=args.weight_bits, act_bits=args.act_bits)
    log["eval"] = evaluate(tce.reload_float64(ema), heldout, train, args.seed)
    with open(os.path.join(args.out, "train_log.json"), "w") as f:
        json.dump(log, f, indent=1)
    print(json.dumps(log["eval"], indent=1))


if __name__ == "__main__":
    main()
