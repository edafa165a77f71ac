"""The forward pass (z, t, s) -> (u, abar) of sampler/README.md "The fixed-point operation graph",
one rounding per line of that table. A vector is a list of raw integers sharing one frac (the value
of entry i is raw_i 2^-frac); every rounding names its activation format from the config."""
from fractions import Fraction
from operator import mul

from .fixed import dyadic, rnd, rnd_q, value
from .functions import trig, unary


def _up(raws, frm, to):
    """The same exact values on the finer grid 2^-to (no rounding)."""
    return [r << (to - frm) for r in raws]


def linear_rows(W, B, xs, fx, out, row0, n, offset=Fraction(0), extra=None):
    """R_out(offset + b_j + extra_j + W_j . x) for rows j in [row0, row0 + n); extra = (raws, frac)."""
    fw, fb = W.frac, B.frac
    ks = [fw + fx, fb]
    if extra is not None:
        ks.append(extra[1])
    off = dyadic(offset)
    if off is None:
        raise ValueError("non-dyadic offset in a linear layer")
    ks.append(off[1])
    K = max(ks)
    res = []
    for j in range(row0, row0 + n):
        s = sum(map(mul, W.rows[j], xs)) << (K - fw - fx)
        s += B.raws[j] << (K - fb)
        if extra is not None:
            s += extra[0][j - row0] << (K - extra[1])
        s += off[0] << (K - off[1])
        res.append(rnd(s, K, out))
    return res


def linear(m, prefix, xs, fx, out):
    W = m.w(prefix + ".weight")
    return linear_rows(W, m.w(prefix + ".bias"), xs, fx, out, 0, W.shape[0])


def unary_all(m, fn, xs, fin_name, out_name):
    fin, out = m.act(fin_name), m.act(out_name)
    return [unary(fn, x, fin, out) for x in xs]


def time_embedding(m, t, s):
    """[cos(f_k t) for all k], [sin(f_k t) for all k], then the same for s: blocks, not interleaved."""
    out = m.act("temb")
    e = []
    for x in (t, s):
        e += [trig("cos", f * x, out) for f in m.freqs]
        e += [trig("sin", f * x, out) for f in m.freqs]
    return e


def layer_norm(m, p, xs, fx):
    """mean, centered, var (eps folded in, one rounding), rsqrt table, norm (README "LayerNorm")."""
    D = len(xs)
    fm, fc, fv = m.act(p + ".mean"), m.act(p + ".centered"), m.act(p + ".var")
    frs, fn = m.act(p + ".rstd"), m.act(p + ".norm")
    mean = rnd_q(Fraction(sum(xs), D) * value(1, fx), fm)
    K = max(fx, fm.f)
    c = [rnd((x << (K - fx)) - (mean << (K - fm.f)), K, fc) for x in xs]
    eps = m.ln_eps if m.constant_folding == "exact" else value(rnd_q(m.ln_eps, fv), fv.f)
    var = rnd_q(eps + Fraction(sum(v * v for v in c), D) * value(1, 2 * fc.f), fv)
    rstd = unary("rsqrt", var, fv, frs)
    return [rnd(v * rstd, fc.f + frs.f, fn) for v in c]


def mul_add(a, fa, b, fb, c, fc, out):
    """R_out(a b + c) for one entry."""
    K = max(fa + fb, fc)
    return rnd((a * b << (K - fa - fb)) + (c << (K - fc)), K, out)


