#include "numerics/functions.hpp"

#include "numerics/mpfr_thread_cache.hpp"

#include <array>
#include <boost/multiprecision/mpfr.hpp>
#include <fmt/format.h>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

namespace tc0::numerics {

namespace {

using Mpfr = boost::multiprecision::mpfr_float;
using MpfrUnary = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);

constexpr std::array<UnaryFn, 11> kAll = {UnaryFn::exp,     UnaryFn::exp2,      UnaryFn::log,
                                          UnaryFn::reciprocal, UnaryFn::sqrt,  UnaryFn::rsqrt,
                                          UnaryFn::sigmoid, UnaryFn::tanh,      UnaryFn::silu,
                                          UnaryFn::gelu_tanh, UnaryFn::gelu_erf};
constexpr std::array<std::string_view, 11> kNames = {"exp",  "exp2",    "log",  "reciprocal",
                                                     "sqrt", "rsqrt",   "sigmoid", "tanh",
                                                     "silu", "gelu_tanh", "gelu_erf"};

constexpr int kMaxPrecision = 8192;

// Interval arithmetic on MPFR numbers of one precision: every result encloses the exact real
// result of the operation applied to any points of the argument intervals, because lower ends are
// rounded down and upper ends up. `exact()` stays true while every rounding was exact (ternary 0),
// i.e. while the enclosure is the exact value itself.
//
// Each end also carries a "strict" flag: the exact value lies strictly inside on that side. It is
// set by an inexact directed rounding and carried through strictly monotone steps. It decides values
// that approach a rounding tie without reaching it, which no precision can separate from the tie:
// gelu(x) = x (1 + tanh(y)) / 2 < x for large x where x is a tie of the output grid, tanh(y) < 1,
// sigmoid(x) < 1. With the upper end on the tie and strict, the value rounds down.
class IntervalEval {
 public:
  struct Iv {
    Mpfr lo, hi;
    bool lo_strict = false, hi_strict = false;
  };

  explicit IntervalEval(int prec) : prec_(prec) {}
  bool exact() const { return exact_; }

  Iv blank() const {
    Iv r;
    mpfr_set_prec(r.lo.backend().data(), prec_);
    mpfr_set_prec(r.hi.backend().data(), prec_);
    return r;
  }
  // raw * 2^-frac, exact because prec >= 64.
  Iv point(int64_t raw, int frac) {
    Iv r = blank();
    ends(r, mpfr_set_si_2exp(lo(r), static_cast<long>(raw), -frac, MPFR_RNDD),
         mpfr_set_si_2exp(hi(r), static_cast<long>(raw), -frac, MPFR_RNDU), false, false);
    return r;
  }
  // The decimal constant `text`, enclosed.
  Iv decimal(const char* text) {
    Iv r = blank();
    ends(r, mpfr_set_str(lo(r), text, 10, MPFR_RNDD), mpfr_set_str(hi(r), text, 10, MPFR_RNDU), false, false);
    return r;
  }
  Iv pi() {
    Iv r = blank();
    ends(r, mpfr_const_pi(lo(r), MPFR_RNDD), mpfr_const_pi(hi(r), MPFR_RNDU), false, false);
    return r;
  }
  // f strictly increasing on the interval.
  Iv increasing(MpfrUnary f, const Iv& x) {
    Iv r = blank();
    ends(r, f(lo(r), lo(x), MPFR_RNDD), f(hi(r), hi(x), MPFR_RNDU), x.lo_strict, x.hi_strict);
    return r;
  }
  // f strictly decreasing on the interval.
  Iv decreasing(MpfrUnary f, const Iv& x) {
    Iv r = blank();
    ends(r, f(lo(r), hi(x), MPFR_RNDD), f(hi(r), lo(x), MPFR_RNDU), x.hi_strict, x.lo_strict);
    return r;
  }
  Iv negate(const Iv& x) {
    Iv r = blank();
    ends(r, mpfr_neg(lo(r), hi(x), MPFR_RNDD), mpfr_neg(hi(r), lo(x), MPFR_RNDU), x.hi_strict, x.lo_strict);
    return r;
  }
  Iv add(const Iv& a, const Iv& b) {
    Iv r = blank();
    ends(r, mpfr_add(lo(r), lo(a), lo(b), MPFR_RNDD), mpfr_add(hi(r), hi(a), hi(b), MPFR_RNDU),
         a.lo_strict || b.lo_strict, a.hi_strict || b.hi_strict);
    return r;
  }
  Iv add_si(const Iv& a, long k) {
    Iv r = blank();
    ends(r, mpfr_add_si(lo(r), lo(a), k, MPFR_RNDD), mpfr_add_si(hi(r), hi(a), k, MPFR_RNDU), a.lo_strict,
         a.hi_strict);
    return r;
  }
  // 1/x for an interval not containing 0 (strictly decreasing on each side of 0).
  Iv reciprocal(const Iv& x) {
    Iv r = blank();
    ends(r, mpfr_ui_div(lo(r), 1, hi(x), MPFR_RNDD), mpfr_ui_div(hi(r), 1, lo(x), MPFR_RNDU), x.hi_strict,
         x.lo_strict);
    return r;
  }
  // x * 2^k, exact.
  Iv scale2(const Iv& x, long k) {
    Iv r = blank();
    ends(r, mpfr_mul_2si(lo(r), lo(x), k, MPFR_RNDD), mpfr_mul_2si(hi(r), hi(x), k, MPFR_RNDU), x.lo_strict,
         x.hi_strict);
    return r;
  }
  Iv mul(const Iv& a, const Iv& b) {
    if (is_point(a)) return mul_point(a, b);
    if (is_point(b)) return mul_point(b, a);
    // General product: the extremes are among the four end products, whatever the signs. Strictness
    // is kept only from the rounding itself (conservative: a false flag is always sound).
    Iv r = blank();
    Mpfr t;
    mpfr_set_prec(t.backend().data(), prec_);
    bool first = true;
    for (const Mpfr* x : {&a.lo, &a.hi}) {
      for (const Mpfr* y : {&b.lo, &b.hi}) {
        int td = mpfr_mul(t.backend().data(), x->backend().data(), y->backend().data(), MPFR_RNDD);
        note(td);
        if (first || mpfr_less_p(t.backend().data(), lo(r))) {
          mpfr_set(lo(r), t.backend().data(), MPFR_RNDN);
          r.lo_strict = td != 0;
        }
        int tu = mpfr_mul(t.backend().data(), x->backend().data(), y->backend().data(), MPFR_RNDU);
        note(tu);
        if (first || mpfr_greater_p(t.backend().data(), hi(r))) {
          mpfr_set(hi(r), t.backend().data(), MPFR_RNDN);
          r.hi_strict = tu != 0;
        }
        first = false;
      }
    }
    return r;
  }

