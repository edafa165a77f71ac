"""Formats Q(w,f) and the single rounding of SPEC 2: exact value -> nearest on the 2^-f grid, ties to
even, then saturate to [-2^(w-1), 2^(w-1) - 1]. Values are exact integers n scaled by 2^-k."""
import re
from fractions import Fraction


class Format:
    __slots__ = ("w", "f", "min_raw", "max_raw")

    def __init__(self, w, f):
        if not (2 <= w <= 64 and -128 <= f <= 128):
            raise ValueError(f"illegal format Q({w},{f}): need 2 <= w <= 64 and -128 <= f <= 128")
        self.w, self.f = w, f
        self.min_raw, self.max_raw = -(1 << (w - 1)), (1 << (w - 1)) - 1

    def __repr__(self):
        return f"Q({self.w},{self.f})"

    def __eq__(self, other):
        return isinstance(other, Format) and (self.w, self.f) == (other.w, other.f)

    def __hash__(self):
        return hash((self.w, self.f))


_FORMAT_RE = re.compile(r"^\s*Q\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)\s*$|^\s*Q(-?\d+)\.(-?\d+)\s*$")


def parse_format(text):
    m = _FORMAT_RE.match(text)
    if not m:
        raise ValueError(f"bad format '{text}': expected Q(w,f)")
    w, f = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
    return Format(int(w), int(f))


# Saturation events, counted like the C++ (reported, not an error).
saturations = 0


def saturate(raw, out):
    global saturations
    if raw < out.min_raw:
        saturations += 1
        return out.min_raw
    if raw > out.max_raw:
        saturations += 1
        return out.max_raw
    return raw


def round_div(num, den):
    """Nearest integer to num/den (den > 0), ties to even."""
    q, r = divmod(num, den)  # floor division: num/den = q + r/den, 0 <= r < den
    r2 = 2 * r
    if r2 > den or (r2 == den and q & 1):
        q += 1
    return q


def rnd(n, k, out):
    """R_out(n * 2^-k): one rounding of an exact dyadic value."""
    d = out.f - k
    if d >= 0:
        return saturate(n << d, out)
    return saturate(round_div(n, 1 << -d), out)


def rnd_q(q, out):
    """R_out(q) for an exact rational q."""
    q = Fraction(q)
    num, den = q.numerator, q.denominator
    if out.f >= 0:
        num <<= out.f
    else:
        den <<= -out.f
    return saturate(round_div(num, den), out)


def value(raw, k):
    """The exact value raw * 2^-k as a Fraction."""
    return Fraction(raw << -k) if k <= 0 else Fraction(raw, 1 << k)


def dyadic(q):
    """(n, k) with q = n 2^-k when q is dyadic, else None."""
    q = Fraction(q)
    d = q.denominator
    if d & (d - 1):
        return None
    return q.numerator, d.bit_length() - 1


def quantise_float(x, out):
    """A stored float (float32 or float64 read exactly) rounded once to out."""
    return rnd_q(Fraction(x), out)
