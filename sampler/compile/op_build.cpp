// The gates of each traced operation (op_build.hpp), for every builder.
#include "sampler/compile/op_build.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <optional>
#include <stdexcept>

#include "circuits/gadgets/select.hpp"
#include "circuits/gadgets/staircase.hpp"
#include "numerics/functions.hpp"
#include "numerics/rounding.hpp"

namespace tc0::sampler::compile {

namespace {

using circuits::CircuitError;
using circuits::ModuleScopeOf;
using circuits::Signal;
using circuits::Weight;
using circuits::gadgets::Term;
using numerics::BigInt;

constexpr const char* kWhat = "rounded form";

void check(size_t a, size_t b, const char* op) {
  if (a != b) throw std::invalid_argument(fmt::format("operation {}: operand lengths differ ({} vs {})", op, a, b));
}

// Every bus an operation takes carries its format in fmt and one signal per bit.
void check_bus(const Bus& b, const char* op) {
  if (b.bits.size() != size_t(b.fmt.width()) || !b.is_signed)
    throw std::invalid_argument(fmt::format("operation {}: operand bus '{}' has {} bits but format {}", op, b.name,
                                            b.bits.size(), b.fmt.str()));
}

Weight to_weight(const BigInt& v) {
  static const BigInt limit = BigInt(1) << 123;
  if (v >= limit || v <= -limit)
    throw CircuitError(fmt::format("{}: a weight needs {} bits, more than the 123 supported; use narrower formats",
                                   kWhat, boost::multiprecision::msb(boost::multiprecision::abs(v)) + 2));
  // cpp_int is sign-magnitude: convert the magnitude, then apply the sign
  BigInt m = boost::multiprecision::abs(v);
  Weight r = (Weight(static_cast<unsigned long long>(m >> 64)) << 64) |
             Weight(static_cast<unsigned long long>(m & BigInt(UINT64_MAX)));
  return v < 0 ? -r : r;
}

BigInt to_big(Weight w) { return numerics::to_bigint(w); }

Weight bit_weight(const Bus& b, size_t i) {
  Weight w = Weight(1) << i;
  return b.is_signed && i + 1 == b.bits.size() ? -w : w;
}

bool is_pow2(const BigInt& v) { return v > 0 && boost::multiprecision::lsb(v) == boost::multiprecision::msb(v); }

int64_t bit_of(int64_t v, int b) { return b >= 63 ? (v < 0 ? 1 : 0) : (v >> b) & 1; }

// Thermometer construction for a non-dyadic denominator (see the header).
template <class Ntk>
Bus thermometer(Ntk& ntk, const std::vector<Term>& terms, Weight k, const BigInt& L, Format out,
                const std::string& name) {
  BigInt P = BigInt(1) << std::max(out.frac(), 0);
  BigInt Q = L << std::max(-out.frac(), 0);
  BigInt nmin = to_big(k), nmax = to_big(k);
  for (const Term& t : terms) (t.w < 0 ? nmin : nmax) += to_big(t.w);
  // the value is n / L; round_to_format scales by 2^out.frac itself
  auto round_of = [&](const BigInt& n) { return numerics::round_to_format(Rational(n, L), out); };
  const int64_t rmin = round_of(nmin), rmax = round_of(nmax);
  if (rmax - rmin > (int64_t(1) << 16))
    throw CircuitError(fmt::format("{}: a coefficient with denominator {} (not a power of two) and an output "
                                   "spanning {} values in {} needs a thermometer of that many gates; use a dyadic "
                                   "time grid (a power-of-two step count) or a narrower format",
                                   kWhat, L.str(), rmax - rmin + 1, out.str()));
  std::vector<Signal> f;
  std::vector<Weight> w;
  for (const Term& t : terms) f.push_back(t.s), w.push_back(to_weight(2 * P * to_big(t.w)));
  // g_j = [round(N P / Q) >= j] = [2 P N - (2j - 1) Q >= (j odd)] (ties go to the even j)
  std::vector<Weight> thetas;
  for (int64_t j = rmin + 1; j <= rmax; ++j)
    thetas.push_back(to_weight((2 * BigInt(j) - 1) * Q - 2 * P * to_big(k) + (j & 1 ? 1 : 0)));
  std::vector<Signal> g(thetas.size());
  ntk.create_threshold_family(f, w, thetas, g);
  Bus bus;
  bus.name = name;
  bus.fmt = out;
  std::vector<Signal> fb;
  std::vector<Weight> wb;
  for (int b = 0; b < out.width(); ++b) {
    fb.clear();
    wb.clear();
    for (int64_t j = rmin + 1; j <= rmax; ++j) {
      const int64_t d = bit_of(j, b) - bit_of(j - 1, b);
      if (d != 0) fb.push_back(g[size_t(j - rmin - 1)]), wb.push_back(d);
    }
    bus.bits.push_back(ntk.create_threshold(fb, wb, 1 - bit_of(rmin, b)));
  }
  return bus;
}

}  // namespace

Rational pow2_rational(int e) {
  return e >= 0 ? Rational(BigInt(1) << e) : Rational(BigInt(1), BigInt(1) << -e);
}

Rational value_of(const Fixed& x) { return Rational(x.raw) * pow2_rational(-x.fmt.frac()); }

Bus constant_bus(const Fixed& x, const std::string& name) {
  Bus b;
  b.name = name;
  b.fmt = x.fmt;
  for (int i = 0; i < x.fmt.width(); ++i) {
    const bool bit = i >= 63 ? x.raw < 0 : ((x.raw >> i) & 1) != 0;
    b.bits.push_back(bit ? circuits::kTrue : circuits::kFalse);
  }
  return b;
}

std::optional<Bus> exact_convert(const Bus& x, Format out) {
  const int shift = out.frac() - x.fmt.frac();
  if (shift < 0 || x.fmt.width() + shift > out.width()) return std::nullopt;
  // the value fits, so the bits are a shifted copy with sign extension (no gates)
  Bus b;
  b.name = "convert";
  b.fmt = out;
  b.bits.assign(size_t(shift), circuits::kFalse);
  b.bits.insert(b.bits.end(), x.bits.begin(), x.bits.end());
  while (b.bits.size() < size_t(out.width())) b.bits.push_back(x.bits.back());
  return b;
}

// The common constants are dyadic with a 64-bit numerator; integer arithmetic on them avoids
// big-integer fractions.
std::optional<Dyadic> as_dyadic(const Rational& q) {
  const BigInt& d = boost::multiprecision::denominator(q);
  const BigInt& n = boost::multiprecision::numerator(q);
  const unsigned k = boost::multiprecision::msb(d);
  if (boost::multiprecision::lsb(d) != k || k > 1000 || n < INT64_MIN || n > INT64_MAX) return std::nullopt;
  return Dyadic{static_cast<int64_t>(n), int(k)};
}

Rational Coef::rational() const {
  return dyadic_ ? Rational(dyadic_->num) * pow2_rational(-dyadic_->frac) : q_;
}

template <class Ntk>
Bus round_pieces(Ntk& ntk, std::span<const Piece> pieces, const Rational& constant, Format out,
                 const LinearFormParams& ps, const std::string& name) {
  using boost::multiprecision::denominator;
  using boost::multiprecision::numerator;
  // The weight W_i of each piece's raw integer (product) and the constant k over a common
  // denominator L: N = k + sum W_i raw_i, value N / L. Dyadic coefficients (the weights, 1/D, dt on a
  // power-of-two grid) in machine integers; anything else in exact fractions.
  std::vector<Weight> W(pieces.size(), 0);
  Weight k = 0;
  BigInt L = 1;
  bool dyadic = true;
  auto piece_frac = [](const Piece& p) { return p.x->fmt.frac() + (p.y ? p.y->fmt.frac() : 0); };
  for (const Piece& p : pieces) dyadic = dyadic && p.coef.dyadic().has_value();
  const std::optional<Dyadic> kd = as_dyadic(constant);
  dyadic = dyadic && kd.has_value();
  if (dyadic) {
    // L = 2^F, the least common denominator of the reduced fractions (as the exact path finds it)
    auto reduced = [](int64_t num, int frac) { return num == 0 ? 0 : frac - std::countr_zero(uint64_t(num)); };
    int F = std::max(0, reduced(kd->num, kd->frac));
    for (size_t i = 0; i < pieces.size(); ++i)
      F = std::max(F, reduced(pieces[i].coef.dyadic()->num, pieces[i].coef.dyadic()->frac + piece_frac(pieces[i])));
    if (F > 122) dyadic = false;  // huge grids: the exact path refuses them with its message
    else {
      // num 2^-f on the grid 2^-F: num 2^(F - f), an integer since F - f >= -tz(num)
      auto on_grid = [](int64_t num, int shift) -> Weight {
        if (num == 0) return 0;
        if (shift >= 0) return circuits::gadgets::mul_w(num, circuits::gadgets::pow2_w(shift, kWhat), kWhat);
        return Weight(num) >> -shift;  // exact: the low bits are zero
      };
      for (size_t i = 0; i < pieces.size(); ++i) {
        const Dyadic& d = *pieces[i].coef.dyadic();
        W[i] = on_grid(d.num, F - d.frac - piece_frac(pieces[i]));
      }
      k = on_grid(kd->num, F - kd->frac);
      L = BigInt(1) << F;
    }
  }
  if (!dyadic) {
    std::vector<Rational> q;
    q.reserve(pieces.size());
    L = denominator(constant);
    for (const Piece& p : pieces) {
      q.push_back(p.coef.rational() * pow2_rational(-piece_frac(p)));
      const BigInt& d = denominator(q.back());
      L = L / boost::multiprecision::gcd(L, d) * d;
    }
    auto scaled = [&](const Rational& r) { return to_weight(numerator(r) * (L / denominator(r))); };
    k = scaled(constant);
    for (size_t i = 0; i < pieces.size(); ++i) W[i] = q[i] == 0 ? 0 : scaled(q[i]);
  }
  // Terms over single wires in argument order; constants folded, a complemented wire turned into
  // its node (w !s = w - w s), a repeated wire merged into its first occurrence.
  std::vector<Term> terms;
  // node -> index in terms + 1 (0: empty), open addressing at most half full: one probe per wire in
  // the common case, where a node-per-entry map dominated the counter's profile.
  size_t wires = 0;
  for (const Piece& p : pieces) wires += p.x->bits.size() * (p.y ? p.y->bits.size() : 1);
  const size_t slots = std::bit_ceil(2 * wires + 2);
  const int shift = 64 - std::countr_zero(slots);
  std::vector<std::pair<uint32_t, uint32_t>> position(slots, {0, 0});
  auto slot_of = [&](uint32_t node) -> uint32_t& {
    for (size_t h = (uint64_t(node) * 0x9E3779B97F4A7C15ull) >> shift;; h = (h + 1) & (slots - 1))
      if (position[h].second == 0 || position[h].first == node) {
        position[h].first = node;
        return position[h].second;
      }
  };
  auto add_term = [&](Signal s, Weight w) {
    if (s.index() == 0) {
      if (s == circuits::kTrue) k = circuits::gadgets::add_w(k, w, kWhat);
      return;
    }
    if (s.complemented()) {
      k = circuits::gadgets::add_w(k, w, kWhat);
      s = !s;
      w = -w;
    }
    uint32_t& at = slot_of(s.index());
    if (at == 0) {
      terms.push_back(Term{s, w});
      at = uint32_t(terms.size());
    } else {
      terms[at - 1].w = circuits::gadgets::add_w(terms[at - 1].w, w, kWhat);
    }
  };
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (W[i] == 0) continue;
    const Bus& x = *pieces[i].x;
    if (!pieces[i].y) {
      for (size_t a = 0; a < x.bits.size(); ++a) add_term(x.bits[a], circuits::gadgets::mul_w(W[i], bit_weight(x, a), kWhat));
      continue;
    }
    const Bus& y = *pieces[i].y;
    ModuleScopeOf<Ntk> pp(ntk, "partial_products");
    for (size_t a = 0; a < x.bits.size(); ++a)
      for (size_t b = 0; b < y.bits.size(); ++b) {
        const Weight wt =
            circuits::gadgets::mul_w(W[i], circuits::gadgets::mul_w(bit_weight(x, a), bit_weight(y, b), kWhat), kWhat);
        const Signal sa = x.bits[a], sb = y.bits[b];
        const Signal s = sa == circuits::kFalse || sb == circuits::kFalse ? circuits::kFalse
                         : sa == circuits::kTrue                          ? sb
                         : sb == circuits::kTrue                          ? sa
                                                                          : circuits::make_and(ntk, sa, sb);
        add_term(s, wt);
      }
  }
  std::erase_if(terms, [](const Term& t) { return t.w == 0; });
  if (terms.empty()) return constant_bus(Fixed{numerics::round_to_format(Rational(to_big(k), L), out), out}, name);
  if (is_pow2(L)) {
    circuits::gadgets::LinearForm lf;
    lf.terms = std::move(terms);
    lf.constant = k;
    lf.frac = int(boost::multiprecision::msb(L));
    return circuits::gadgets::linear_form_bus(ntk, lf, out, ps, nullptr, name);
  }
  ModuleScopeOf<Ntk> th(ntk, "rational_thermometer");
  return thermometer(ntk, terms, k, L, out, name);
}

