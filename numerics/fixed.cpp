#include "numerics/fixed.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace tc0::numerics {

namespace {

// Sums terms v * 2^-frac exactly on a common grid 2^-grid_frac (grid_frac >= every term's frac).
// Stays in 128-bit integers until an overflow would occur, then continues in arbitrary precision.
class ExactSum {
 public:
  explicit ExactSum(int grid_frac) : grid_(grid_frac) {}

  void add(Int128 v, int frac) {
    int up = grid_ - frac;
    if (!big_mode_) {
      Int128 next;
      if (up == 0) {  // common case: the term is already on the grid
        if (!__builtin_add_overflow(fast_, v, &next)) {
          fast_ = next;
          return;
        }
        big_mode_ = true;
        big_ = to_bigint(fast_);
        big_ += to_bigint(v);
        return;
      }
      Int128 scaled;
      // The overflow builtins store the wrapped result even when they report overflow, so the sum
      // goes to a temporary: fast_ must keep the last exact value for the switch to big_.
      if (up < 126 && !__builtin_mul_overflow(v, Int128(1) << up, &scaled) &&
          !__builtin_add_overflow(fast_, scaled, &next)) {
        fast_ = next;
        return;
      }
      big_mode_ = true;
      big_ = to_bigint(fast_);
    }
    big_ += to_bigint(v) << up;
  }

  int sign() const {
    if (big_mode_) return big_ < 0 ? -1 : big_ > 0 ? 1 : 0;
    return fast_ < 0 ? -1 : fast_ > 0 ? 1 : 0;
  }

  int64_t round(Format out) const {
    return big_mode_ ? round_to_format(big_, grid_, out) : round_to_format(fast_, grid_, out);
  }

 private:
  int grid_;
  bool big_mode_ = false;
  Int128 fast_ = 0;
  BigInt big_ = 0;
};

Rational pow2(int k) {
  return k >= 0 ? Rational(BigInt(1) << k) : Rational(BigInt(1), BigInt(1) << -k);
}

}  // namespace

Fixed Fixed::from_raw(int64_t raw, Format fmt) {
  if (!fmt.contains_raw(raw))
    throw FormatError(fmt::format("raw value {} does not fit format {}", raw, fmt.str()));
  return Fixed{raw, fmt};
}

Fixed Fixed::from_double(double x, Format fmt) {
  if (!std::isfinite(x))
    throw std::invalid_argument(fmt::format("cannot convert non-finite value {} to {}", x, fmt.str()));
  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, 0.5 <= |m| < 1
  // m * 2^53 is an exact integer for every double.
  BigInt num = BigInt(static_cast<int64_t>(std::ldexp(m, 53)));
  return Fixed{round_to_format(num, 53 - e, fmt), fmt};
}

Fixed Fixed::from_rational(const Rational& q, Format fmt) { return Fixed{round_to_format(q, fmt), fmt}; }

Rational Fixed::to_rational() const { return Rational(raw) * pow2(-fmt.frac()); }

double Fixed::to_double() const { return std::ldexp(static_cast<double>(raw), -fmt.frac()); }

std::string Fixed::str() const { return fmt::format("{} (raw {}, {})", to_double(), raw, fmt.str()); }

std::strong_ordering compare(const Fixed& a, const Fixed& b) {
  ExactSum d(std::max(a.fmt.frac(), b.fmt.frac()));
  d.add(a.raw, a.fmt.frac());
  d.add(-Int128(b.raw), b.fmt.frac());
  return d.sign() <=> 0;
}

Fixed convert(const Fixed& a, Format out) { return Fixed{round_to_format(Int128(a.raw), a.fmt.frac(), out), out}; }

Fixed neg(const Fixed& a, Format out) { return Fixed{round_to_format(-Int128(a.raw), a.fmt.frac(), out), out}; }

