#include "sampler/arith_fixed.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <vector>

#include "sampler/certified.hpp"

namespace tc0::sampler {

namespace {

using numerics::Int128;
using numerics::to_bigint;

void check(size_t a, size_t b) {
  if (a != b) throw std::invalid_argument(fmt::format("arith: operand lengths differ ({} vs {})", a, b));
}

// A rational n * 2^-k with n in 64 bits, when q is one (every constant of the shipped models is).
struct Dyadic {
  int64_t num;
  int frac;
};
std::optional<Dyadic> dyadic(const Rational& q) {
  using boost::multiprecision::denominator;
  using boost::multiprecision::numerator;
  const BigInt& d = denominator(q);
  const BigInt& n = numerator(q);
  if (n < INT64_MIN || n > INT64_MAX) return std::nullopt;
  unsigned k = boost::multiprecision::msb(d);
  if (boost::multiprecision::lsb(d) != k || k > 1000) return std::nullopt;
  return Dyadic{static_cast<int64_t>(n), static_cast<int>(k)};
}

// Exact sum of terms v * 2^-frac on the grid 2^-grid (grid >= every frac): 128-bit integers until a
// step would overflow, then arbitrary precision. Negative fracs (coarse terms) are fine.
class Acc {
 public:
  explicit Acc(int grid) : grid_(grid) {}
  void add(Int128 v, int frac) {
    int up = grid_ - frac;
    if (up < 0) throw std::logic_error("Acc: term finer than the grid");
    if (!big_mode_) {
      Int128 scaled;
      if (up < 126 && !__builtin_mul_overflow(v, Int128(1) << up, &scaled) &&
          !__builtin_add_overflow(fast_, scaled, &fast_))
        return;
      to_big();
    }
    big_ += to_bigint(v) << up;
  }
  void add(const BigInt& v, int frac) {
    to_big();
    big_ += v << (grid_ - frac);
  }
  // v * m * 2^-frac, exact
  void add_product(Int128 v, int64_t m, int frac) {
    Int128 p;
    if (!big_mode_ && !__builtin_mul_overflow(v, Int128(m), &p)) return add(p, frac);
    add(to_bigint(v) * m, frac);
  }
  int64_t round(Format out) const {
    return big_mode_ ? numerics::round_to_format(big_, grid_, out) : numerics::round_to_format(fast_, grid_, out);
  }
  Rational exact() const {
    BigInt n = big_mode_ ? big_ : to_bigint(fast_);
    return grid_ >= 0 ? Rational(n, BigInt(1) << grid_) : Rational(n << -grid_);
  }
  // The sum as an integer on the grid, with its frac.
  bool big() const { return big_mode_; }
  Int128 fast() const { return fast_; }
  const BigInt& big_value() const { return big_; }
  int grid() const { return grid_; }