template <class Ntk>
Bus build_linear(Ntk& ntk, std::span<const Const> w, std::span<const Bus> x, std::span<const Const> bias,
                 const Rational& offset, Format out, const LinearFormParams& ps) {
  check(w.size(), x.size(), "linear");
  ModuleScopeOf<Ntk> scope(ntk, "linear");
  std::vector<Piece> pieces;
  pieces.reserve(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    check_bus(x[i], "linear");
    if (w[i].fixed.raw != 0) pieces.push_back(Piece{&x[i], nullptr, w[i].fixed});
  }
  Rational k = offset;
  for (const Const& b : bias) k += value_of(b.fixed);
  return round_pieces(ntk, std::span<const Piece>(pieces), k, out, ps, "linear");
}

template <class Ntk>
Bus build_lincomb(Ntk& ntk, const Rational& offset, std::span<const Rational> c, std::span<const Bus> x, Format out,
                  const LinearFormParams& ps) {
  check(c.size(), x.size(), "lincomb");
  ModuleScopeOf<Ntk> scope(ntk, "lincomb");
  std::vector<Piece> pieces;
  for (size_t i = 0; i < x.size(); ++i) {
    check_bus(x[i], "lincomb");
    pieces.push_back(Piece{&x[i], nullptr, c[i]});
  }
  return round_pieces(ntk, std::span<const Piece>(pieces), offset, out, ps, "lincomb");
}

