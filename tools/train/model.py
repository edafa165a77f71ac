"""The tc0flow networks in PyTorch, mirroring sampler/ in C++ op for op (sampler/README.md).

Both architectures map (z, t, s) to the two heads (u, abar), where s is h = t - r ("t_h") or r
("t_r"). The time embedding uses unscaled t: [cos(f t), sin(f t), cos(f s), sin(f s)] for the
configured frequencies (O(1-10) on t in [0, 1]; NOTES.md: sincos(1000 t) made the MeanFlow target
diverge). Attention scores are scaled by an exact dyadic constant (config attn_scale) so that the
fixed-point model folds it exactly. When `rec` is a dict, forward() records the largest |value| of
every named activation (the names of the config's activation formats).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def _record(rec, name, x):
    if rec is not None:
        m = float(x.detach().abs().max())
        rec[name] = max(rec.get(name, 0.0), m)


def _act(name):
    return {"silu": F.silu, "gelu": lambda x: F.gelu(x)}[name]


def time_embedding(t, s, freqs):
    """[cos(f t), sin(f t), cos(f s), sin(f s)] for each frequency f, in that order."""
    f = torch.tensor(freqs, dtype=t.dtype, device=t.device)
    at = t[:, None] * f[None, :]
    as_ = s[:, None] * f[None, :]
    return torch.cat([torch.cos(at), torch.sin(at), torch.cos(as_), torch.sin(as_)], dim=1)


def layer_norm(x, eps, rec, name):
    """LayerNorm without affine parameters, as the fixed-point graph computes it."""
    mean = x.mean(dim=-1, keepdim=True)
    _record(rec, name + ".mean", mean)
    xc = x - mean
    _record(rec, name + ".centered", xc)
    var = (xc * xc).mean(dim=-1, keepdim=True) + eps
    _record(rec, name + ".var", var)
    rstd = torch.rsqrt(var)
    _record(rec, name + ".rstd", rstd)
    y = xc * rstd
    _record(rec, name + ".norm", y)
    return y


class TimeMLP(nn.Module):
    def __init__(self, n_in, width, act):
        super().__init__()
        self.fc1 = nn.Linear(n_in, width)
        self.fc2 = nn.Linear(width, width)
        self.act = act

    def forward(self, emb, rec):
        h = self.fc1(emb)
        _record(rec, "t_embed.hidden", h)
        h = F.silu(h)
        _record(rec, "t_embed.act", h)
        c = self.fc2(h)
        _record(rec, "cond", c)
        c = F.silu(c)
        _record(rec, "cond_act", c)
        return c


class Block(nn.Module):
    def __init__(self, d, heads, mlp_ratio, act, attn_scale, eps):
        super().__init__()
        self.d, self.heads, self.attn_scale, self.eps = d, heads, attn_scale, eps
        self.adaLN = nn.Linear(d, 6 * d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.fc1 = nn.Linear(d, mlp_ratio * d)
        self.fc2 = nn.Linear(mlp_ratio * d, d)
        self.act = act
        nn.init.zeros_(self.adaLN.weight)  # adaLN-Zero: every block starts as the identity
        nn.init.zeros_(self.adaLN.bias)

    def forward(self, x, c, rec, p):
        B, T, D = x.shape
        mod = self.adaLN(c)  # [B, 6D]
        names = ["shift_msa", "scale_msa", "gate_msa", "shift_mlp", "scale_mlp", "gate_mlp"]
        parts = list(mod.chunk(6, dim=1))
        parts[1] = parts[1] + 1.0  # stored as 1 + scale: the constant 1 folds into the bias
        parts[4] = parts[4] + 1.0
        for n, v in zip(names, parts):
            _record(rec, f"{p}.{n}", v)
        sh1, sc1, g1, sh2, sc2, g2 = [v[:, None, :] for v in parts]

        y = layer_norm(x, self.eps, rec, p + ".ln1")
        y = y * sc1 + sh1
        _record(rec, p + ".ln1.mod", y)
        qkv = self.qkv(y)
        q, k, v = qkv.split(D, dim=2)
        _record(rec, p + ".attn.q", q)
        _record(rec, p + ".attn.k", k)
        _record(rec, p + ".attn.v", v)
        H, dh = self.heads, D // self.heads
        q = q.view(B, T, H, dh).transpose(1, 2)
        k = k.view(B, T, H, dh).transpose(1, 2)
        v = v.view(B, T, H, dh).transpose(1, 2)
        s = (q @ k.transpose(-1, -2)) * self.attn_scale  # [B, H, T, T]
        _record(rec, p + ".attn.score", s)
        m = s.max(dim=-1, keepdim=True).values
        sh = s - m.detach()  # softmax is shift invariant; no derivative through the max
        _record(rec, p + ".attn.shifted", sh)
        e = torch.exp(sh)
        _record(rec, p + ".attn.exp", e)
        den = e.sum(dim=-1, keepdim=True)
        _record(rec, p + ".attn.den", den)
        inv = 1.0 / den
        _record(rec, p + ".attn.inv", inv)
        num = e @ v  # [B, H, T, dh]
        _record(rec, p + ".attn.num", num)
        o = num * inv
        _record(rec, p + ".attn.out", o)
        o = o.transpose(1, 2).reshape(B, T, D)
        a = self.proj(o)
        _record(rec, p + ".attn.proj", a)
        x = x + g1 * a
        _record(rec, p + ".resid1", x)

        y = layer_norm(x, self.eps, rec, p + ".ln2")
        y = y * sc2 + sh2
        _record(rec, p + ".ln2.mod", y)
        h = self.fc1(y)
        _record(rec, p + ".mlp.hidden", h)
        h = self.act(h)
        _record(rec, p + ".mlp.act", h)
        h = self.fc2(h)
        _record(rec, p + ".mlp.out", h)
        x = x + g2 * h
        _record(rec, p + ".resid2", x)
        return x


class DiT(nn.Module):
    """Small DiT on C x S x S images, patch P: tokens (S/P)^2, each of P*P*C pixels."""

    def __init__(self, cfg):
        super().__init__()
        a = cfg["dit"]
        self.cfg = cfg
        self.S, self.C, self.P = a["image_size"], a["channels"], a["patch"]
        self.D, self.depth, self.heads = a["width"], a["depth"], a["heads"]
        self.T = (self.S // self.P) ** 2
        self.pd = self.P * self.P * self.C
        self.freqs = cfg["time_embedding"]["freqs"]
        self.eps = a["ln_eps"]
        act = _act(a["activation"])
        self.t_embed = TimeMLP(4 * len(self.freqs), self.D, act)
        self.patch_embed = nn.Linear(self.pd, self.D)
        self.pos_embed = nn.Parameter(torch.randn(self.T, self.D) * 0.02)
        self.blocks = nn.ModuleList(
            [Block(self.D, self.heads, a["mlp_ratio"], act, a["attn_scale"], self.eps) for _ in range(self.depth)])
        self.final_adaLN = nn.Linear(self.D, 2 * self.D)
        self.final_u = nn.Linear(self.D, self.pd)
        self.final_abar = nn.Linear(self.D, self.pd)
        for lin in (self.final_adaLN, self.final_u, self.final_abar):
            nn.init.zeros_(lin.weight)
            nn.init.zeros_(lin.bias)

    def patchify(self, z):
        B, S, P, C = z.shape[0], self.S, self.P, self.C
        x = z.view(B, C, S // P, P, S // P, P)  # b c py dy px dx
        return x.permute(0, 2, 4, 3, 5, 1).reshape(B, self.T, self.pd)  # token (py,px), elem (dy,dx,c)

    def unpatchify(self, x):
        B, S, P, C = x.shape[0], self.S, self.P, self.C
        x = x.view(B, S // P, S // P, P, P, C).permute(0, 5, 1, 3, 2, 4)
        return x.reshape(B, C * S * S)

    def forward(self, z, t, s, rec=None):
        """z: [B, C*S*S] flattened (c, y, x); returns (u, abar) of the same shape."""
        emb = time_embedding(t, s, self.freqs)
        _record(rec, "temb", emb)
        c = self.t_embed(emb, rec)
        x = self.patch_embed(self.patchify(z)) + self.pos_embed[None]
        _record(rec, "tokens", x)
        for i, blk in enumerate(self.blocks):
            x = blk(x, c, rec, f"blocks.{i}")
        fm = self.final_adaLN(c)
        shift, scale = fm.chunk(2, dim=1)
        scale = scale + 1.0
        _record(rec, "final.shift", shift)
        _record(rec, "final.scale", scale)
        y = layer_norm(x, self.eps, rec, "final.ln")
        y = y * scale[:, None, :] + shift[:, None, :]
        _record(rec, "final.ln.mod", y)
        u = self.final_u(y)
        ab = self.final_abar(y)
        _record(rec, "u", u)
        _record(rec, "abar", ab)
        return self.unpatchify(u), self.unpatchify(ab)

    def weight_names(self):
        return dit_weight_names(self.depth)

    def state_for_export(self):
        sd = {}
        m = self
        sd["t_embed.fc1.weight"], sd["t_embed.fc1.bias"] = m.t_embed.fc1.weight, m.t_embed.fc1.bias
        sd["t_embed.fc2.weight"], sd["t_embed.fc2.bias"] = m.t_embed.fc2.weight, m.t_embed.fc2.bias
        sd["patch_embed.weight"], sd["patch_embed.bias"] = m.patch_embed.weight, m.patch_embed.bias
        sd["pos_embed"] = m.pos_embed
        for i, b in enumerate(m.blocks):
            p = f"blocks.{i}."
            sd[p + "adaLN.weight"], sd[p + "adaLN.bias"] = b.adaLN.weight, b.adaLN.bias
            sd[p + "attn.qkv.weight"], sd[p + "attn.qkv.bias"] = b.qkv.weight, b.qkv.bias
            sd[p + "attn.proj.weight"], sd[p + "attn.proj.bias"] = b.proj.weight, b.proj.bias
            sd[p + "mlp.fc1.weight"], sd[p + "mlp.fc1.bias"] = b.fc1.weight, b.fc1.bias
            sd[p + "mlp.fc2.weight"], sd[p + "mlp.fc2.bias"] = b.fc2.weight, b.fc2.bias
        sd["final.adaLN.weight"], sd["final.adaLN.bias"] = m.final_adaLN.weight, m.final_adaLN.bias
        sd["final.u.weight"], sd["final.u.bias"] = m.final_u.weight, m.final_u.bias
        sd["final.abar.weight"], sd["final.abar.bias"] = m.final_abar.weight, m.final_abar.bias
        return sd


def dit_weight_names(depth):
    names = ["t_embed.fc1.weight", "t_embed.fc1.bias", "t_embed.fc2.weight", "t_embed.fc2.bias",
             "patch_embed.weight", "patch_embed.bias", "pos_embed"]
    for i in range(depth):
        for n in ["adaLN", "attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"]:
            names += [f"blocks.{i}.{n}.weight", f"blocks.{i}.{n}.bias"]
    names += ["final.adaLN.weight", "final.adaLN.bias", "final.u.weight", "final.u.bias",
              "final.abar.weight", "final.abar.bias"]
    return names


class MLPNet(nn.Module):
    """MLP for low-dimensional data: [z, temb] -> (Linear, act) x depth -> heads u and abar."""

    def __init__(self, cfg):
        super().__init__()
        a = cfg["mlp"]
        self.cfg = cfg
        self.dim, self.W, self.depth = cfg["data"]["dim"], a["width"], a["depth"]
        self.freqs = cfg["time_embedding"]["freqs"]
        self.act = _act(a["activation"])
        n_in = self.dim + 4 * len(self.freqs)
        self.layers = nn.ModuleList([nn.Linear(n_in if i == 0 else self.W, self.W) for i in range(self.depth)])
        self.head_u = nn.Linear(self.W, self.dim)
        self.head_abar = nn.Linear(self.W, self.dim)

    def forward(self, z, t, s, rec=None):
        emb = time_embedding(t, s, self.freqs)
        _record(rec, "temb", emb)
        x = torch.cat([z, emb], dim=1)
        for i, lin in enumerate(self.layers):
            x = lin(x)
            _record(rec, f"layers.{i}.pre", x)
            x = self.act(x)
            _record(rec, f"layers.{i}.act", x)
        u = self.head_u(x)
        ab = self.head_abar(x)
        _record(rec, "u", u)
        _record(rec, "abar", ab)
        return u, ab

    def state_for_export(self):
        sd = {}
        for i, lin in enumerate(self.layers):
            sd[f"layers.{i}.weight"], sd[f"layers.{i}.bias"] = lin.weight, lin.bias
        sd["head_u.weight"], sd["head_u.bias"] = self.head_u.weight, self.head_u.bias
        sd["head_abar.weight"], sd["head_abar.bias"] = self.head_abar.weight, self.head_abar.bias
        return sd


def build(cfg):
    return {"dit": DiT, "mlp": MLPNet}[cfg["architecture"]](cfg)