namespace {
// a + sign * b exactly in 128 bits when both operands reach the common grid with a shift of at most
// 62 bits (|raw| < 2^63, so each scaled term is below 2^125 and the sum below 2^126); false otherwise.
bool small_sum(const Fixed& a, const Fixed& b, int sign, Int128& sum, int& grid) {
  grid = std::max(a.fmt.frac(), b.fmt.frac());
  int ua = grid - a.fmt.frac(), ub = grid - b.fmt.frac();
  if (ua > 62 || ub > 62) return false;
  Int128 ta = Int128(a.raw) * (Int128(1) << ua), tb = Int128(b.raw) * (Int128(1) << ub);
  sum = sign > 0 ? ta + tb : ta - tb;
  return true;
}
}  // namespace

Fixed add(const Fixed& a, const Fixed& b, Format out) {
  Int128 fast;
  int grid;
  if (small_sum(a, b, +1, fast, grid)) return Fixed{round_to_format(fast, grid, out), out};
  ExactSum s(std::max(a.fmt.frac(), b.fmt.frac()));
  s.add(a.raw, a.fmt.frac());
  s.add(b.raw, b.fmt.frac());
  return Fixed{s.round(out), out};
}

Fixed sub(const Fixed& a, const Fixed& b, Format out) {
  Int128 fast;
  int grid;
  if (small_sum(a, b, -1, fast, grid)) return Fixed{round_to_format(fast, grid, out), out};
  ExactSum s(std::max(a.fmt.frac(), b.fmt.frac()));
  s.add(a.raw, a.fmt.frac());
  s.add(-Int128(b.raw), b.fmt.frac());
  return Fixed{s.round(out), out};
}

Fixed mul(const Fixed& a, const Fixed& b, Format out) {
  // |a.raw * b.raw| <= 2^126: always exact in 128 bits.
  return Fixed{round_to_format(Int128(a.raw) * b.raw, a.fmt.frac() + b.fmt.frac(), out), out};
}

Fixed shift(const Fixed& a, int k, Format out) {
  return Fixed{round_to_format(BigInt(a.raw), a.fmt.frac() - k, out), out};
}

Fixed min(const Fixed& a, const Fixed& b, Format out) { return convert(compare(a, b) <= 0 ? a : b, out); }
Fixed max(const Fixed& a, const Fixed& b, Format out) { return convert(compare(a, b) >= 0 ? a : b, out); }

Fixed sum(std::span<const Fixed> terms, Format out) {
  int grid = terms.empty() ? out.frac() : terms[0].fmt.frac();
  for (const Fixed& t : terms) grid = std::max(grid, t.fmt.frac());
  ExactSum s(grid);
  for (const Fixed& t : terms) s.add(t.raw, t.fmt.frac());
  return Fixed{s.round(out), out};
}

Fixed dot(std::span<const Fixed> a, std::span<const Fixed> b, Format out) {
  if (a.size() != b.size())
    throw std::invalid_argument(fmt::format("dot: length mismatch {} vs {}", a.size(), b.size()));
  int grid = a.empty() ? out.frac() : a[0].fmt.frac() + b[0].fmt.frac();
  for (size_t i = 0; i < a.size(); ++i) grid = std::max(grid, a[i].fmt.frac() + b[i].fmt.frac());
  ExactSum s(grid);
  for (size_t i = 0; i < a.size(); ++i) s.add(Int128(a[i].raw) * b[i].raw, a[i].fmt.frac() + b[i].fmt.frac());
  return Fixed{s.round(out), out};
}

Fixed mul_const(const Fixed& a, const Rational& c, Format out) {
  return Fixed{round_to_format(a.to_rational() * c, out), out};
}

Fixed linear_form(const Rational& k, std::span<const Rational> c, std::span<const Fixed> x, Format out) {
  if (c.size() != x.size())
    throw std::invalid_argument(fmt::format("linear_form: {} coefficients for {} terms", c.size(), x.size()));
  Rational acc = k;
  for (size_t i = 0; i < c.size(); ++i) acc += c[i] * x[i].to_rational();
  return Fixed{round_to_format(acc, out), out};
}

}  // namespace tc0::numerics
