// WireArith against FixedArith, operation by operation: the circuit of each policy operation is
// simulated (bit-parallel simulator) on every input when the operands total at most 16 bits, on
// random inputs otherwise, and must equal the Fixed policy bit for bit. FixedArith itself is checked
// against exact rational arithmetic in test_sampler_arith; here it is the reference.
#include <gtest/gtest.h>

#include <functional>

#include "circuits/sim/bitsim.hpp"
#include "sampler/arith_fixed.hpp"
#include "sampler/compile/wire_arith.hpp"
#include "sampler/noise.hpp"

using namespace tc0::sampler;
using namespace tc0::sampler::compile;
using tc0::circuits::Network;

namespace {

struct Gen {
  Xoshiro256ss g;
  explicit Gen(uint64_t seed) : g(seed) {}
  int64_t range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(g.next() % static_cast<uint64_t>(hi - lo + 1)); }
  Format fmt(int wmin = 2, int wmax = 8) { return Format(int(range(wmin, wmax)), int(range(-3, 10))); }
  Fixed fixed(Format f) { return Fixed{range(f.min_raw(), f.max_raw()), f}; }
  Const cst(Format f) {
    Fixed x = fixed(f);
    return Const{x.to_double(), x};
  }
  Rational coef(bool allow_third) {
    Rational q(range(-300, 300), int64_t(1) << range(0, 10));
    return allow_third && range(0, 3) == 0 ? q / 3 : q;
  }
};

// Operands of one case: variable ones are primary input buses, some are constants.
struct Operand {
  Format fmt{2, 0};
  bool variable = true;
  int64_t const_raw = 0;
};

struct Totals {
  uint64_t cases = 0, samples = 0;
};
Totals g_totals;

// Builds op(wire operands) in a fresh network, simulates it on every input pattern (<= 16 variable
// bits) or on `random` random patterns, and compares with op(Fixed operands).
void check_op(Gen& g, const std::vector<Operand>& ops,
              const std::function<Bus(const WireArith&, std::span<const Bus>)>& wire_op,
              const std::function<Fixed(const FixedArith&, std::span<const Fixed>)>& fixed_op, const std::string& what,
              size_t random = 600) {
  Network ntk;
  WireArith wa(ntk);
  std::vector<Bus> buses;
  int bits = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].variable) {
      buses.push_back(wa.primary_input(ops[i].fmt, "x" + std::to_string(i)));
      bits += ops[i].fmt.width();
    } else {
      buses.push_back(wa.constant(Const{0, Fixed{ops[i].const_raw, ops[i].fmt}}));
    }
  }
  Bus out = wire_op(wa, buses);
  ntk.add_output_bus(out);
  tc0::circuits::sim::BitSimulator sim(ntk);
  const bool exhaustive = bits <= 16;
  const size_t n = exhaustive ? size_t(1) << bits : random;
  tc0::circuits::sim::BusBatch in;
  std::vector<std::vector<Fixed>> fx(n);
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].variable) in.emplace_back();
  for (size_t s = 0; s < n; ++s) {
    uint64_t pattern = s;
    size_t port = 0;
    for (const Operand& o : ops) {
      int64_t raw = o.const_raw;
      if (o.variable) {
        if (exhaustive) {
          raw = o.fmt.min_raw() + int64_t(pattern & ((uint64_t(1) << o.fmt.width()) - 1));
          pattern >>= o.fmt.width();
        } else {
          raw = g.range(o.fmt.min_raw(), o.fmt.max_raw());
        }
        in[port++].push_back(raw);
      }
      fx[s].push_back(Fixed{raw, o.fmt});
    }
  }
  auto res = sim.run(in);
  FixedArith fa;
  for (size_t s = 0; s < n; ++s) {
    Fixed want = fixed_op(fa, fx[s]);
    ASSERT_EQ(want.fmt, out.fmt) << what;
    if (res[0][s] != want.raw) {
      std::string args;
      for (const Fixed& f : fx[s]) args += " " + std::to_string(f.raw) + "@" + f.fmt.str();
      FAIL() << what << ": input" << args << " -> circuit " << res[0][s] << ", Fixed " << want.raw << " in "
             << want.fmt.str();
    }
  }
  ++g_totals.cases;
  g_totals.samples += n;
}