 private:
  static mpfr_ptr lo(Iv& v) { return v.lo.backend().data(); }
  static mpfr_ptr hi(Iv& v) { return v.hi.backend().data(); }
  static mpfr_srcptr lo(const Iv& v) { return v.lo.backend().data(); }
  static mpfr_srcptr hi(const Iv& v) { return v.hi.backend().data(); }
  static bool is_point(const Iv& v) {
    return !v.lo_strict && !v.hi_strict && mpfr_equal_p(lo(v), hi(v));
  }
  void note(int ternary) { exact_ = exact_ && ternary == 0; }
  // Records the two ternaries; an end is strict when its input end was or its rounding was inexact.
  void ends(Iv& r, int t_lo, int t_hi, bool lo_strict_in, bool hi_strict_in) {
    note(t_lo);
    note(t_hi);
    r.lo_strict = lo_strict_in || t_lo != 0;
    r.hi_strict = hi_strict_in || t_hi != 0;
  }
  // p * x for an exact point p: strictly monotone unless p == 0, so strictness carries over.
  Iv mul_point(const Iv& p, const Iv& x) {
    Iv r = blank();
    int s = mpfr_sgn(lo(p));
    if (s == 0) {
      mpfr_set_zero(lo(r), 1);
      mpfr_set_zero(hi(r), 1);
    } else if (s > 0) {
      ends(r, mpfr_mul(lo(r), lo(p), lo(x), MPFR_RNDD), mpfr_mul(hi(r), lo(p), hi(x), MPFR_RNDU), x.lo_strict,
           x.hi_strict);
    } else {
      ends(r, mpfr_mul(lo(r), lo(p), hi(x), MPFR_RNDD), mpfr_mul(hi(r), lo(p), lo(x), MPFR_RNDU), x.hi_strict,
           x.lo_strict);
    }
    return r;
  }

