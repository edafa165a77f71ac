#!/usr/bin/env python3
"""Python transcription of the portable noise generator of sampler/noise.hpp (xoshiro256** seeded by
splitmix64), for cross-checks: prints the first outputs for a seed. Box-Muller uses u1 = (a+1) 2^-53,
u2 = b 2^-53 from the top 53 bits of two consecutive outputs, g = sqrt(-2 ln u1) cos(2 pi u2)."""
import sys

M = (1 << 64) - 1


def rotl(v, k):
    return ((v << k) | (v >> (64 - k))) & M


class Xoshiro256ss:
    def __init__(self, seed):
        x, self.s = seed & M, []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
            self.s.append(z ^ (z >> 31))

    def next(self):
        s = self.s
        r = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return r


if __name__ == "__main__":
    g = Xoshiro256ss(int(sys.argv[1]) if len(sys.argv) > 1 else 42)
    print([g.next() for _ in range(4)])