std::vector<Operand> operands(Gen& g, size_t n, int wmax = 8, bool allow_const = true) {
  std::vector<Operand> v;
  for (size_t i = 0; i < n; ++i) {
    Operand o;
    o.fmt = g.fmt(2, wmax);
    if (allow_const && g.range(0, 5) == 0) {
      o.variable = false;
      o.const_raw = g.range(o.fmt.min_raw(), o.fmt.max_raw());
    }
    v.push_back(o);
  }
  v[0].variable = true;  // the simulator needs at least one input port to know the batch size
  return v;
}

}  // namespace

TEST(WireArith, Linear) {
  Gen g(1);
  for (int rep = 0; rep < 80; ++rep) {
    auto ops = operands(g, size_t(g.range(1, 4)));
    Format wf = g.fmt(2, 8), out = g.fmt(2, 12);
    std::vector<Const> w, bias;
    for (size_t i = 0; i < ops.size(); ++i) w.push_back(g.cst(wf));
    for (int b = 0; b < g.range(0, 2); ++b) bias.push_back(g.cst(g.fmt()));
    Rational off = g.coef(out.width() <= 10);
    check_op(g, ops, [&](const WireArith& a, std::span<const Bus> x) { return a.linear(w, x, bias, off, out); },
             [&](const FixedArith& a, std::span<const Fixed> x) { return a.linear(w, x, bias, off, out); },
             "linear case " + std::to_string(rep));
  }
}

TEST(WireArith, LincombIncludingNonDyadicCoefficients) {
  Gen g(2);
  for (int rep = 0; rep < 80; ++rep) {
    auto ops = operands(g, size_t(g.range(1, 3)));
    Format out = g.fmt(2, 10);
    std::vector<Rational> c;
    for (size_t i = 0; i < ops.size(); ++i) c.push_back(g.coef(true));
    Rational off = g.coef(true);
    check_op(g, ops, [&](const WireArith& a, std::span<const Bus> x) { return a.lincomb(off, c, x, out); },
             [&](const FixedArith& a, std::span<const Fixed> x) { return a.lincomb(off, c, x, out); },
             "lincomb case " + std::to_string(rep));
  }
}

TEST(WireArith, DotIncludingSquares) {
  Gen g(3);
  for (int rep = 0; rep < 70; ++rep) {
    const size_t n = size_t(g.range(1, 3));
    auto ops = operands(g, 2 * n, 6);
    const bool square = g.range(0, 3) == 0;  // dot(c, c) as in LayerNorm's variance
    Format out = g.fmt(2, 12);
    Rational scale = g.coef(out.width() <= 10), off = g.coef(false);
    auto split = [&](auto x) {
      using V = typename decltype(x)::value_type;
      std::vector<V> a(x.begin(), x.begin() + long(n)), b(x.begin() + long(n), x.end());
      if (square) b = a;
      return std::make_pair(a, b);
    };
    check_op(g, ops,
             [&](const WireArith& a, std::span<const Bus> x) {
               auto [p, q] = split(x);
               return a.dot(p, q, scale, off, out);
             },
             [&](const FixedArith& a, std::span<const Fixed> x) {
               auto [p, q] = split(x);
               return a.dot(p, q, scale, off, out);
             },
             "dot case " + std::to_string(rep));
  }
}

TEST(WireArith, MulAndMulAdd) {
  Gen g(4);
  for (int rep = 0; rep < 100; ++rep) {
    Format out = g.fmt(2, 14);
    if (rep % 2 == 0) {
      auto ops = operands(g, 2, 9);
      check_op(g, ops, [&](const WireArith& a, std::span<const Bus> x) { return a.mul(x[0], x[1], out); },
               [&](const FixedArith& a, std::span<const Fixed> x) { return a.mul(x[0], x[1], out); },
               "mul case " + std::to_string(rep));
    } else {
      auto ops = operands(g, 3, 7);
      check_op(g, ops, [&](const WireArith& a, std::span<const Bus> x) { return a.mul_add(x[0], x[1], x[2], out); },
               [&](const FixedArith& a, std::span<const Fixed> x) { return a.mul_add(x[0], x[1], x[2], out); },
               "mul_add case " + std::to_string(rep));
    }
  }
}

