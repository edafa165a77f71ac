#include "numerics/rounding.hpp"

#include <stdexcept>

namespace tc0::numerics {

namespace {
thread_local uint64_t t_saturations = 0;

int64_t saturate_i128(Int128 raw, Format out) {
  if (raw < out.min_raw()) { ++t_saturations; return out.min_raw(); }
  if (raw > out.max_raw()) { ++t_saturations; return out.max_raw(); }
  return static_cast<int64_t>(raw);
}
}  // namespace

uint64_t saturation_events() { return t_saturations; }
void reset_saturation_events() { t_saturations = 0; }

BigInt to_bigint(Int128 v) {
  // Build from two 64-bit halves; cpp_int has no __int128 constructor on every configuration.
  bool neg = v < 0;
  unsigned __int128 m = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  BigInt r = BigInt(static_cast<uint64_t>(m >> 64));
  r <<= 64;
  r += static_cast<uint64_t>(m);
  return neg ? BigInt(-r) : r;
}

Int128 to_int128(const BigInt& v) {
  const BigInt m = boost::multiprecision::abs(v);
  const Int128 r = (Int128(static_cast<uint64_t>(m >> 64)) << 64) | Int128(static_cast<uint64_t>(m & BigInt(UINT64_MAX)));
  return v < 0 ? -r : r;
}

BigInt round_shift_half_even(const BigInt& n, int shift) {
  if (shift < 0) throw std::invalid_argument("round_shift_half_even: negative shift");
  if (shift == 0) return n;
  // Work on the magnitude so that the result does not depend on how >> treats negatives.
  BigInt m = abs(n);
  BigInt q = m >> shift;
  BigInt r = m - (q << shift);
  BigInt half = BigInt(1) << (shift - 1);
  if (r > half || (r == half && bit_test(q, 0))) ++q;
  return n < 0 ? BigInt(-q) : q;
}

BigInt round_div_half_even(const BigInt& num, const BigInt& den) {
  if (den == 0) throw std::invalid_argument("round_div_half_even: division by zero");
  bool neg = (num < 0) != (den < 0);
  BigInt m = abs(num), d = abs(den);
  BigInt q = m / d;
  BigInt r2 = 2 * (m - q * d);
  if (r2 > d || (r2 == d && bit_test(q, 0))) ++q;
  return neg ? BigInt(-q) : q;
}

int64_t saturate(const BigInt& raw, Format out) {
  if (raw < out.min_raw()) { ++t_saturations; return out.min_raw(); }
  if (raw > out.max_raw()) { ++t_saturations; return out.max_raw(); }
  return static_cast<int64_t>(raw);
}

int64_t round_to_format(const BigInt& num, int frac, Format out) {
  int d = out.frac() - frac;  // value * 2^out.frac = num * 2^d
  if (d >= 0) {
    // Exact scaling up; saturate without building a huge number when it clearly overflows.
    if (num == 0) return 0;
    if (d > 64) return saturate(num < 0 ? BigInt(out.min_raw()) - 1 : BigInt(out.max_raw()) + 1, out);
    return saturate(num << d, out);
  }
  return saturate(round_shift_half_even(num, -d), out);
}

int64_t round_to_format(Int128 num, int frac, Format out) {
  int d = out.frac() - frac;
  if (d >= 0) {
    if (num == 0) return 0;
    // |num| >= 1, so any d >= 64 overflows every legal format.
    if (d >= 64) return saturate_i128(num < 0 ? Int128(out.min_raw()) - 1 : Int128(out.max_raw()) + 1, out);
    const Int128 limit = Int128(1) << (126 - d);  // keeps num << d inside 127 bits
    if (num >= limit) return saturate_i128(Int128(out.max_raw()) + 1, out);
    if (num <= -limit) return saturate_i128(Int128(out.min_raw()) - 1, out);
    return saturate_i128(num * (Int128(1) << d), out);
  }
  int s = -d;
  if (s >= 128) {
    // |num| <= 2^127, so |num| / 2^s <= 1/2 with the tie only at |num| = 2^127, s = 128: rounds to 0
    // (even). s = 127 is not such a case: num = -2^127 is exactly -1 there.
    return 0;
  }
  bool neg = num < 0;
  unsigned __int128 m = neg ? -static_cast<unsigned __int128>(num) : static_cast<unsigned __int128>(num);
  unsigned __int128 q = m >> s;
  unsigned __int128 r = m - (q << s);
  unsigned __int128 half = static_cast<unsigned __int128>(1) << (s - 1);
  if (r > half || (r == half && (q & 1))) ++q;
  // q <= 2^127 >> s (+1), s >= 1, so it fits a signed 128-bit value.
  Int128 sq = static_cast<Int128>(q);
  return saturate_i128(neg ? -sq : sq, out);
}

int64_t round_to_format(const Rational& q, Format out) {
  // q * 2^f, rounded half to even.
  BigInt num = numerator(q), den = denominator(q);
  if (out.frac() >= 0) num <<= out.frac(); else den <<= -out.frac();
  return saturate(round_div_half_even(num, den), out);
}

}  // namespace tc0::numerics
