"""MF1, MF2 and Euler on the exact uniform grid t_i = 1 - i/K (sampler/README.md "Samplers"): each
update is one linear form with exact rational coefficients, rounded once per state entry."""
from fractions import Fraction

from .fixed import rnd_q, value
from .network import forward


def uniform_grid(steps):
    return [Fraction(steps - i, steps) for i in range(steps + 1)]


def grid(m, steps):
    """The config's time grid when it lists steps + 1 times, else the uniform grid of steps."""
    g = m.cfg["sampler"].get("time_grid", "uniform")
    if isinstance(g, list) and len(g) == steps + 1:
        return [Fraction(float(t)) for t in g]
    return uniform_grid(steps)


def step(m, kind, z, t, r):
    fz = m.act("state")
    dt = t - r
    if kind == "mf2":
        v, _ = forward(m, z, t, m.second_time(t, t))
        _, abar = forward(m, z, t, m.second_time(t, r))
        fv, fa = m.act("u").f, m.act("abar").f
        k = m.c * dt * dt
        return [rnd_q(value(zi, fz.f) - dt * value(vi, fv) + k * value(ai, fa), fz) for zi, vi, ai in zip(z, v, abar)]
    if kind not in ("mf1", "euler"):
        raise ValueError(f"sampler '{kind}' (allowed mf1, mf2, euler)")
    u, _ = forward(m, z, t, m.second_time(t, r) if kind == "mf1" else m.second_time(t, t))
    fu = m.act("u").f
    return [rnd_q(value(zi, fz.f) - dt * value(ui, fu), fz) for zi, ui in zip(z, u)]


def sample(m, kind, steps, noise_raw):
    """Runs the sampler from quantised noise (raws in the state format); returns the final raws."""
    g = grid(m, steps)
    z = list(noise_raw)
    for i in range(steps):
        z = step(m, kind, z, g[i], g[i + 1])
    return z