  int prec_;
  bool exact_ = true;
};

using Iv = IntervalEval::Iv;

// Encloses fn(x) for the point x = raw * 2^-frac, inside the function's domain.
Iv enclose(IntervalEval& ev, UnaryFn fn, int64_t raw, int frac) {
  Iv x = ev.point(raw, frac);
  switch (fn) {
    case UnaryFn::exp: return ev.increasing(mpfr_exp, x);
    case UnaryFn::exp2: return ev.increasing(mpfr_exp2, x);
    case UnaryFn::log: return ev.increasing(mpfr_log, x);
    case UnaryFn::reciprocal: return ev.reciprocal(x);
    case UnaryFn::sqrt: return ev.increasing(mpfr_sqrt, x);
    case UnaryFn::rsqrt: return ev.decreasing(mpfr_rec_sqrt, x);
    case UnaryFn::tanh: return ev.increasing(mpfr_tanh, x);
    case UnaryFn::sigmoid:
    case UnaryFn::silu: {
      // 1 / (1 + e^-x): the denominator is >= 1, so the reciprocal is safe.
      Iv s = ev.reciprocal(ev.add_si(ev.increasing(mpfr_exp, ev.negate(x)), 1));
      return fn == UnaryFn::sigmoid ? s : ev.mul(x, s);
    }
    case UnaryFn::gelu_tanh: {
      Iv c = ev.increasing(mpfr_sqrt, ev.scale2(ev.reciprocal(ev.pi()), 1));  // sqrt(2/pi)
      Iv x3 = ev.mul(x, ev.mul(x, x));
      Iv inner = ev.mul(c, ev.add(x, ev.mul(ev.decimal("0.044715"), x3)));
      return ev.scale2(ev.mul(x, ev.add_si(ev.increasing(mpfr_tanh, inner), 1)), -1);
    }
    case UnaryFn::gelu_erf: {
      Iv two = ev.point(2, 0);
      Iv arg = ev.mul(x, ev.decreasing(mpfr_rec_sqrt, two));  // x / sqrt(2)
      return ev.scale2(ev.mul(x, ev.add_si(ev.increasing(mpfr_erf, arg), 1)), -1);
    }
  }
  throw std::logic_error("enclose: unknown function");
}

// Rounds an MPFR value once to out: half to even (MPFR_RNDN is ties-to-even), then saturate. With
// `toward` = -1 (+1) the value stands for a number strictly below (above) it: a tie then goes down
// (up) instead of to even.
int64_t round_mpfr(const Mpfr& v, Format out, int toward = 0) {
  mpfr_srcptr p = v.backend().data();
  if (mpfr_nan_p(p)) throw std::logic_error("correctly_rounded: NaN in an enclosure (internal error)");
  if (mpfr_zero_p(p)) return 0;  // 0 is never a tie
  int sign = mpfr_sgn(p);
  // |v| >= 2^299 exceeds every legal format (largest: 2^63 * 2^128); |v| < 2^-300 rounds to 0.
  if (mpfr_inf_p(p) || mpfr_get_exp(p) > 300) return sign > 0 ? out.max_raw() : out.min_raw();
  if (mpfr_get_exp(p) < -300) return 0;
  // 2 v 2^f, exact: only the exponent moves. v is a tie exactly when this is an odd integer.
  Mpfr twice;
  mpfr_set_prec(twice.backend().data(), mpfr_get_prec(p));
  mpfr_mul_2si(twice.backend().data(), p, out.frac() + 1, MPFR_RNDN);
  mpz_t z;
  mpz_init(z);
  if (toward != 0 && mpfr_integer_p(twice.backend().data())) {
    mpfr_get_z(z, twice.backend().data(), MPFR_RNDN);
    if (mpz_odd_p(z)) {
      mpz_add_ui(z, z, 1);  // 2k+1 -> k (toward -1) or k+1 (toward +1)
      mpz_fdiv_q_2exp(z, z, 1);
      if (toward < 0) mpz_sub_ui(z, z, 1);
    } else {
      mpz_fdiv_q_2exp(z, z, 1);
    }
  } else {
    mpfr_div_2ui(twice.backend().data(), twice.backend().data(), 1, MPFR_RNDN);  // exact
    mpfr_get_z(z, twice.backend().data(), MPFR_RNDN);
  }
  int64_t r;
  if (mpz_cmp_si(z, static_cast<long>(out.max_raw())) > 0) r = out.max_raw();
  else if (mpz_cmp_si(z, static_cast<long>(out.min_raw())) < 0) r = out.min_raw();
  else r = static_cast<int64_t>(mpz_get_si(z));
  mpz_clear(z);
  return r;
}

}  // namespace

std::span<const UnaryFn> all_unary_fns() { return kAll; }

std::string_view name(UnaryFn fn) {
  auto i = static_cast<size_t>(fn);
  if (i >= kNames.size()) throw std::invalid_argument("name: unknown UnaryFn value");
  return kNames[i];
}

UnaryFn unary_fn_from_name(std::string_view text) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == text) return kAll[i];
  throw std::invalid_argument(
      fmt::format("unknown unary function '{}': valid names are {}", text, fmt::join(kNames, ", ")));
}

