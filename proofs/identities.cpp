#include "proofs/identities.hpp"

#include <fmt/format.h>

#include "numerics/fixed.hpp"
#include "proofs/bound.hpp"
#include "proofs/fixed_spec.hpp"

namespace tc0::proofs {

using numerics::Fixed;
using numerics::Format;
using numerics::Rational;

numerics::Rational Dyadic::rational() const { return Rational(BigInt(num), BigInt(1) << frac); }
std::string Dyadic::str() const { return fmt::format("{}/2^{}", num, frac); }

std::string IdentityFormats::str() const {
  return fmt::format("z {} u {} v {} abar {} h1 {} h2 {}", z.str(), u.str(), v.str(), a.str(), h1.str(), h2.str());
}

const std::vector<IdentityFormats>& identity_format_sets() {
  static const std::vector<IdentityFormats> sets = {
      {"q8", 8, Format(8, 5), Format(8, 5), Format(8, 5), Format(8, 4), {1, 1}, {1, 1}},
      {"q8-uneven", 8, Format(8, 5), Format(8, 5), Format(8, 5), Format(8, 4), {3, 3}, {5, 3}},
      // u coarser than v - h/2 abar: rounding u is a real second rounding.
      {"q8-mixed", 8, Format(8, 5), Format(8, 4), Format(8, 6), Format(8, 5), {1, 2}, {3, 2}},
      {"q12", 12, Format(12, 8), Format(12, 8), Format(12, 8), Format(12, 7), {1, 2}, {3, 2}},
      {"q16", 16, Format(16, 12), Format(16, 12), Format(16, 12), Format(16, 11), {1, 1}, {1, 1}},
      // The shipped demo model (sampler/models/digits_mf2): state Q(12,9), heads u and abar Q(12,8)
      // (v = u(z, t, t) is the same head); MF2 one step h = 1 split as two half steps.
      {"demo", 12, Format(12, 9), Format(12, 8), Format(12, 8), Format(12, 8), {1, 1}, {1, 1}},
  };
  return sets;
}

namespace {

Dyadic sum(Dyadic a, Dyadic b) {
  int f = std::max(a.frac, b.frac);
  Dyadic d{(a.num << (f - a.frac)) + (b.num << (f - b.frac)), f};
  while (d.frac > 0 && d.num % 2 == 0) {  // lowest terms: no spurious fraction bits
    d.num /= 2;
    --d.frac;
  }
  return d;
}

z3::expr var(z3::context& c, const std::string& n, Format f) { return c.bv_const(n.c_str(), unsigned(f.width())); }
ExactBV raw(const z3::expr& e, Format f) { return exact_raw(e, f); }
ExactBV times(const ExactBV& x, Dyadic h) { return exact_mul_const(x, h.num, h.frac); }
Fixed fx(int64_t r, Format f) { return Fixed::from_raw(r, f); }

// round(K + sum c_i x_i) with numerics::linear_form: the independent reference of every query.
int64_t lf(std::vector<Rational> c, std::vector<Fixed> x, Format out) {
  return numerics::linear_form(Rational(0), c, x, out).raw;
}

ObligationResult from_bound(const BoundResult& b, const std::string& unit) {
  ObligationResult r;
  r.verdict = b.verdict;
  r.seconds = b.seconds;
  r.queries = b.queries;
  r.detail = b.detail;
  if (b.verdict == Verdict::proved) {
    r.k = b.k.str();
    if (b.witness) {
      r.detail = fmt::format("tight: k-1 refuted at {} ({})", b.witness->str(), unit);
      r.evidence = b.witness->to_json();
    } else {
      r.detail = fmt::format("k = 0: exact ({})", unit);
    }
  }
  return r;
}

}  // namespace

ObligationResult prove_round_once(const IdentityFormats& f, const QueryOptions& opt) {
  z3::context c;
  z3::expr z = var(c, "z", f.z), u = var(c, "u", f.u);
  Dyadic h = f.h1;  // the first step of the grid (a whole step h = 1 would land on z's grid)
  ExactBV n = exact_sub(raw(z, f.z), times(raw(u, f.u), h));
  int s = n.frac - f.z.frac();
  ObligationResult out;
  if (s < 1) {
    out.verdict = Verdict::proved;
    out.k = "0";
    out.detail = "the exact value lies on z's grid: no rounding";
    return out;
  }
  z3::expr r = round_to_format(n, f.z);
  // D = 2 (r 2^s - n): the error in units of 2^-(s+1) LSB... compared with k 2^s (k half LSBs).
  ExactBV err = exact_sub(raw(r, f.z), n);  // at frac n.frac
  ExactBV err_al = align(err, n.frac);
  z3::expr d = sext_to(err_al.bits, err_al.width() + 1) * c.bv_val(2, err_al.width() + 1);
  auto exact_n = [=](const std::vector<int64_t>& v) {
    // n as an integer at frac n.frac, from the raw values.
    Rational q = fx(v[0], f.z).to_rational() - h.rational() * fx(v[1], f.u).to_rational();
    return BigInt(numerator(q * Rational(BigInt(1) << n.frac)));
  };
  BoundProblem p{"identity.round_once." + f.name, {fits_without_saturation(n, f.z)}, d, {{"z", z}, {"u", u}},
                 [=](const std::vector<int64_t>& v) {
                   int64_t rr = lf({1, -h.rational()}, {fx(v[0], f.z), fx(v[1], f.u)}, f.z);
                   return 2 * ((BigInt(rr) << s) - exact_n(v));
                 }};
  BigInt half_lsb = BigInt(1) << s;  // |D| <= k 2^s  <=>  |error| <= k/2 LSB
  BoundResult at1 = check_bound(p, half_lsb, opt);
  BoundResult at0 = check_bound(p, BigInt(0), opt);
  // Ties to even: an exact tie never rounds to an odd raw value.
  std::vector<z3::expr> tie = p.domain;
  z3::expr a = abs_wide(d);
  tie.push_back(a == bv_num(c, half_lsb, width_of(a)));
  tie.push_back(r.extract(0, 0) == c.bv_val(1, 1));
  SolverOutcome so = check(c, tie, opt, p.name + ".ties");
  out.seconds = at1.seconds + at0.seconds + so.seconds;
  out.queries = 3;
  if (at1.verdict == Verdict::proved && at0.verdict == Verdict::refuted && so.status == z3::unsat) {
    out.verdict = Verdict::proved;
    out.k = "1";
    out.detail = fmt::format("k in half LSBs; ties to even proved; k-1 refuted at {}", at0.witness->str());
    out.evidence = at0.witness->to_json();
  } else if (at1.verdict == Verdict::proved && at0.verdict == Verdict::proved && so.status == z3::unsat) {
    out.verdict = Verdict::proved;
    out.k = "0";
    out.detail = "k in half LSBs: the exact value always lies on z's grid";
  } else if (at1.verdict == Verdict::refuted) {
    out.verdict = Verdict::refuted;
    out.detail = "error above 1/2 LSB at " + at1.witness->str();
    out.evidence = at1.witness->to_json();
  } else if (so.status == z3::sat) {
    // Reproduce the odd tie with numerics before reporting it.
    std::vector<int64_t> v{model_int64(*so.model, z), model_int64(*so.model, u)};
    int64_t rr = lf({1, -h.rational()}, {fx(v[0], f.z), fx(v[1], f.u)}, f.z);
    BigInt dd = 2 * ((BigInt(rr) << s) - exact_n(v));
    if (abs(dd) == half_lsb && (rr & 1)) {
      out.verdict = Verdict::refuted;
      out.detail = fmt::format("tie rounded to odd at z={} u={}", v[0], v[1]);
    } else {
      out.detail = "ties query: solver witness not reproduced by numerics";
    }
  } else {
    out.detail = at1.detail + " " + at0.detail + " " + so.reason;
  }
  return out;
}

ObligationResult prove_additivity(const IdentityFormats& f, bool saturate, const QueryOptions& opt) {
  z3::context c;
  z3::expr a1 = var(c, "A1", f.u), a2 = var(c, "A2", f.u);
  ExactBV p1 = times(raw(a1, f.u), f.h1), p2 = times(raw(a2, f.u), f.h2), p = exact_add(p1, p2);
  z3::expr d = round_to_format(p, f.z), d1 = round_to_format(p1, f.z), d2 = round_to_format(p2, f.z);
  unsigned w = unsigned(f.z.width()) + 3;
  z3::expr diff = sext_to(d, w) - sext_to(d1, w) - sext_to(d2, w);
  std::vector<z3::expr> dom;
  if (!saturate) dom = {fits_without_saturation(p1, f.z), fits_without_saturation(p2, f.z), fits_without_saturation(p, f.z)};
  BoundProblem bp{fmt::format("identity.additivity{}.{}", saturate ? "" : "_nosat", f.name), dom, diff,
                  {{"A1", a1}, {"A2", a2}}, [=](const std::vector<int64_t>& v) {
                    Fixed x1 = fx(v[0], f.u), x2 = fx(v[1], f.u);
                    int64_t dd = lf({f.h1.rational(), f.h2.rational()}, {x1, x2}, f.z);
                    return BigInt(dd) - lf({f.h1.rational()}, {x1}, f.z) - lf({f.h2.rational()}, {x2}, f.z);
                  }};
  return from_bound(smallest_bound(bp, opt), "LSBs of z");
}

ObligationResult prove_boundary(const IdentityFormats& f, const QueryOptions& opt) {
  z3::context c;
  z3::expr z = var(c, "z", f.z), u = var(c, "u", f.u), v = var(c, "v", f.v), ab = var(c, "abar", f.a);
  Format fh(16, std::max(f.h1.frac, f.h2.frac) + 2);  // a free step size on a grid finer than the real ones
  z3::expr h = var(c, "h", fh);
  ExactBV eh = raw(h, fh);
  ExactBV mf1 = exact_sub(raw(z, f.z), exact_mul(eh, raw(u, f.u)));
  // MF2: z - h v + (1/2) h^2 abar
  ExactBV mf2 = exact_add(exact_sub(raw(z, f.z), exact_mul(eh, raw(v, f.v))),
                          exact_mul_const(exact_mul(exact_mul(eh, eh), raw(ab, f.a)), 1, 1));
  unsigned w = unsigned(f.z.width()) + 2;
  z3::expr d1 = sext_to(round_to_format(mf1, f.z), w) - sext_to(z, w);
  z3::expr d2 = sext_to(round_to_format(mf2, f.z), w) - sext_to(z, w);
  z3::expr diff = z3::ite(d1 == 0, d2, d1);  // either update moving z is a violation
  BoundProblem bp{"identity.boundary." + f.name, {h == 0}, diff, {{"z", z}, {"u", u}, {"v", v}, {"abar", ab}, {"h", h}},
                  [=](const std::vector<int64_t>& x) {
                    Fixed zz = fx(x[0], f.z), hh = fx(x[4], fh);
                    Rational hr = hh.to_rational();
                    int64_t m1 = lf({1, -hr}, {zz, fx(x[1], f.u)}, f.z);
                    int64_t m2 = lf({1, -hr, hr * hr / 2}, {zz, fx(x[2], f.v), fx(x[3], f.a)}, f.z);
                    return m1 != x[0] ? BigInt(m1 - x[0]) : BigInt(m2 - x[0]);
                  }};
  return from_bound(smallest_bound(bp, opt), "LSBs of z");
}

ObligationResult prove_mf1_mf2(const IdentityFormats& f, bool rounded_u, const QueryOptions& opt, bool saturate) {
  z3::context c;
  Dyadic h = sum(f.h1, f.h2);
  Dyadic half_h{h.num, h.frac + 1}, half_h2{h.num * h.num, 2 * h.frac + 1};
  z3::expr z = var(c, "z", f.z), v = var(c, "v", f.v), ab = var(c, "abar", f.a);
  ExactBV u_exact = exact_sub(raw(v, f.v), times(raw(ab, f.a), half_h));
  std::vector<z3::expr> dom;
  std::vector<std::pair<std::string, z3::expr>> vars{{"z", z}, {"v", v}, {"abar", ab}};
  z3::expr u = rounded_u ? round_to_format(u_exact, f.u) : var(c, "u", f.u);
  if (!rounded_u) {
    dom.push_back(exact_eq(raw(u, f.u), u_exact));  // u = v - h/2 abar exactly
    vars.emplace_back("u", u);
  }
  ExactBV e1 = exact_sub(raw(z, f.z), times(raw(u, f.u), h));
  ExactBV e2 = exact_add(exact_sub(raw(z, f.z), times(raw(v, f.v), h)), times(raw(ab, f.a), half_h2));
  z3::expr m1 = round_to_format(e1, f.z);
  z3::expr m2 = round_to_format(e2, f.z);
  if (!saturate) {
    dom.push_back(fits_without_saturation(e1, f.z));
    dom.push_back(fits_without_saturation(e2, f.z));
    if (rounded_u) dom.push_back(fits_without_saturation(u_exact, f.u));
  }
  unsigned w = unsigned(f.z.width()) + 2;
  z3::expr diff = sext_to(m1, w) - sext_to(m2, w);
  BoundProblem bp{fmt::format("identity.mf1_mf2{}{}.{}", rounded_u ? "_rounded_u" : "_exact", saturate ? "" : "_nosat", f.name), dom, diff, vars,
                  [=](const std::vector<int64_t>& x) {
                    Fixed zz = fx(x[0], f.z), vv = fx(x[1], f.v), aa = fx(x[2], f.a);
                    Rational hr = h.rational();
                    Fixed uu = rounded_u ? Fixed::from_rational(vv.to_rational() - hr / 2 * aa.to_rational(), f.u)
                                         : fx(x[3], f.u);
                    int64_t r1 = lf({1, -hr}, {zz, uu}, f.z);
                    int64_t r2 = lf({1, -hr, hr * hr / 2}, {zz, vv, aa}, f.z);
                    return BigInt(r1) - r2;
                  }};
  return from_bound(smallest_bound(bp, opt), "LSBs of z");
}

ObligationResult prove_two_step(const IdentityFormats& f, bool saturate, const QueryOptions& opt) {
  z3::context c;
  z3::expr z = var(c, "z", f.z), u1 = var(c, "u1", f.u), u2 = var(c, "u2", f.u);
  ExactBV s1 = exact_sub(raw(z, f.z), times(raw(u1, f.u), f.h1));
  z3::expr zs = round_to_format(s1, f.z);
  ExactBV s2 = exact_sub(raw(zs, f.z), times(raw(u2, f.u), f.h2));
  z3::expr two = round_to_format(s2, f.z);
  // One step with (t - r) u = h1 u1 + h2 u2 exactly.
  ExactBV s0 = exact_sub(s1, times(raw(u2, f.u), f.h2));
  z3::expr one = round_to_format(s0, f.z);
  unsigned w = unsigned(f.z.width()) + 2;
  std::vector<z3::expr> dom;
  if (!saturate) dom = {fits_without_saturation(s1, f.z), fits_without_saturation(s2, f.z), fits_without_saturation(s0, f.z)};
  BoundProblem bp{fmt::format("identity.two_step{}.{}", saturate ? "" : "_nosat", f.name), dom,
                  sext_to(two, w) - sext_to(one, w), {{"z", z}, {"u1", u1}, {"u2", u2}},
                  [=](const std::vector<int64_t>& x) {
                    Fixed zz = fx(x[0], f.z), a = fx(x[1], f.u), b = fx(x[2], f.u);
                    Rational h1 = f.h1.rational(), h2 = f.h2.rational();
                    Fixed mid = fx(lf({1, -h1}, {zz, a}, f.z), f.z);
                    int64_t t = lf({1, -h2}, {mid, b}, f.z);
                    int64_t o = lf({1, -h1, -h2}, {zz, a, b}, f.z);
                    return BigInt(t) - o;
                  }};
  return from_bound(smallest_bound(bp, opt), "LSBs of z");
}

}  // namespace tc0::proofs