def forward_dit(m, z, fz, t, s):
    d = m.dit
    D, S, P, C, H = d["width"], d["image_size"], d["patch"], d["channels"], d["heads"]
    G = S // P
    T, dh = G * G, D // H
    act = m.activation
    emb = time_embedding(m, t, s)
    # conditioning, rows 1-4
    h = linear(m, "t_embed.fc1", emb, m.act("temb").f, m.act("t_embed.hidden"))
    h = unary_all(m, act_fn("silu"), h, "t_embed.hidden", "t_embed.act")
    cond = linear(m, "t_embed.fc2", h, m.act("t_embed.act").f, m.act("cond"))
    cond = unary_all(m, act_fn("silu"), cond, "cond", "cond_act")
    fcond = m.act("cond_act").f
    # row 5: patchify, embed, add the position (summed exactly with the bias)
    ftok = m.act("tokens")
    pos = m.w("pos_embed")
    x = []
    for py in range(G):
        for px in range(G):
            p = py * G + px
            patch = [z[c * S * S + (py * P + dy) * S + px * P + dx] for dy in range(P) for dx in range(P)
                     for c in range(C)]
            x.append(linear_rows(m.w("patch_embed.weight"), m.w("patch_embed.bias"), patch, fz, ftok, 0, D,
                                 extra=(pos.rows[p], pos.frac)))
    fx = ftok.f
    for l in range(d["depth"]):
        p = f"blocks.{l}"
        aw, ab = m.w(p + ".adaLN.weight"), m.w(p + ".adaLN.bias")
        names = ["shift_msa", "scale_msa", "gate_msa", "shift_mlp", "scale_mlp", "gate_mlp"]
        mod = [linear_rows(aw, ab, cond, fcond, m.act(f"{p}.{nm}"), k * D, D, Fraction(1 if k in (1, 4) else 0))
               for k, nm in enumerate(names)]
        fmod = [m.act(f"{p}.{nm}").f for nm in names]
        # attention branch, rows 7-9
        qw, qb = m.w(p + ".attn.qkv.weight"), m.w(p + ".attn.qkv.bias")
        fq, fk, fv = m.act(p + ".attn.q"), m.act(p + ".attn.k"), m.act(p + ".attn.v")
        f1n, f1m = m.act(p + ".ln1.norm"), m.act(p + ".ln1.mod")
        q, k, v = [], [], []
        for i in range(T):
            n = layer_norm(m, p + ".ln1", x[i], fx)
            y = [mul_add(n[j], f1n.f, mod[1][j], fmod[1], mod[0][j], fmod[0], f1m) for j in range(D)]
            q.append(linear_rows(qw, qb, y, f1m.f, fq, 0, D))
            k.append(linear_rows(qw, qb, y, f1m.f, fk, D, D))
            v.append(linear_rows(qw, qb, y, f1m.f, fv, 2 * D, D))
        fs, fsh, fe = m.act(p + ".attn.score"), m.act(p + ".attn.shifted"), m.act(p + ".attn.exp")
        fden, finv, fnum, fo = m.act(p + ".attn.den"), m.act(p + ".attn.inv"), m.act(p + ".attn.num"), m.act(p + ".attn.out")
        sc_n, sc_k = dyadic(m.attn_scale)
        o = [[0] * D for _ in range(T)]
        for hd in range(H):
            lo, hi = hd * dh, (hd + 1) * dh
            for i in range(T):
                qh = q[i][lo:hi]
                # row 10: scores, attn_scale folded into the one rounding
                kq = fq.f + fk.f + sc_k
                sc = [rnd(sum(map(mul, qh, k[j][lo:hi])) * sc_n, kq, fs) for j in range(T)]
                mx = max(sc)  # row 11, exact, same format
                # rows 12-13: shift (exact difference, rounded to `shifted`), exp table
                Ks = max(fs.f, fsh.f)
                e = [unary("exp", rnd((sj - mx) << (Ks - fs.f), Ks, fsh), fsh, fe) for sj in sc]
                den = rnd(sum(e), fe.f, fden)  # row 14
                inv = unary("reciprocal", den, fden, finv)  # row 15
                for c in range(lo, hi):
                    num = rnd(sum(e[j] * v[j][c] for j in range(T)), fe.f + fv.f, fnum)  # row 16
                    o[i][c] = rnd(num * inv, fnum.f + finv.f, fo)  # row 17
        fr1 = m.act(p + ".resid1")
        fproj = m.act(p + ".attn.proj")
        for i in range(T):
            pr = linear(m, p + ".attn.proj", o[i], fo.f, fproj)  # row 18
            x[i] = [mul_add(mod[2][j], fmod[2], pr[j], fproj.f, x[i][j], fx, fr1) for j in range(D)]  # row 19
        fx = fr1.f
        # MLP branch, rows 20-24
        fr2, f2n, f2m = m.act(p + ".resid2"), m.act(p + ".ln2.norm"), m.act(p + ".ln2.mod")
        fhid, fact, fout = m.act(p + ".mlp.hidden"), m.act(p + ".mlp.act"), m.act(p + ".mlp.out")
        for i in range(T):
            n = layer_norm(m, p + ".ln2", x[i], fx)
            y = [mul_add(n[j], f2n.f, mod[4][j], fmod[4], mod[3][j], fmod[3], f2m) for j in range(D)]
            hh = linear(m, p + ".mlp.fc1", y, f2m.f, fhid)
            hh = [unary(act_fn(act), h_, fhid, fact) for h_ in hh]
            out = linear(m, p + ".mlp.fc2", hh, fact.f, fout)
            x[i] = [mul_add(mod[5][j], fmod[5], out[j], fout.f, x[i][j], fx, fr2) for j in range(D)]
        fx = fr2.f
    # final layer, rows 25-27
    fw, fb = m.w("final.adaLN.weight"), m.w("final.adaLN.bias")
    fsh_, fsc = m.act("final.shift"), m.act("final.scale")
    shift = linear_rows(fw, fb, cond, fcond, fsh_, 0, D)
    scale = linear_rows(fw, fb, cond, fcond, fsc, D, D, Fraction(1))
    fnn, fmo, fu, fa = m.act("final.ln.norm"), m.act("final.ln.mod"), m.act("u"), m.act("abar")
    u_out, a_out = [0] * len(z), [0] * len(z)
    for py in range(G):
        for px in range(G):
            p = py * G + px
            n = layer_norm(m, "final.ln", x[p], fx)
            y = [mul_add(n[j], fnn.f, scale[j], fsc.f, shift[j], fsh_.f, fmo) for j in range(D)]
            u = linear(m, "final.u", y, fmo.f, fu)
            ab = linear(m, "final.abar", y, fmo.f, fa)
            for dy in range(P):
                for dx in range(P):
                    for c in range(C):
                        kk, pix = (dy * P + dx) * C + c, c * S * S + (py * P + dy) * S + px * P + dx
                        u_out[pix], a_out[pix] = u[kk], ab[kk]
    return u_out, a_out


def act_fn(name):
    if name != "silu":
        raise ValueError(f"activation '{name}' is not implemented in the Python reference (silu is)")
    return name


def forward_mlp(m, z, fz, t, s):
    ft = m.act("temb").f
    F = max(fz, ft)
    x = _up(z, fz, F) + _up(time_embedding(m, t, s), ft, F)  # [z, temb], exact on one grid
    fx = F
    for l in range(m.mlp["depth"]):
        p = f"layers.{l}"
        pre = linear(m, p, x, fx, m.act(p + ".pre"))
        x = unary_all(m, act_fn(m.activation), pre, p + ".pre", p + ".act")
        fx = m.act(p + ".act").f
    return linear(m, "head_u", x, fx, m.act("u")), linear(m, "head_abar", x, fx, m.act("abar"))


def forward(m, z, t, s):
    """One network evaluation on the state z (raws in the state format) at exact rationals t, s."""
    fz = m.act("state").f
    if len(z) != m.data_dim:
        raise ValueError(f"input has {len(z)} values, the model takes {m.data_dim}")
    return (forward_dit if m.arch == "dit" else forward_mlp)(m, z, fz, t, s)
