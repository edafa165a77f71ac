"""Correctly rounded unary functions (SPEC 2): the exact real value rounded once to the output format.

reciprocal and rsqrt are algebraic and are rounded with exact integer arithmetic (ties decided
exactly). exp, silu, cos and sin of a nonzero rational are transcendental, so their value is never a
tie; they are enclosed with mpmath's interval arithmetic (mpmath.iv, outward rounded) at a precision
that doubles until both ends of the enclosure round to the same integer (rounding is monotone, so
the result is then certain). Argument 0 is the exact case of each (exp 1, silu 0, cos 1, sin 0).
Domain rules of numerics/README.md: reciprocal(0) and rsqrt(x <= 0) give the largest value."""
from fractions import Fraction
from math import isqrt

from mpmath import iv

from .fixed import rnd, rnd_q, saturate, value

MAX_PREC = 8192


def _mpf_to_fraction(m):
    sign, man, exp, _ = m
    if man == 0 and exp != 0:
        raise ArithmeticError("mpmath interval end is not finite")
    v = Fraction(man << exp) if exp >= 0 else Fraction(man, 1 << -exp)
    return -v if sign else v


def _certified(enclose, out, start_prec):
    """Round the value enclosed by enclose(prec) -> iv interval once to out; certain or an error."""
    prec = start_prec
    while prec <= MAX_PREC:
        iv.prec = prec
        y = enclose()
        lo, hi = (_mpf_to_fraction(m) for m in y._mpi_)
        a, b = rnd_q(lo, out), rnd_q(hi, out)
        if a == b:
            return a
        prec *= 2
    raise ArithmeticError(f"correct rounding to {out} not decided at {MAX_PREC} bits")


def _iv_rational(q):
    q = Fraction(q)
    return iv.mpf(q.numerator) / iv.mpf(q.denominator)


def _exp(x):
    return iv.exp(_iv_rational(x))


def _silu(x):
    xi = _iv_rational(x)
    return xi / (1 + iv.exp(-xi))


def trig(fn, q, out):
    """cos or sin of an exact rational argument q, correctly rounded to out."""
    q = Fraction(q)
    if q == 0:
        return rnd_q(1 if fn == "cos" else 0, out)
    f = iv.cos if fn == "cos" else iv.sin
    return _certified(lambda: f(_iv_rational(q)), out, 64 + out.w + abs(out.f))


def _reciprocal(raw, fin, out):
    if raw == 0:
        return out.max_raw
    return rnd_q(1 / value(raw, fin), out)


def _rsqrt(raw, fin, out):
    if raw <= 0:
        return out.max_raw
    # y = 2^out.f / sqrt(x), so y^2 = Q exactly; round sqrt(Q) half to even with integers only
    Q = Fraction(1 << 2 * out.f) / value(raw, fin) if out.f >= 0 else 1 / (value(raw, fin) * (1 << -2 * out.f))
    n = isqrt(Q.numerator // Q.denominator)  # floor(sqrt(Q))
    lhs, rhs = 4 * Q.numerator, (2 * n + 1) ** 2 * Q.denominator  # compare Q with (n + 1/2)^2
    if lhs > rhs or (lhs == rhs and n & 1):
        n += 1
    return saturate(n, out)


_TABLE_CACHE = {}


def unary(fn, raw, fin_fmt, out):
    """fn applied to the table input raw * 2^-fin (format fin_fmt, at most 16 bits), rounded to out."""
    if fin_fmt.w > 16:
        raise ValueError(f"table input {fin_fmt} is wider than 16 bits (SPEC 2: round to a table format first)")
    key = (fn, raw, fin_fmt.f, out)
    r = _TABLE_CACHE.get(key)
    if r is not None:
        return r
    fin = fin_fmt.f
    x = value(raw, fin)
    start = 64 + max(out.w, fin_fmt.w) + abs(out.f) + abs(fin)
    if fn == "reciprocal":
        r = _reciprocal(raw, fin, out)
    elif fn == "rsqrt":
        r = _rsqrt(raw, fin, out)
    elif fn == "exp":
        r = rnd(1, 0, out) if raw == 0 else _certified(lambda: _exp(x), out, start)
    elif fn == "silu":
        r = rnd(0, 0, out) if raw == 0 else _certified(lambda: _silu(x), out, start)
    else:
        raise ValueError(f"unary function '{fn}' is not implemented in the Python reference (exp, reciprocal, "
                         "rsqrt, silu are)")
    _TABLE_CACHE[key] = r
    return r
