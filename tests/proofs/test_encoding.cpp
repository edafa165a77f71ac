// The two encoders against independent references: the bit-vector rounding (fixed_spec) against
// numerics::round_to_format, exhaustively for small widths and randomly for wide ones, and the
// circuit encoding against the scalar reference evaluator on random networks.
#include <gtest/gtest.h>

#include <random>

#include "circuits/reference_eval.hpp"
#include "circuits/sim/bitsim.hpp"
#include "circuits/sim/random_network.hpp"
#include "numerics/fixed.hpp"
#include "proofs/circuit_encoding.hpp"
#include "proofs/fixed_spec.hpp"

using namespace tc0;
using namespace tc0::proofs;

namespace {

// A closed term simplifies to a numeral: read it as a signed value.
int64_t eval_signed(z3::context&, const z3::expr& e) {
  z3::expr v = e.simplify();
  numerics::BigInt u(v.get_decimal_string(0));
  unsigned w = width_of(e);
  if (u >= (numerics::BigInt(1) << (w - 1))) u -= numerics::BigInt(1) << w;
  return static_cast<int64_t>(u);
}

}  // namespace

TEST(FixedSpec, RoundingExhaustiveSmall) {
  // Every 9-bit exact value, every shift 0..6 and output width 2..6: matches numerics bit for bit.
  z3::context c;
  int cases = 0;
  for (int frac = 0; frac <= 6; ++frac)
    for (int ow = 2; ow <= 6; ++ow)
      for (int of : {0, 1, -1})
        for (int64_t n = -256; n < 256; n += 3) {
          numerics::Format out(ow, of);
          ExactBV e{bv_num(c, n, 9), frac};
          int64_t got = eval_signed(c, round_to_format(e, out));
          int64_t want = numerics::round_to_format(numerics::BigInt(n), frac, out);
          ASSERT_EQ(got, want) << "n=" << n << " frac=" << frac << " out=" << out.str();
          ++cases;
        }
  EXPECT_GT(cases, 10000);
}

TEST(FixedSpec, RoundingRandomWide) {
  z3::context c;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 3000; ++i) {
    int w = 20 + int(rng() % 90);
    numerics::BigInt n = numerics::BigInt(rng()) << (w - 64 > 0 ? w - 64 : 0);
    n = n % (numerics::BigInt(1) << (w - 1));
    if (rng() & 1) n = -n;
    int frac = int(rng() % 70);
    numerics::Format out(2 + int(rng() % 40), int(rng() % 40) - 5);
    ExactBV e{bv_num(c, n, unsigned(w)), frac};
    int64_t got = eval_signed(c, round_to_format(e, out));
    ASSERT_EQ(got, numerics::round_to_format(n, frac, out)) << n.str() << " frac " << frac << " " << out.str();
  }
}

TEST(FixedSpec, ExactOpsMatchRationals) {
  z3::context c;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    numerics::Format fa(2 + int(rng() % 20), int(rng() % 12)), fb(2 + int(rng() % 20), int(rng() % 12) - 3);
    int64_t a = fa.min_raw() + int64_t(rng() % uint64_t(fa.max_raw() - fa.min_raw() + 1));
    int64_t b = fb.min_raw() + int64_t(rng() % uint64_t(fb.max_raw() - fb.min_raw() + 1));
    numerics::Fixed x = numerics::Fixed::from_raw(a, fa), y = numerics::Fixed::from_raw(b, fb);
    ExactBV ea = exact_raw(bv_num(c, a, unsigned(fa.width())), fa), eb = exact_raw(bv_num(c, b, unsigned(fb.width())), fb);
    numerics::Format out(12, 4);
    ASSERT_EQ(eval_signed(c, round_to_format(exact_add(ea, eb), out)), numerics::add(x, y, out).raw);
    ASSERT_EQ(eval_signed(c, round_to_format(exact_sub(ea, eb), out)), numerics::sub(x, y, out).raw);
    ASSERT_EQ(eval_signed(c, round_to_format(exact_mul(ea, eb), out)), numerics::mul(x, y, out).raw);
    ASSERT_EQ(eval_signed(c, round_to_format(exact_neg(ea), out)), numerics::neg(x, out).raw);
  }
}

TEST(CircuitEncoding, RandomNetworksMatchReferenceEvaluator) {
  int checked = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    circuits::sim::RandomNetworkParams ps;
    ps.gates = 60;
    ps.seed = seed;
    circuits::Network ntk = circuits::sim::random_network(ps);
    auto ports = circuits::sim::input_ports(ntk);
    std::mt19937_64 rng(seed);
    for (int t = 0; t < 5; ++t) {
      z3::context c;
      std::vector<int64_t> values;
      std::vector<z3::expr> pv;
      for (auto& p : ports) {
        int64_t raw = int64_t(rng() & ((uint64_t(1) << p.bits.size()) - 1));
        values.push_back(circuits::sim::wrap_to_bus(raw, p.bits.size(), p.is_signed));
        pv.push_back(bv_num(c, values.back(), unsigned(p.bits.size())));
      }
      CircuitEncoding enc(c, ntk, pv);
      // Reference: the scalar evaluator on the same input bits.
      std::vector<bool> in(ntk.num_inputs(), false);
      for (size_t p = 0; p < ports.size(); ++p)
        for (size_t b = 0; b < ports[p].bits.size(); ++b) {
          circuits::Signal s = ports[p].bits[b];
          in[ntk.input_index(s.index())] = (((uint64_t)values[p] >> b) & 1) != s.complemented();
        }
      std::vector<bool> nodes = circuits::evaluate_nodes(ntk, in);
      auto outs = enc.outputs();
      for (size_t o = 0; o < outs.size(); ++o) {
        const circuits::Bus& b = ntk.output_buses()[o];
        z3::expr v = outs[o].simplify();
        uint64_t bits = std::stoull(v.get_decimal_string(0));
        for (size_t i = 0; i < b.bits.size(); ++i)
          ASSERT_EQ(((bits >> i) & 1) != 0, circuits::signal_value(nodes, b.bits[i])) << "seed " << seed << " bus " << b.name;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}