template <class Ntk>
Bus build_dot(Ntk& ntk, std::span<const Bus> x, std::span<const Bus> y, const Rational& scale, const Rational& offset,
              Format out, const LinearFormParams& ps) {
  check(x.size(), y.size(), "dot");
  ModuleScopeOf<Ntk> scope(ntk, "dot");
  std::vector<Piece> pieces;
  for (size_t i = 0; i < x.size(); ++i) {
    check_bus(x[i], "dot");
    check_bus(y[i], "dot");
    pieces.push_back(Piece{&x[i], &y[i], scale});
  }
  return round_pieces(ntk, std::span<const Piece>(pieces), offset, out, ps, "dot");
}

template <class Ntk>
Bus build_mul(Ntk& ntk, const Bus& a, const Bus& b, Format out, const LinearFormParams& ps) {
  check_bus(a, "mul");
  check_bus(b, "mul");
  ModuleScopeOf<Ntk> scope(ntk, "mul");
  // the multiply gadget's construction (AND layer + one rounded linear form), with repeated wires merged
  const Piece p{&a, &b, Rational(1)};
  return round_pieces(ntk, std::span<const Piece>(&p, 1), Rational(0), out, ps, "product");
}

template <class Ntk>
Bus build_mul_add(Ntk& ntk, const Bus& a, const Bus& b, const Bus& c, Format out, const LinearFormParams& ps) {
  check_bus(a, "mul_add");
  check_bus(b, "mul_add");
  check_bus(c, "mul_add");
  ModuleScopeOf<Ntk> scope(ntk, "mul_add");
  const Piece pieces[2] = {Piece{&a, &b, Rational(1)}, Piece{&c, nullptr, Rational(1)}};
  return round_pieces(ntk, std::span<const Piece>(pieces), Rational(0), out, ps, "mul_add");
}

