// Max/argmax, multiplexer (AND absorption) and the staircase (any function of a linear form, fed by
// the correctly rounded tables of numerics/functions.hpp) against independent references:
// exhaustive where the inputs total <= 24 bits, random with fixed seeds beyond.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "circuits/gadgets/arith.hpp"
#include "circuits/gadgets/select.hpp"
#include "circuits/gadgets/staircase.hpp"
#include "numerics/functions.hpp"
#include "test_gadgets_support.hpp"

namespace tc0::circuits {
namespace {

using numerics::Format;
using namespace testing;
using namespace gadgets;

// Builds max_argmax over N buses of format f; outputs bus 0 = max, bus 1 = argmax.
Network max_network(int n_inputs, Format f, GadgetStats* st) {
  Network ntk;
  std::vector<Bus> xs;
  for (int i = 0; i < n_inputs; ++i) xs.push_back(ntk.create_input_bus(fmt::format("x{}", i), f));
  MaxResult r = max_argmax(ntk, xs, st);
  ntk.add_output_bus(r.max);
  ntk.add_output_bus(r.index);
  return ntk;
}

void expect_max(const std::vector<int64_t>& v, int64_t& mx, int64_t& arg) {
  arg = std::max_element(v.begin(), v.end()) - v.begin();  // first maximum: ties to the lowest index
  mx = v[arg];
}

TEST(GadgetSelect, MaxArgmaxExhaustive) {
  // N = 2 at 8 bits, N = 3 at 6 bits, N = 4 at 4 bits: every combination (16, 18, 16 bits), many ties.
  for (auto [n, f] : {std::pair{2, Format(8, 0)}, std::pair{3, Format(6, 2)}, std::pair{4, Format(4, 0)}}) {
    GadgetStats st;
    Network ntk = max_network(n, f, &st);
    EXPECT_LE(st.depth, 3u) << "SPEC section 3: max/argmax at depth 3";
    Batch bmax(n), barg(n);
    int64_t span = f.max_raw() - f.min_raw() + 1, total = 1;
    for (int i = 0; i < n; ++i) total *= span;
    for (int64_t code = 0; code < total; ++code) {
      std::vector<int64_t> v;
      for (int64_t c = code, i = 0; i < n; ++i, c /= span) v.push_back(f.min_raw() + c % span);
      int64_t mx, arg;
      expect_max(v, mx, arg);
      bmax.add(v, mx);
      barg.add(v, arg);
    }
    check_batch(ntk, bmax, 0, 5000);
    check_batch(ntk, barg, 1, 5000);
  }
}

TEST(GadgetSelect, MaxArgmaxRandomEightInputs) {
  std::mt19937_64 rng(8);
  for (int bits : {8, 16, 32}) {
    Format f(bits, 0);
    GadgetStats st;
    Network ntk = max_network(8, f, &st);
    EXPECT_EQ(st.depth, 3u);
    if (bits == 8) {
      EXPECT_LE(st.gates, 100u + 8 + 3) << "SPEC 3.5 reference 100 for the max, plus 8 + 3 for argmax";
      Network only;
      std::vector<Bus> xs;
      for (int i = 0; i < 8; ++i) xs.push_back(only.create_input_bus(fmt::format("x{}", i), f));
      GadgetStats st_max;
      MaxResult r = max_argmax(only, xs, MaxParams{true, false}, &st_max);
      EXPECT_EQ(st_max.gates, 100u) << "SPEC section 3: N = 8, n = 8 max in 100 gates";
      EXPECT_TRUE(r.index.bits.empty());
    }
    Batch bmax(8), barg(8);
    for (size_t i = 0; i < case_count(100000, 1000000); ++i) {
      std::vector<int64_t> v;
      for (int k = 0; k < 8; ++k) v.push_back(random_raw(rng, f));
      if (rng() % 4 == 0) v[rng() % 8] = v[rng() % 8];  // force ties
      int64_t mx, arg;
      expect_max(v, mx, arg);
      bmax.add(v, mx);
      barg.add(v, arg);
    }
    check_batch(ntk, bmax, 0);
    check_batch(ntk, barg, 1);
  }
}

TEST(GadgetSelect, MuxOnInputsAndAbsorbedIntoGates) {
  // Data straight from inputs (depth 2) and from an adder (the select is absorbed: depth 2 + 1).
  for (bool from_adder : {false, true}) {
    Network ntk;
    Format f(6, 0);
    Bus a = ntk.create_input_bus("a", f);
    Bus b = ntk.create_input_bus("b", f);
    Bus sel = ntk.create_input_bus("sel", Format(2, 0), false);
    Bus da = a, db = b;
    if (from_adder) {
      da = add(ntk, a, b, f);
      db = sub(ntk, a, b, f);
    }
    GadgetStats st;
    Bus m = mux(ntk, sel.bits[0], da, db, &st);
    ntk.add_output_bus(m);
    EXPECT_LE(st.depth, 2u);
    uint32_t total_depth = 0;
    {
      std::vector<uint32_t> level(ntk.num_nodes(), 0);
      for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
        uint32_t l = 0;
        for (Signal s : ntk.gate(g).fanins) l = std::max(l, level[s.index()]);
        level[ntk.gate_node(g)] = l + 1;
      }
      for (Signal s : m.bits) total_depth = std::max(total_depth, level[s.index()]);
    }
    EXPECT_EQ(total_depth, from_adder ? 3u : 2u) << "AND absorption: one level over the data gates";
    Checker chk{ntk};
    for (int64_t x = f.min_raw(); x <= f.max_raw(); ++x)
      for (int64_t y = f.min_raw(); y <= f.max_raw(); ++y)
        for (int64_t s = 0; s < 4; ++s) {
          int64_t want = (s & 1) ? x : y;
          if (from_adder)
            want = (s & 1) ? numerics::add(fx(x, f), fx(y, f), f).raw : numerics::sub(fx(x, f), fx(y, f), f).raw;
          chk.check({x, y, s}, want);
        }
    EXPECT_EQ(chk.failures, 0);
  }
}

TEST(GadgetSelect, AndAbsorbExhaustive) {
  // Random gates of 5 inputs, both polarities, ANDed with a sixth input: all 64 assignments.
  std::mt19937_64 rng(5);
  for (int rep = 0; rep < 200; ++rep) {
    Network ntk;
    Bus in = ntk.create_input_bus("z", Format(6, 0), false);
    std::vector<Signal> f(in.bits.begin(), in.bits.begin() + 5);
    std::vector<Weight> w;
    for (int i = 0; i < 5; ++i) w.push_back(Weight(int64_t(rng() % 15) - 7));
    Weight theta = int64_t(rng() % 15) - 7;
    Signal g = ntk.create_threshold(f, w, theta);
    if (rng() & 1) g = !g;
    Signal a = and_absorb(ntk, g, in.bits[5]);
    ntk.add_output_bus(Bus{"g", Format(2, 0), false, {g, a}});
    for (int64_t v = 0; v < 64; ++v) {
      int64_t out = evaluate_buses(ntk, {v})[0];
      bool gv = out & 1, av = out >> 1 & 1;
      EXPECT_EQ(av, gv && (v >> 5 & 1)) << "rep " << rep << " v " << v;
    }
  }
}

TEST(GadgetSelect, StaircaseTablesAll16BitInputs) {
  // Correctly rounded tables (numerics::Table, MPFR) on every 16-bit input, and a table of a sum
  // of two 8-bit operands (a function of a linear form, every pair).
  struct T {
    numerics::UnaryFn fn;
    Format in, out;
  } tables[] = {{numerics::UnaryFn::sigmoid, Format(16, 11), Format(8, 7)},
                {numerics::UnaryFn::silu, Format(16, 11), Format(10, 5)}};
  for (const T& t : tables) {
    const numerics::Table& table = numerics::Table::get(t.fn, t.in, t.out);
    Network ntk;
    Bus x = ntk.create_input_bus("x", t.in);
    GadgetStats st;
    ntk.add_output_bus(function_of_bus(ntk, x, [&](int64_t v) { return table.lookup(v); }, t.out, &st));
    EXPECT_LE(st.depth, 2u);
    uint64_t changes = 0;
    for (int64_t v = t.in.min_raw() + 1; v <= t.in.max_raw(); ++v) changes += table.lookup(v) != table.lookup(v - 1);
    EXPECT_LE(st.gates, changes + uint64_t(t.out.width())) << "SPEC 3.4: <= #value changes + q";
    Batch batch(1);
    // Every 16th input straight from MPFR (correctly_rounded), the rest from the table, which
    // tests/numerics checks against MPFR in full.
    for (int64_t v = t.in.min_raw(); v <= t.in.max_raw(); ++v)
      batch.add({v}, v % 16 == 0 ? numerics::correctly_rounded(t.fn, v, t.in, t.out) : table.lookup(v));
    check_batch(ntk, batch, 0, 3000);
  }
  // f(a + b) for Q(8,4) operands: the form a + b in Q(9,4), the table exp: Q(9,4) -> Q(12,4).
  Format op(8, 4), sum_fmt(9, 4), out(12, 4);
  const numerics::Table& table = numerics::Table::get(numerics::UnaryFn::exp, sum_fmt, out);
  Network ntk;
  Bus a = ntk.create_input_bus("a", op);
  Bus b = ntk.create_input_bus("b", op);
  LinearForm lf;
  append_bus_terms(lf, a, 1, 0, "t");
  append_bus_terms(lf, b, 1, 0, "t");
  GadgetStats st;
  ntk.add_output_bus(staircase(ntk, lf, [&](int64_t v) { return table.lookup(v); }, out, &st));
  EXPECT_LE(st.depth, 2u);
  Batch batch(2);
  for (int64_t x = op.min_raw(); x <= op.max_raw(); ++x)
    for (int64_t y = op.min_raw(); y <= op.max_raw(); ++y)
      batch.add({x, y}, table.lookup(x + y));
  check_batch(ntk, batch, 0, 3000);
}

TEST(GadgetSelect, FunctionOfRoundedLinearForm) {
  // f(round(S)) with the rounding folded into the thresholds: S = 3a - 5b/2 + 1/4 for Q(8,4) operands
  // (every pair), rounded half to even and saturated to the table format Q(8,3), then sigmoid.
  Format op(8, 4), table_in(8, 3), out(8, 7);
  const numerics::Table& table = numerics::Table::get(numerics::UnaryFn::sigmoid, table_in, out);
  {
    Network ntk;
    Bus a = ntk.create_input_bus("a", op);
    Bus b = ntk.create_input_bus("b", op);
    LinearForm lf;
    lf.frac = 5;
    lf.constant = 8;  // 1/4
    append_bus_terms(lf, a, 3, 1, "t");
    append_bus_terms(lf, b, -5, 0, "t");
    GadgetStats st;
    ntk.add_output_bus(function_of_linear_form(ntk, lf, table_in, [&](int64_t v) { return table.lookup(v); }, out, &st));
    EXPECT_LE(st.depth, 2u);
    std::vector<numerics::Rational> c{numerics::Rational(3), numerics::Rational(-5, 2)};
    Batch batch(2);
    for (int64_t x = op.min_raw(); x <= op.max_raw(); ++x)
      for (int64_t y = op.min_raw(); y <= op.max_raw(); ++y) {
        numerics::Fixed t[2] = {fx(x, op), fx(y, op)};
        int64_t r = numerics::linear_form(numerics::Rational(1, 4), c, t, table_in).raw;
        batch.add({x, y}, table.lookup(r));
      }
    check_batch(ntk, batch, 0, 3000);
  }
  // A 64-term form (a linear layer's neuron) feeding tanh at depth 2, random inputs.
  std::mt19937_64 rng(64);
  Format in(8, 4), tin(12, 6), tout(8, 6);
  const numerics::Table& th = numerics::Table::get(numerics::UnaryFn::tanh, tin, tout);
  Network ntk;
  std::vector<Bus> xs;
  LinearForm lf;
  lf.frac = 4 + 7;
  std::vector<numerics::Fixed> cw;
  for (int i = 0; i < 64; ++i) {
    xs.push_back(ntk.create_input_bus(fmt::format("x{}", i), in));
    int64_t w = int64_t(rng() % 255) - 127;
    cw.push_back(fx(w, Format(8, 7)));
    append_bus_terms(lf, xs.back(), w, 0, "t");
  }
  GadgetStats st;
  ntk.add_output_bus(function_of_linear_form(ntk, lf, tin, [&](int64_t v) { return th.lookup(v); }, tout, &st));
  EXPECT_EQ(st.depth, 2u);
  Batch batch(64);
  for (size_t i = 0; i < case_count(20000, 200000); ++i) {
    std::vector<int64_t> raw;
    std::vector<numerics::Fixed> t;
    for (int j = 0; j < 64; ++j) raw.push_back(random_raw(rng, in) / int64_t(rng() % 4 + 1)), t.push_back(fx(raw.back(), in));
    int64_t r = numerics::dot(cw, t, tin).raw;
    batch.add(raw, th.lookup(r));  // the table itself is checked against MPFR in tests/numerics
  }
  check_batch(ntk, batch, 0, 100);
}

TEST(GadgetSelect, UnaryTableAllInputs) {
  // Every 12-bit input of GELU straight from MPFR (numerics::correctly_rounded).
  Format in(12, 8), out(8, 4);
  Network ntk;
  Bus x = ntk.create_input_bus("x", in);
  GadgetStats st;
  ntk.add_output_bus(unary_table(ntk, x, numerics::UnaryFn::gelu_tanh, out, &st));
  EXPECT_LE(st.depth, 2u);
  Batch batch(1);
  for (int64_t v = in.min_raw(); v <= in.max_raw(); ++v)
    batch.add({v}, numerics::correctly_rounded(numerics::UnaryFn::gelu_tanh, v, in, out));
  check_batch(ntk, batch, 0, 4096);
  Bus wide = ntk.create_input_bus("w", Format(17, 8));
  EXPECT_THROW(unary_table(ntk, wide, numerics::UnaryFn::exp, out), CircuitError);
}

TEST(GadgetSelect, StaircaseRefusesWideInputsAndBadValues) {
  Network ntk;
  Bus x = ntk.create_input_bus("x", Format(17, 0));
  EXPECT_THROW(function_of_bus(ntk, x, [](int64_t v) { return v; }, Format(17, 0)), CircuitError);
  Bus y = ntk.create_input_bus("y", Format(8, 0));
  EXPECT_THROW(function_of_bus(ntk, y, [](int64_t v) { return v * 4; }, Format(8, 0)), CircuitError);
  std::vector<Bus> mixed{y, ntk.create_input_bus("z", Format(8, 1))};
  EXPECT_THROW(max_argmax(ntk, mixed), CircuitError);
  EXPECT_THROW(max_argmax(ntk, std::vector<Bus>{}), CircuitError);
}

}  // namespace
}  // namespace tc0::circuits