int64_t correctly_rounded(UnaryFn fn, int64_t raw_in, Format in, Format out, CertifyStats* stats, int start_bits) {
  if (start_bits != 0 && (start_bits < 64 || start_bits > kMaxPrecision))
    throw std::invalid_argument(fmt::format("correctly_rounded: start_bits {} outside 64..{}", start_bits, kMaxPrecision));
  if (!in.contains_raw(raw_in))
    throw FormatError(fmt::format("{}: raw input {} does not fit format {}", name(fn), raw_in, in.str()));
  register_mpfr_thread_cache();
  if (stats) *stats = CertifyStats{};
  // Domain rules of SPEC section 2, decided on the exact input.
  switch (fn) {
    case UnaryFn::reciprocal:
      if (raw_in == 0) return out.max_raw();
      break;
    case UnaryFn::rsqrt:
      if (raw_in <= 0) return out.max_raw();
      break;
    case UnaryFn::log:
      if (raw_in <= 0) return out.min_raw();
      break;
    case UnaryFn::sqrt:
      if (raw_in < 0) return 0;
      break;
    default:
      break;
  }
  // 64 bits beyond what either format spans; the loop doubles this when it does not decide.
  int prec = start_bits ? start_bits : std::max(in.width(), out.width()) + 64;
  for (int retries = 0;; ++retries) {
    IntervalEval ev(prec);
    Iv r = enclose(ev, fn, raw_in, in.frac());
    int64_t lo = round_mpfr(r.lo, out, r.lo_strict ? +1 : 0);
    bool decided = false;
    if (ev.exact()) {
      // Every step was exact, so lo == hi is the function value itself (sqrt of a square, exp2 of
      // an integer, ...): rounding it is final even when it is a tie.
      if (!mpfr_equal_p(r.lo.backend().data(), r.hi.backend().data()))
        throw std::logic_error("correctly_rounded: exact evaluation gave two ends (internal error)");
      decided = true;
    } else {
      decided = lo == round_mpfr(r.hi, out, r.hi_strict ? -1 : 0);
    }
    if (decided) {
      if (stats) *stats = CertifyStats{prec, retries, ev.exact()};
      return lo;
    }
    if (prec >= kMaxPrecision)
      throw std::runtime_error(fmt::format("{}({} raw in {}) -> {}: rounding not decided at {} bits",
                                           name(fn), raw_in, in.str(), out.str(), prec));
    prec = std::min(2 * prec, kMaxPrecision);
  }
}

namespace {
void check_table_input(UnaryFn fn, Format in) {
  if (in.width() > kMaxTableInputWidth)
    throw std::invalid_argument(fmt::format(
        "{} table: input format {} is wider than {} bits; round the input to a table format "
        "(at most Q({},f)) with an explicit convert() first (f(round(S)), SPEC section 2)",
        name(fn), in.str(), kMaxTableInputWidth, kMaxTableInputWidth));
}
}  // namespace

Table::Table(UnaryFn fn, Format in, Format out) : fn_(fn), in_(in), out_(out) {
  check_table_input(fn, in);
  entries_.resize(size_t{1} << in.width());
  for (int64_t raw = in.min_raw(); raw <= in.max_raw(); ++raw) {
    CertifyStats st;
    entries_[static_cast<size_t>(raw - in.min_raw())] = correctly_rounded(fn, raw, in, out, &st);
    max_precision_ = std::max(max_precision_, st.precision_bits);
    if (st.retries > 0) ++retried_;
  }
}

int64_t Table::at(int64_t raw_in) const {
  if (!in_.contains_raw(raw_in))
    throw FormatError(fmt::format("{} table: raw input {} does not fit its input format {}", name(fn_),
                                  raw_in, in_.str()));
  return lookup(raw_in);
}

const Table& Table::get(UnaryFn fn, Format in, Format out) {
  struct Slot {
    std::once_flag once;
    std::unique_ptr<Table> table;
  };
  using Key = std::tuple<int, int, int, int, int>;
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<Slot>> cache;
  check_table_input(fn, in);
  Slot* slot;
  {
    std::lock_guard lock(mutex);
    auto& s = cache[Key{static_cast<int>(fn), in.width(), in.frac(), out.width(), out.frac()}];
    if (!s) s = std::make_unique<Slot>();
    slot = s.get();
  }
  // Built outside the map lock so that different tables build in parallel; call_once makes
  // concurrent requests for the same table wait for one build.
  std::call_once(slot->once, [&] { slot->table = std::make_unique<Table>(fn, in, out); });
  return *slot->table;
}

Fixed apply(UnaryFn fn, const Fixed& x, Format out) {
  check_table_input(fn, x.fmt);
  return Fixed{Table::get(fn, x.fmt, out).at(x.raw), out};
}

}  // namespace tc0::numerics
