#!/usr/bin/env python3
"""Tests of the Python fixed-point reference (tools/train/fixedref) against independent references:
Python's built-in round() of a Fraction (half to even) for the single rounding, mpmath at 320 bits
with other formulas for the tables, and mutated goldens for the checker itself (it must fail, and
name the first differing element). The bit-exact comparison with the C++ goldens is the ctest
entries fixed_reference_<model>."""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest
from fractions import Fraction

import mpmath

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))

from fixedref.fixed import Format, parse_format, rnd, rnd_q  # noqa: E402
from fixedref.functions import trig, unary  # noqa: E402
from fixedref.model import ModelError, read_safetensors  # noqa: E402
from fixedref.noise import Xoshiro256StarStar, splitmix64_states  # noqa: E402

CLI = os.path.join(ROOT, "tools", "train", "fixed_reference.py")


def ref_round(q, fmt):
    """Independent: Python's round() of a Fraction is half to even; then clamp."""
    r = round(Fraction(q) * Fraction(2) ** fmt.f)
    return max(fmt.min_raw, min(fmt.max_raw, r))


def mp_round(x, fmt):
    """Nearest of an mpmath value (320 bits, far from a tie for these transcendental values), clamped."""
    x = mpmath.mpf(x)
    man, exp = abs(x).man_exp
    return ref_round((-1 if x < 0 else 1) * Fraction(man) * Fraction(2) ** exp, fmt)


class Rounding(unittest.TestCase):
    def test_dyadic_exhaustive(self):
        n_cases = 0
        for fmt in (Format(6, 1), Format(6, -1), Format(8, 3), Format(2, 0), Format(5, 7)):
            for k in range(-2, 6):
                for n in range(-300, 301):
                    self.assertEqual(rnd(n, k, fmt), ref_round(Fraction(n) / Fraction(2) ** k, fmt), (n, k, fmt))
                    n_cases += 1
        print(f"[cases] dyadic rounding: {n_cases}")

    def test_rational_random(self):
        rng = random.Random(7)
        for _ in range(20000):
            fmt = Format(rng.randint(2, 20), rng.randint(-4, 12))
            q = Fraction(rng.randint(-10 ** 6, 10 ** 6), rng.choice([1, 2, 3, 5, 6, 7, 12, 1024, 3 << 10]))
            self.assertEqual(rnd_q(q, fmt), ref_round(q, fmt), (q, fmt))
        print("[cases] rational rounding: 20000")

    def test_formats(self):
        self.assertEqual(parse_format("Q(12,8)"), Format(12, 8))
        self.assertEqual(parse_format("Q8.4"), Format(8, 4))
        for bad in ("Q(1,0)", "Q(65,0)", "Q(8,200)", "X(8,4)"):
            with self.assertRaises(ValueError):
                parse_format(bad)


class Tables(unittest.TestCase):
    """Every entry of small tables against mpmath at 320 bits with other formulas."""

    def entries(self, fin, fout, fn, ref):
        mpmath.mp.prec = 320
        n = 0
        for raw in range(fin.min_raw, fin.max_raw + 1):
            x = mpmath.mpf(raw) / mpmath.mpf(2) ** fin.f
            want = ref(x, raw)
            if want is None:
                continue
            self.assertEqual(unary(fn, raw, fin, fout), want, (fn, raw, fin, fout))
            n += 1
        return n

    def test_exp_silu(self):
        n = 0
        for fin, fout in ((Format(10, 6), Format(12, 10)), (Format(9, 4), Format(8, 5)), (Format(8, 2), Format(10, 4))):
            n += self.entries(fin, fout, "exp", lambda x, r: ref_round(Fraction(1), fout) if r == 0 else
                              mp_round(1 / mpmath.exp(-x), fout))
            # silu = x/2 (1 + tanh(x/2)), a different formula from x / (1 + e^-x)
            n += self.entries(fin, fout, "silu", lambda x, r: 0 if r == 0 else
                              mp_round(x / 2 * (1 + mpmath.tanh(x / 2)), fout))
        print(f"[cases] exp, silu table entries: {n}")

    def test_reciprocal_rsqrt_exact(self):
        n = 0
        for fin, fout in ((Format(10, 6), Format(12, 10)), (Format(8, 0), Format(8, 7)), (Format(8, 4), Format(6, 1)),
                          (Format(12, 10), Format(12, 8))):
            # reciprocal: the exact rational rounded by round(); rsqrt: integer square root by comparing squares
            n += self.entries(fin, fout, "reciprocal", lambda x, r: fout.max_raw if r == 0 else
                              ref_round(Fraction(Fraction(2) ** fin.f, r), fout))

            def rsqrt_ref(x, r):
                if r <= 0:
                    return fout.max_raw
                # sqrt(q) for q = 2^fin / r: y^2 = q * 4^fout; nearest integer by brute comparison of squares
                y2 = Fraction(Fraction(2) ** fin.f, r) * Fraction(4) ** fout.f
                c = int(mpmath.floor(mpmath.sqrt(mpmath.mpf(y2.numerator) / y2.denominator)))
                # round half to even on sqrt(y2): compare y2 with (c + 1/2)^2
                while Fraction(c) ** 2 > y2:
                    c -= 1
                while Fraction(c + 1) ** 2 <= y2:
                    c += 1
                h = Fraction(2 * c + 1, 2) ** 2
                if y2 > h or (y2 == h and c % 2):
                    c += 1
                return max(fout.min_raw, min(fout.max_raw, c))
            n += self.entries(fin, fout, "rsqrt", rsqrt_ref)
        print(f"[cases] reciprocal, rsqrt table entries: {n}")

    def test_exact_ties(self):
        # rsqrt and reciprocal of a dyadic are dyadic only at powers of two, so their ties sit
        # between 0 and +-1 LSB: ties to even gives 0
        self.assertEqual(unary("rsqrt", 16, Format(8, 6), Format(8, -2)), 0)  # rsqrt(1/4) = 2 = 0.5 LSB
        self.assertEqual(unary("rsqrt", 64, Format(8, 6), Format(8, 1)), 2)  # rsqrt(1) = 1, exact
        self.assertEqual(unary("reciprocal", 2, Format(8, 0), Format(8, 0)), 0)  # 1/2 -> 0
        self.assertEqual(unary("reciprocal", -2, Format(8, 0), Format(8, 0)), 0)  # -1/2 -> 0
        self.assertEqual(unary("reciprocal", 3, Format(8, 0), Format(8, 1)), 1)  # 1/3 = 0.67 LSB -> 1
        self.assertEqual(unary("reciprocal", 2, Format(8, 2), Format(8, 0)), 2)  # 1/(1/2) = 2
        self.assertEqual(unary("reciprocal", 0, Format(8, 0), Format(8, 3)), 127)  # domain rules
        self.assertEqual(unary("rsqrt", -5, Format(8, 0), Format(8, 3)), 127)
        self.assertEqual(unary("rsqrt", 0, Format(8, 0), Format(8, 3)), 127)
        self.assertEqual(unary("reciprocal", 1, Format(8, 7), Format(8, 0)), 127)  # 128 saturates

    def test_trig(self):
        mpmath.mp.prec = 320
        out = Format(12, 10)
        n = 0
        for num in range(-40, 41):
            for den in (1, 2, 3, 7, 16):
                q = Fraction(num, den)
                for fn, f in (("cos", mpmath.cos), ("sin", mpmath.sin)):
                    want = ref_round(1 if fn == "cos" else 0, out) if q == 0 else \
                        mp_round(f(mpmath.mpf(num) / den), out)
                    self.assertEqual(trig(fn, q, out), want, (fn, q))
                    n += 1
        print(f"[cases] trig: {n}")


