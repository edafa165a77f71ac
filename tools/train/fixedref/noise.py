"""The portable noise of sampler/README.md, written from its description: xoshiro256** seeded with
splitmix64(seed); each Gaussian takes two outputs a, b: u1 = ((a >> 11) + 1) 2^-53,
u2 = (b >> 11) 2^-53, g = sqrt(-2 ln u1) cos(2 pi u2), clipped to [-clip, clip] and correctly
rounded to the state format. Sample i uses entries [i dim, (i+1) dim) of the stream.
The enclosure of g comes from mpmath's interval arithmetic; the clip is applied to both ends."""
from mpmath import iv

from .fixed import rnd_q
from .functions import MAX_PREC, _mpf_to_fraction

M64 = (1 << 64) - 1


def _rotl(v, k):
    return ((v << k) | (v >> (64 - k))) & M64


def splitmix64_states(seed, n=4):
    x, out = seed & M64, []
    for _ in range(n):
        x = (x + 0x9E3779B97F4A7C15) & M64
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        out.append(z ^ (z >> 31))
    return out


class Xoshiro256StarStar:
    def __init__(self, seed):
        self.s = splitmix64_states(seed)

    def next(self):
        s = self.s
        result = (_rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result


def _gaussian_rounded(a, b, clip, out):
    prec = 128
    while prec <= MAX_PREC:
        iv.prec = prec
        x1 = iv.mpf((a >> 11) + 1) / (1 << 53)  # exact: a 54-bit integer over a power of two
        x2 = iv.mpf(b >> 11) / (1 << 53)
        g = iv.sqrt(-2 * iv.log(x1)) * iv.cos(2 * iv.pi * x2)
        lo, hi = (min(max(_mpf_to_fraction(m), -clip), clip) for m in g._mpi_)
        r0, r1 = rnd_q(lo, out), rnd_q(hi, out)
        if r0 == r1:
            return r0
        prec *= 2
    raise ArithmeticError("noise rounding not decided at the precision cap")


def noise_raw(seed, count, dim, clip, out):
    """count samples of dim quantised Gaussians (raws of out) from the stream of seed."""
    g = Xoshiro256StarStar(seed)
    flat = [_gaussian_rounded(g.next(), g.next(), clip, out) for _ in range(count * dim)]
    return [flat[i * dim:(i + 1) * dim] for i in range(count)]
