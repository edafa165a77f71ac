// The exhaustive last layer of linear-form proofs (proofs/final_form_exhaustive.hpp): a linear form
// built by the gadget over 22 wires is proved for all 2^22 assignments against a specification
// written here from the weights; a wrong specification and a mutated gate are refuted with a
// counterexample that a separate simulation reproduces.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

#include "circuits/gadgets/linear_form.hpp"
#include "numerics/rounding.hpp"
#include "proofs/circuit_edit.hpp"
#include "proofs/exhaustive.hpp"
#include "proofs/final_form_exhaustive.hpp"

using namespace tc0;
using namespace tc0::proofs;
using circuits::Signal;
using circuits::Weight;

namespace {

constexpr int kWires = 22;

struct Form {
  circuits::Network ntk;
  LinearFormSpec spec;
  std::vector<uint32_t> gates;
};

// A rounded, saturating linear form with seeded signed weights over kWires inputs.
Form make_form(uint64_t seed, int depth_budget) {
  Form f;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> weight(-300, 300);
  circuits::gadgets::LinearForm lf;
  lf.constant = weight(rng);
  lf.frac = 3;
  for (int t = 0; t < kWires; ++t) {
    const Signal x = f.ntk.create_input(fmt::format("x{}", t));
    const Weight w = weight(rng);
    lf.terms.push_back({x, w});
    f.spec.terms.push_back(SpecTerm{x.index(), BigInt(static_cast<long long>(w))});
  }
  f.spec.constant = BigInt(static_cast<long long>(lf.constant));
  f.spec.frac = lf.frac;
  f.spec.out = numerics::Format(8, 0);  // narrow enough to saturate on part of the range
  circuits::gadgets::LinearFormParams ps;
  ps.depth_budget = depth_budget;
  f.ntk.add_output_bus(circuits::gadgets::linear_form_bus(f.ntk, lf, f.spec.out, ps));
  for (uint32_t g = 0; g < f.ntk.num_gates(); ++g) f.gates.push_back(f.ntk.gate_node(g));
  return f;
}

// The network's output on one assignment (bit t of the assignment = input t), simulated on its own.
int64_t simulate(const circuits::Network& ntk, const std::vector<uint8_t>& x) {
  const auto& out = ntk.output_buses().at(0);
  WordSimulator sim(ntk, out.bits);
  std::vector<std::vector<uint64_t>> in;
  for (uint8_t b : x) in.push_back({b ? 1ull : 0ull});
  const auto got = sim.run(in);
  uint64_t raw = 0;
  for (size_t i = 0; i < got.size(); ++i) raw |= (got[i][0] & 1) << i;
  const int w = int(out.bits.size());
  return int64_t(raw << (64 - w)) >> (64 - w);
}

int64_t spec_value(const LinearFormSpec& s, const std::vector<uint8_t>& x) {
  BigInt S = s.constant;
  for (size_t t = 0; t < x.size(); ++t)
    if (x[t]) S += s.terms[t].weight;
  return numerics::round_to_format(S, s.frac, s.out);
}

}  // namespace

TEST(FinalForm, GadgetFormIsProvedForEveryAssignment) {
  for (int budget : {2, 4}) {
    const Form f = make_form(7, budget);
    const FinalFormCheck c = final_form_exhaustive(f.ntk, f.ntk.output_buses().at(0), f.gates, f.spec);
    EXPECT_TRUE(c.proved) << "budget " << budget << ": " << c.why;
    EXPECT_EQ(c.assignments, uint64_t(1) << kWires);
  }
}

TEST(FinalForm, WrongSpecificationIsRefuted) {
  Form f = make_form(8, 2);
  f.spec.constant += 1;  // 1/8 more: some assignment rounds differently
  const FinalFormCheck c = final_form_exhaustive(f.ntk, f.ntk.output_buses().at(0), f.gates, f.spec);
  ASSERT_FALSE(c.proved);
  ASSERT_EQ(c.counterexample.size(), size_t(kWires)) << c.why;
  EXPECT_NE(simulate(f.ntk, c.counterexample), spec_value(f.spec, c.counterexample));
}

TEST(FinalForm, MutatedGateIsRefuted) {
  const Form f = make_form(9, 2);
  // the gate of output bit 0, its threshold raised by one
  const Signal b0 = f.ntk.output_buses().at(0).bits.at(0);
  ASSERT_TRUE(f.ntk.is_gate(b0.index()));
  const circuits::GateView gv = f.ntk.gate(f.ntk.gate_index(b0.index()));
  CircuitEdit e;
  e.gate = CircuitEdit::Gate{f.ntk.gate_index(b0.index()), {gv.fanins.begin(), gv.fanins.end()}, {}, gv.theta + 1};
  for (size_t i = 0; i < gv.size(); ++i) e.gate->weights.push_back(gv.weight(i));
  const circuits::Network bad = copy_with_edit(f.ntk, e);
  std::vector<uint32_t> gates;
  for (uint32_t g = 0; g < bad.num_gates(); ++g) gates.push_back(bad.gate_node(g));
  const FinalFormCheck c = final_form_exhaustive(bad, bad.output_buses().at(0), gates, f.spec);
  ASSERT_FALSE(c.proved);
  ASSERT_EQ(c.counterexample.size(), size_t(kWires)) << c.why;
  EXPECT_NE(simulate(bad, c.counterexample), spec_value(f.spec, c.counterexample));
  EXPECT_EQ(simulate(f.ntk, c.counterexample), spec_value(f.spec, c.counterexample));  // the original is right there
}

TEST(FinalForm, RefusesWhatItCannotEnumerate) {
  Form f = make_form(10, 2);
  while (f.spec.terms.size() <= size_t(kMaxFinalFormWires)) f.spec.terms.push_back(SpecTerm{0, BigInt(1)});
  const FinalFormCheck c = final_form_exhaustive(f.ntk, f.ntk.output_buses().at(0), f.gates, f.spec);
  EXPECT_FALSE(c.proved);
  EXPECT_TRUE(c.counterexample.empty());
  EXPECT_NE(c.why.find("more than"), std::string::npos) << c.why;
}

TEST(FinalForm, SamplingFindsWhatEnumerationFinds) {
  Form f = make_form(11, 4);
  const circuits::Bus& out = f.ntk.output_buses().at(0);
  const FinalFormCheck ok = final_form_sampled(f.ntk, out, f.gates, f.spec, 256, 1);
  EXPECT_FALSE(ok.proved);  // sampling never proves
  EXPECT_TRUE(ok.counterexample.empty()) << ok.why;
  EXPECT_EQ(ok.assignments, 256u * 64u);
  f.spec.constant += 4;  // half a unit more: every tie and many near-ties round differently
  const FinalFormCheck bad = final_form_sampled(f.ntk, out, f.gates, f.spec, 256, 1);
  ASSERT_EQ(bad.counterexample.size(), size_t(kWires)) << bad.why;
  EXPECT_NE(simulate(f.ntk, bad.counterexample), spec_value(f.spec, bad.counterexample));
}