class Noise(unittest.TestCase):
    def test_splitmix64_known_value(self):
        # splitmix64 seeded with 0: the first output is 0xE220A8397B1DCDAF (published test value)
        self.assertEqual(splitmix64_states(0, 1)[0], 0xE220A8397B1DCDAF)

    def test_xoshiro_deterministic(self):
        a, b = Xoshiro256StarStar(5), Xoshiro256StarStar(5)
        self.assertEqual([a.next() for _ in range(5)], [b.next() for _ in range(5)])


class Checker(unittest.TestCase):
    """The checker must fail on a golden that differs in one element, and name it."""

    def run_cli(self, *args):
        p = subprocess.run([sys.executable, CLI, *args], capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr

    def mutated_model(self, edit):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        src = os.path.join(ROOT, "sampler", "models", "moons_mf2")
        for f in ("config.json", "weights.safetensors", "fixed_golden.json"):
            shutil.copy(os.path.join(src, f), d)
        path = os.path.join(d, "fixed_golden.json")
        with open(path) as fh:
            g = json.load(fh)
        edit(g)
        with open(path, "w") as fh:
            json.dump(g, fh)
        return d

    def test_passes_unmodified(self):
        rc, out = self.run_cli(os.path.join(ROOT, "sampler", "models", "moons_mf2"), "--cases", "1")
        self.assertEqual(rc, 0, out)

    def test_raw_mutation_is_named(self):
        def edit(g):
            g["cases"][2]["raw"][1][0] += 1
        rc, out = self.run_cli(self.mutated_model(edit), "--cases", "2")
        with open(os.path.join(ROOT, "sampler", "models", "moons_mf2", "fixed_golden.json")) as fh:
            v = json.load(fh)["cases"][2]["raw"][1][0]
        self.assertEqual(rc, 1, out)
        self.assertIn(f"MISMATCH at sample 1 index 0: python {v}, C++ {v + 1}", out)

    def test_noise_mutation_is_named(self):
        def edit(g):
            g["cases"][0]["noise_raw"][3][1] -= 1
        rc, out = self.run_cli(self.mutated_model(edit), "--cases", "0")
        self.assertEqual(rc, 1, out)
        self.assertIn("NOISE MISMATCH at sample 3 index 1", out)

    def test_bad_input(self):
        rc, out = self.run_cli(os.path.join(ROOT, "no_such_model"))
        self.assertEqual(rc, 2)
        self.assertEqual(len(out.strip().splitlines()), 1, out)
        rc, out = self.run_cli(os.path.join(ROOT, "sampler", "models", "moons_mf2"), "--cases", "9")
        self.assertEqual(rc, 2)
        self.assertIn("no case 9", out)

    def test_safetensors_errors(self):
        with tempfile.NamedTemporaryFile(suffix=".safetensors") as fh:
            fh.write((1 << 40).to_bytes(8, "little") + b"{}")
            fh.flush()
            with self.assertRaises(ModelError):
                read_safetensors(fh.name)


if __name__ == "__main__":
    unittest.main(verbosity=1)