template <class Ntk>
Bus build_sum(Ntk& ntk, std::span<const Bus> x, Format out, const LinearFormParams& ps) {
  ModuleScopeOf<Ntk> scope(ntk, "sum");
  std::vector<Piece> pieces;
  for (const Bus& b : x) {
    check_bus(b, "sum");
    pieces.push_back(Piece{&b, nullptr, Rational(1)});
  }
  return round_pieces(ntk, std::span<const Piece>(pieces), Rational(0), out, ps, "sum");
}

template <class Ntk>
Bus build_convert(Ntk& ntk, const Bus& x, Format out, const LinearFormParams& ps) {
  check_bus(x, "convert");
  if (auto exact = exact_convert(x, out)) return *exact;
  ModuleScopeOf<Ntk> scope(ntk, "convert");
  const Piece p{&x, nullptr, Rational(1)};
  return round_pieces(ntk, std::span<const Piece>(&p, 1), Rational(0), out, ps, "convert");
}

template <class Ntk>
Bus build_max(Ntk& ntk, std::span<const Bus> x, Format out, const LinearFormParams& ps) {
  if (x.empty()) throw std::invalid_argument("max of an empty list");
  for (const Bus& b : x) check_bus(b, "max");
  ModuleScopeOf<Ntk> scope(ntk, "max");
  // the max gadget needs one format: widen every operand exactly to the finest grid and widest range
  int f = x[0].fmt.frac(), ib = x[0].fmt.width() - x[0].fmt.frac();
  for (const Bus& b : x) f = std::max(f, b.fmt.frac()), ib = std::max(ib, b.fmt.width() - b.fmt.frac());
  const Format common(ib + f, f);
  std::vector<Bus> xs;
  xs.reserve(x.size());
  for (const Bus& b : x) xs.push_back(b.fmt == common ? b : build_convert(ntk, b, common, ps));
  if (xs.size() == 1) return xs[0].fmt == out ? xs[0] : build_convert(ntk, xs[0], out, ps);
  circuits::gadgets::MaxParams mp;
  mp.want_argmax = false;
  Bus m = circuits::gadgets::max_argmax(ntk, std::span<const Bus>(xs), mp).max;
  m.fmt = common;
  m.is_signed = true;
  return common == out ? m : build_convert(ntk, m, out, ps);
}