 private:
  void to_big() {
    if (!big_mode_) { big_mode_ = true; big_ = to_bigint(fast_); }
  }
  int grid_;
  bool big_mode_ = false;
  Int128 fast_ = 0;
  BigInt big_ = 0;
};

Fixed make(int64_t raw, Format out) { return Fixed{raw, out}; }

}  // namespace

Fixed FixedArith::trig(Trig fn, const Rational& q, Format out) const { return make(trig_rounded(fn, q, out), out); }

Fixed FixedArith::linear(std::span<const Const> w, std::span<const Fixed> x, std::span<const Const> bias,
                         const Rational& offset, Format out) const {
  check(w.size(), x.size());
  auto off = dyadic(offset);
  int grid = out.frac();
  for (size_t i = 0; i < w.size(); ++i) grid = std::max(grid, w[i].fixed.fmt.frac() + x[i].fmt.frac());
  for (const Const& b : bias) grid = std::max(grid, b.fixed.fmt.frac());
  if (off) grid = std::max(grid, off->frac);
  Acc s(grid);
  for (size_t i = 0; i < w.size(); ++i) s.add(Int128(w[i].fixed.raw) * x[i].raw, w[i].fixed.fmt.frac() + x[i].fmt.frac());
  for (const Const& b : bias) s.add(b.fixed.raw, b.fixed.fmt.frac());
  if (off) {
    s.add(off->num, off->frac);
    return make(s.round(out), out);
  }
  return make(numerics::round_to_format(s.exact() + offset, out), out);
}

Fixed FixedArith::lincomb(const Rational& offset, std::span<const Rational> c, std::span<const Fixed> x,
                          Format out) const {
  check(c.size(), x.size());
  std::vector<Dyadic> d;
  d.reserve(c.size());
  auto off = dyadic(offset);
  bool all = off.has_value();
  for (const Rational& q : c) {
    auto v = dyadic(q);
    if (!v) { all = false; break; }
    d.push_back(*v);
  }
  if (!all) {
    // a non-dyadic constant (e.g. t - r = 1/3): exact rational arithmetic, still one rounding
    Rational acc = offset;
    for (size_t i = 0; i < c.size(); ++i) acc += c[i] * x[i].to_rational();
    return make(numerics::round_to_format(acc, out), out);
  }
  int grid = std::max(out.frac(), off->frac);
  for (size_t i = 0; i < c.size(); ++i) grid = std::max(grid, d[i].frac + x[i].fmt.frac());
  Acc s(grid);
  s.add(off->num, off->frac);
  for (size_t i = 0; i < c.size(); ++i) s.add_product(x[i].raw, d[i].num, d[i].frac + x[i].fmt.frac());
  return make(s.round(out), out);
}

Fixed FixedArith::dot(std::span<const Fixed> x, std::span<const Fixed> y, const Rational& scale,
                      const Rational& offset, Format out) const {
  check(x.size(), y.size());
  int grid = out.frac();
  for (size_t i = 0; i < x.size(); ++i) grid = std::max(grid, x[i].fmt.frac() + y[i].fmt.frac());
  Acc s(grid);
  for (size_t i = 0; i < x.size(); ++i) s.add(Int128(x[i].raw) * y[i].raw, x[i].fmt.frac() + y[i].fmt.frac());
  auto k = dyadic(scale);
  auto off = dyadic(offset);
  if (!k || !off) return make(numerics::round_to_format(s.exact() * scale + offset, out), out);
  if (k->num == 1 && k->frac == 0 && off->num == 0) return make(s.round(out), out);
  Acc t(std::max(grid + k->frac, off->frac));
  if (s.big()) t.add(s.big_value() * k->num, grid + k->frac);
  else t.add_product(s.fast(), k->num, grid + k->frac);
  t.add(off->num, off->frac);
  return make(t.round(out), out);
}

Fixed FixedArith::mul(const Fixed& a, const Fixed& b, Format out) const { return numerics::mul(a, b, out); }

Fixed FixedArith::mul_add(const Fixed& a, const Fixed& b, const Fixed& c, Format out) const {
  int pf = a.fmt.frac() + b.fmt.frac();
  Acc s(std::max({pf, c.fmt.frac(), out.frac()}));
  s.add(Int128(a.raw) * b.raw, pf);
  s.add(c.raw, c.fmt.frac());
  return make(s.round(out), out);
}

Fixed FixedArith::sum(std::span<const Fixed> x, Format out) const { return numerics::sum(x, out); }

Fixed FixedArith::max(std::span<const Fixed> x, Format out) const {
  if (x.empty()) throw std::invalid_argument("max of an empty list");
  const Fixed* m = &x[0];
  for (const Fixed& v : x)
    if (numerics::compare(v, *m) > 0) m = &v;
  return numerics::convert(*m, out);
}

Fixed FixedArith::unary(UnaryFn fn, const Fixed& x, Format out) const { return numerics::apply(fn, x, out); }

Fixed FixedArith::convert(const Fixed& x, Format out) const { return numerics::convert(x, out); }

}  // namespace tc0::sampler
