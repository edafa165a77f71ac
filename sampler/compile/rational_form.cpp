#include "sampler/compile/rational_form.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "numerics/rounding.hpp"
#include "sampler/compile/wire_arith.hpp"

namespace tc0::sampler::compile {

namespace {

using circuits::CircuitError;
using circuits::Signal;
using circuits::Weight;
using circuits::gadgets::Term;
using numerics::BigInt;

constexpr const char* kWhat = "rounded form";

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

Weight bit_weight(const circuits::Bus& b, size_t i) {
  Weight w = Weight(1) << i;
  return b.is_signed && i + 1 == b.bits.size() ? -w : w;
}

bool is_pow2(const BigInt& v) { return v > 0 && boost::multiprecision::lsb(v) == boost::multiprecision::msb(v); }

int64_t bit_of(int64_t v, int b) { return b >= 63 ? (v < 0 ? 1 : 0) : (v >> b) & 1; }

// Thermometer construction for a non-dyadic denominator (see the header).
circuits::Bus thermometer(circuits::Network& ntk, const std::vector<Term>& terms, Weight k, const BigInt& L,
                          Format out, const std::string& name) {
  BigInt P = BigInt(1) << std::max(out.frac(), 0);
  BigInt Q = L << std::max(-out.frac(), 0);
  BigInt nmin = to_big(k), nmax = to_big(k);
  for (const Term& t : terms) (t.w < 0 ? nmin : nmax) += to_big(t.w);
  // the value is n / L; round_to_format scales by 2^out.frac itself
  auto round_of = [&](const BigInt& n) { return numerics::round_to_format(Rational(n, L), out); };
  int64_t rmin = round_of(nmin), rmax = round_of(nmax);
  if (rmax - rmin > (int64_t(1) << 16))
    throw CircuitError(fmt::format("{}: a coefficient with denominator {} (not a power of two) and an output "
                                   "spanning {} values in {} needs a thermometer of that many gates; use a dyadic "
                                   "time grid (a power-of-two step count) or a narrower format",
                                   kWhat, L.str(), rmax - rmin + 1, out.str()));
  std::vector<Signal> f;
  std::vector<Weight> w;
  for (const Term& t : terms) f.push_back(t.s), w.push_back(to_weight(2 * P * to_big(t.w)));
  // g_j = [round(N P / Q) >= j] = [2 P N - (2j - 1) Q >= (j odd)] (ties go to the even j)
  std::vector<Signal> g;
  for (int64_t j = rmin + 1; j <= rmax; ++j) {
    BigInt theta = (2 * BigInt(j) - 1) * Q - 2 * P * to_big(k) + (j & 1 ? 1 : 0);
    g.push_back(ntk.create_threshold(f, w, to_weight(theta)));
  }
  circuits::Bus bus;
  bus.name = name;
  bus.fmt = out;
  for (int b = 0; b < out.width(); ++b) {
    std::vector<Signal> fb;
    std::vector<Weight> wb;
    for (int64_t j = rmin + 1; j <= rmax; ++j) {
      int64_t d = bit_of(j, b) - bit_of(j - 1, b);
      if (d != 0) fb.push_back(g[size_t(j - rmin - 1)]), wb.push_back(d);
    }
    int64_t base = bit_of(rmin, b);
    bus.bits.push_back(fb.empty() ? (base ? circuits::kTrue : circuits::kFalse)
                                  : ntk.create_threshold(fb, wb, 1 - base));
  }
  return bus;
}

}  // namespace

Rational pow2_rational(int e) {
  return e >= 0 ? Rational(BigInt(1) << e) : Rational(BigInt(1), BigInt(1) << -e);
}

circuits::Bus round_pieces(circuits::Network& ntk, std::span<const Piece> pieces, const Rational& constant,
                           Format out, const circuits::gadgets::LinearFormParams& ps, const std::string& name) {
  using boost::multiprecision::denominator;
  using boost::multiprecision::numerator;
  // coefficient of each piece's raw integer (product), and the common denominator L
  std::vector<Rational> q;
  q.reserve(pieces.size());
  BigInt L = denominator(constant);
  for (const Piece& p : pieces) {
    int f = p.x->fmt.frac() + (p.y ? p.y->fmt.frac() : 0);
    q.push_back(p.coef * pow2_rational(-f));
    const BigInt& d = denominator(q.back());
    L = L / boost::multiprecision::gcd(L, d) * d;
  }
  auto scaled = [&](const Rational& r) { return to_weight(numerator(r) * (L / denominator(r))); };
  Weight k = scaled(constant);
  // terms over single wires; constants folded, duplicate and complemented wires merged
  std::vector<Term> raw;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (q[i] == 0) continue;
    const Weight W = scaled(q[i]);
    const circuits::Bus& x = *pieces[i].x;
    if (!pieces[i].y) {
      for (size_t a = 0; a < x.bits.size(); ++a) raw.push_back({x.bits[a], circuits::gadgets::mul_w(W, bit_weight(x, a), kWhat)});
      continue;
    }
    const circuits::Bus& y = *pieces[i].y;
    circuits::Network::ModuleScope pp(ntk, "partial_products");
    for (size_t a = 0; a < x.bits.size(); ++a)
      for (size_t b = 0; b < y.bits.size(); ++b) {
        Weight wt = circuits::gadgets::mul_w(W, circuits::gadgets::mul_w(bit_weight(x, a), bit_weight(y, b), kWhat), kWhat);
        Signal sa = x.bits[a], sb = y.bits[b];
        Signal s = sa == circuits::kFalse || sb == circuits::kFalse ? circuits::kFalse
                   : sa == circuits::kTrue                          ? sb
                   : sb == circuits::kTrue                          ? sa
                                                                    : ntk.create_and(sa, sb);
        raw.push_back({s, wt});
      }
  }
  std::vector<Term> terms;
  {
    // w * !s = w - w * s: every wire appears once, uncomplemented
    for (Term& t : raw) {
      if (t.s.index() == 0) {
        if (t.s == circuits::kTrue) k = circuits::gadgets::add_w(k, t.w, kWhat);
        continue;
      }
      if (t.s.complemented()) {
        k = circuits::gadgets::add_w(k, t.w, kWhat);
        t = Term{!t.s, -t.w};
      }
    }
    std::sort(raw.begin(), raw.end(), [](const Term& a, const Term& b) { return a.s < b.s; });
    for (const Term& t : raw) {
      if (t.s.index() == 0) continue;
      if (!terms.empty() && terms.back().s == t.s) terms.back().w = circuits::gadgets::add_w(terms.back().w, t.w, kWhat);
      else terms.push_back(t);
    }
    std::erase_if(terms, [](const Term& t) { return t.w == 0; });
  }
  if (terms.empty())
    return constant_bus(Fixed{numerics::round_to_format(Rational(to_big(k), L), out), out}, name);
  if (is_pow2(L)) {
    circuits::gadgets::LinearForm lf;
    lf.terms = std::move(terms);
    lf.constant = k;
    lf.frac = int(boost::multiprecision::msb(L));
    return circuits::gadgets::linear_form_bus(ntk, lf, out, ps, nullptr, name);
  }
  circuits::Network::ModuleScope th(ntk, "rational_thermometer");
  return thermometer(ntk, terms, k, L, out, name);
}

}  // namespace tc0::sampler::compile
