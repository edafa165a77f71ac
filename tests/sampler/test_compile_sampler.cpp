// The traced sampler circuit against the Fixed sampler, bit for bit (SPEC section 2: the fixed-point
// model is the circuit's specification). Small randomly initialised models of the shipped
// architectures (DiT and MLP) compiled as MF1, MF2 and Euler-K; half of the inputs are quantised
// noise from the portable generator, half uniformly random bit patterns of the state format.
// A circuit compiled from another model must be caught, with the first diverging operation named.
#include <gtest/gtest.h>

#include <cstdlib>

#include "random_model.hpp"
#include "sampler/compile/equivalence.hpp"
#include "sampler/compile/trace.hpp"

using namespace tc0::sampler;
using namespace tc0::sampler::compile;

namespace {

#ifndef TC0_EQUIV_COUNT_DEFAULT
#define TC0_EQUIV_COUNT_DEFAULT 1000  // the slow build of this file raises it to 10^5
#endif

size_t count_from_env() {
  const char* s = std::getenv("TC0_EQUIV_COUNT");
  return s ? size_t(std::strtoull(s, nullptr, 10)) : size_t(TC0_EQUIV_COUNT_DEFAULT);
}

void expect_equivalent(const Model& m, SamplerKind kind, int steps, size_t count, uint64_t seed) {
  SamplerSpec spec = make_spec(m, kind, steps);
  auto ntk = compile_sampler(m, spec);
  EquivalenceOptions o;
  o.count = count;
  o.seed = seed;
  auto r = check_equivalence(m, spec, ntk, o);
  EXPECT_EQ(r.compared, count);
  EXPECT_EQ(r.noise_inputs, count / 2);
  EXPECT_EQ(r.mismatches, 0u) << name(kind) << "-" << steps << ": " << (r.first ? r.first->describe() : "");
  std::printf("%s %s-%d: gates %u edges %llu, %zu inputs, 0 mismatches expected, %zu found\n",
              m.config().architecture == Architecture::dit ? "dit" : "mlp", name(kind).c_str(), steps, ntk.num_gates(),
              (unsigned long long)ntk.num_edges(), r.compared, r.mismatches);
}

}  // namespace

TEST(CompileSampler, DitMf2OneStep) {
  Model m = tc0::sampler::testing::random_model("dit", 11, 8);
  expect_equivalent(m, SamplerKind::mf2, 1, count_from_env(), 5);
}

TEST(CompileSampler, DitMf1AndEulerTwoSteps) {
  Model m = tc0::sampler::testing::random_model("dit", 12, 8);
  expect_equivalent(m, SamplerKind::mf1, 1, count_from_env(), 6);
  expect_equivalent(m, SamplerKind::euler, 2, count_from_env(), 7);
}

TEST(CompileSampler, MlpEveryKindIncludingANonDyadicGrid) {
  Model m = tc0::sampler::testing::random_model("mlp", 13, 10);
  expect_equivalent(m, SamplerKind::mf2, 2, count_from_env(), 8);
  expect_equivalent(m, SamplerKind::mf1, 1, count_from_env(), 9);
  expect_equivalent(m, SamplerKind::euler, 3, count_from_env(), 10);  // t - r = 1/3
}

TEST(CompileSampler, CircuitOfAnotherModelIsCaught) {
  Model m = tc0::sampler::testing::random_model("mlp", 14, 10);
  Model other = tc0::sampler::testing::random_model("mlp", 15, 10);
  SamplerSpec spec = make_spec(m, SamplerKind::mf1, 1);
  auto ntk = compile_sampler(other, spec);
  EquivalenceOptions o;
  o.count = 200;
  auto r = check_equivalence(m, spec, ntk, o);
  ASSERT_GT(r.mismatches, 0u);
  ASSERT_TRUE(r.first.has_value());
  EXPECT_NE(r.first->describe().find("circuit"), std::string::npos);
}

TEST(CompileSampler, InjectedFaultIsLocatedAtItsOperation) {
  Model m = tc0::sampler::testing::random_model("dit", 16, 8);
  SamplerSpec spec = make_spec(m, SamplerKind::mf2, 1);
  int located = 0;
  for (long fault : {0L, 400L}) {
    EquivalenceOptions o;
    o.count = 256;
    o.compile.fault_op = fault;
    auto ntk = compile_sampler(m, spec, o.compile);
    auto r = check_equivalence(m, spec, ntk, o);
    if (r.mismatches == 0) continue;  // a flipped low bit may be rounded away downstream
    ASSERT_TRUE(r.first.has_value());
    EXPECT_EQ(r.first->op_index, fault) << r.first->describe();
    EXPECT_NE(r.first->op_module.find("step0/"), std::string::npos) << r.first->op_module;
    EXPECT_NE(r.first->describe().find("first diverging operation #" + std::to_string(fault)), std::string::npos);
    ++located;
  }
  EXPECT_GT(located, 0) << "no injected fault reached an output";
}