TEST(WireArith, SumMaxConvert) {
  Gen g(5);
  for (int rep = 0; rep < 150; ++rep) {
    Format out = g.fmt(2, 12);
    if (rep % 3 == 0) {
      auto ops = operands(g, size_t(g.range(1, 5)));
      check_op(g, ops, [&](const WireArith& a, std::span<const Bus> x) { return a.sum(x, out); },
               [&](const FixedArith& a, std::span<const Fixed> x) { return a.sum(x, out); },
               "sum case " + std::to_string(rep));
    } else if (rep % 3 == 1) {
      // mixed formats most of the time, one common format sometimes (the attention scores)
      auto ops = operands(g, size_t(g.range(1, 6)));
      if (g.range(0, 1) == 0)
        for (auto& o : ops) o.fmt = ops[0].fmt, o.const_raw = g.range(o.fmt.min_raw(), o.fmt.max_raw());
      check_op(g, ops, [&](const WireArith& a, std::span<const Bus> x) { return a.max(x, out); },
               [&](const FixedArith& a, std::span<const Fixed> x) { return a.max(x, out); },
               "max case " + std::to_string(rep));
    } else {
      auto ops = operands(g, 1, 16, false);
      check_op(g, ops, [&](const WireArith& a, std::span<const Bus> x) { return a.convert(x[0], out); },
               [&](const FixedArith& a, std::span<const Fixed> x) { return a.convert(x[0], out); },
               "convert case " + std::to_string(rep));
    }
  }
}

TEST(WireArith, UnaryTablesEveryFunction) {
  Gen g(6);
  for (tc0::numerics::UnaryFn fn : tc0::numerics::all_unary_fns())
    for (int rep = 0; rep < 4; ++rep) {
      auto ops = operands(g, 1, rep == 0 ? 10 : 7, false);
      Format out = g.fmt(2, 10);
      check_op(g, ops, [&](const WireArith& a, std::span<const Bus> x) { return a.unary(fn, x[0], out); },
               [&](const FixedArith& a, std::span<const Fixed> x) { return a.unary(fn, x[0], out); },
               std::string(tc0::numerics::name(fn)) + " case " + std::to_string(rep));
    }
}

TEST(WireArith, ConstantsAndTrig) {
  Gen g(7);
  FixedArith fa;
  Network ntk;
  WireArith wa(ntk);
  for (int rep = 0; rep < 200; ++rep) {
    Format f = g.fmt(2, 16);
    Const c = g.cst(f);
    Rational q = g.coef(true);
    Trig tr = rep % 2 ? Trig::cos : Trig::sin;
    for (auto [bus, want] : {std::pair{wa.constant(c), fa.constant(c)}, std::pair{wa.trig(tr, q, f), fa.trig(tr, q, f)},
                             std::pair{wa.input(c.fixed), fa.input(c.fixed)}}) {
      ASSERT_EQ(bus.fmt, want.fmt);
      int64_t v = 0;
      for (size_t i = 0; i < bus.bits.size(); ++i) {
        ASSERT_TRUE(bus.bits[i] == tc0::circuits::kTrue || bus.bits[i] == tc0::circuits::kFalse);
        if (bus.bits[i] == tc0::circuits::kTrue) v |= int64_t(1) << i;
      }
      v = tc0::circuits::sim::wrap_to_bus(v, bus.bits.size(), true);
      ASSERT_EQ(v, want.raw) << "constant case " << rep;
    }
  }
  EXPECT_EQ(ntk.num_gates(), 0u);
  EXPECT_THROW(wa.to_double(wa.constant(Const{})), std::logic_error);
}

TEST(WireArith, RefusesWideTableInputsAndMismatchedOperands) {
  Network ntk;
  WireArith wa(ntk);
  Bus x = wa.primary_input(Format(17, 4), "x");
  EXPECT_THROW(wa.unary(tc0::numerics::UnaryFn::exp, x, Format(8, 4)), std::invalid_argument);
  std::vector<Bus> one{x};
  std::vector<Rational> two{Rational(1), Rational(2)};
  EXPECT_THROW(wa.lincomb(Rational(0), two, one, Format(8, 0)), std::invalid_argument);
}

TEST(WireArith, ZZCaseCounts) {
  // not an assertion of behaviour: prints how much the suites above compared
  std::printf("WireArith cases: %llu, simulated samples: %llu\n", (unsigned long long)g_totals.cases,
              (unsigned long long)g_totals.samples);
  EXPECT_GT(g_totals.cases, 0u);
}