template <class Ntk>
Bus build_unary(Ntk& ntk, UnaryFn fn, const Bus& x, Format out) {
  check_bus(x, "unary");
  if (x.fmt.width() > numerics::kMaxTableInputWidth)
    throw std::invalid_argument(fmt::format("operation unary: {} of a {}-bit input ({}); tables take at most {} bits, "
                                            "round the input to a table format first",
                                            numerics::name(fn), x.fmt.width(), x.fmt.str(),
                                            numerics::kMaxTableInputWidth));
  ModuleScopeOf<Ntk> scope(ntk, std::string(numerics::name(fn)));
  const numerics::Table& t = numerics::Table::get(fn, x.fmt, out);
  return circuits::gadgets::function_of_bus(ntk, x, [&t](int64_t raw) { return t.lookup(raw); }, out, nullptr,
                                            std::string(numerics::name(fn)));
}

#define TC0_OPS_FOR(N)                                                                                             \
  template Bus round_pieces<N>(N&, std::span<const Piece>, const Rational&, Format, const LinearFormParams&,       \
                               const std::string&);                                                                \
  template Bus build_linear<N>(N&, std::span<const Const>, std::span<const Bus>, std::span<const Const>,          \
                               const Rational&, Format, const LinearFormParams&);                                  \
  template Bus build_lincomb<N>(N&, const Rational&, std::span<const Rational>, std::span<const Bus>, Format,      \
                                const LinearFormParams&);                                                          \
  template Bus build_dot<N>(N&, std::span<const Bus>, std::span<const Bus>, const Rational&, const Rational&,      \
                            Format, const LinearFormParams&);                                                      \
  template Bus build_mul<N>(N&, const Bus&, const Bus&, Format, const LinearFormParams&);                          \
  template Bus build_mul_add<N>(N&, const Bus&, const Bus&, const Bus&, Format, const LinearFormParams&);          \
  template Bus build_sum<N>(N&, std::span<const Bus>, Format, const LinearFormParams&);                            \
  template Bus build_max<N>(N&, std::span<const Bus>, Format, const LinearFormParams&);                            \
  template Bus build_unary<N>(N&, UnaryFn, const Bus&, Format);                                                    \
  template Bus build_convert<N>(N&, const Bus&, Format, const LinearFormParams&);
TC0_OPS_FOR(circuits::Network)
TC0_OPS_FOR(circuits::GateCounter)

}  // namespace tc0::sampler::compile
