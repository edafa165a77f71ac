// No wrap-around over a whole model's sampler (proofs/model_nowrap.hpp): the shipped 2-D model and a
// random DiT are proved for the Fixed type's 128-bit accumulator; a declared width one bit below
// the widest accumulator needed is refuted; and the proved output intervals hold every value the
// fixed-point sampler computes on random and extreme noise (the sampler itself is the independent
// reference: exact arithmetic, Recording<FixedArith>).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "numerics/rounding.hpp"
#include "proofs/model_nowrap.hpp"
#include "sampler/arith_fixed.hpp"
#include "sampler/compile/architecture.hpp"
#include "sampler/model.hpp"
#include "sampler/noise.hpp"
#include "sampler/recording.hpp"
#include "sampler/samplers.hpp"

using namespace tc0;
using namespace tc0::proofs;
using sampler::Model;

namespace {

// Noise vectors within the clipped range: seeded Gaussian draws, then the extremes (all at +clip,
// all at -clip, alternating) that drive linear forms towards their interval ends.
std::vector<std::vector<numerics::Fixed>> noise_set(const Model& m, size_t random_count) {
  const numerics::Format f = m.act("state");
  const size_t dim = size_t(m.config().data_dim);
  std::vector<std::vector<numerics::Fixed>> out;
  for (size_t s = 0; s < random_count; ++s) out.push_back(sampler::gaussian_noise(100 + s, dim, f, m.config().noise_clip));
  const numerics::Fixed hi{numerics::round_to_format(m.config().noise_clip, f), f};
  const numerics::Fixed lo{numerics::round_to_format(-m.config().noise_clip, f), f};
  out.emplace_back(dim, hi);
  out.emplace_back(dim, lo);
  std::vector<numerics::Fixed> alt(dim, hi);
  for (size_t i = 1; i < dim; i += 2) alt[i] = lo;
  out.push_back(alt);
  return out;
}

// Every value the fixed-point sampler observes lies in its tensor's proved interval.
void expect_values_inside(const Model& m, const ModelNoWrapReport& r, size_t random_count) {
  std::map<std::string, const TensorNoWrap*> by_name;
  for (const TensorNoWrap& t : r.tensors) by_name[t.name] = &t;
  size_t checked = 0;
  for (const auto& e : noise_set(m, random_count)) {
    sampler::Recording<sampler::FixedArith> rec{sampler::FixedArith()};
    sampler::sample(rec, m, m.config().sampler, e);
    ASSERT_EQ(rec.unobserved(), 0u);
    for (const auto& t : rec.tensors()) {
      auto it = by_name.find(t.name);
      ASSERT_NE(it, by_name.end()) << "tensor " << t.name << " missing from the no-wrap report";
      for (const auto& v : t.values) {
        const double x = v.to_double();
        ASSERT_GE(x, it->second->out_lo) << t.name;
        ASSERT_LE(x, it->second->out_hi) << t.name;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0u);
}

ModelNoWrapReport check(const Model& m, int acc_bits) {
  ModelNoWrapOptions o;
  o.acc_bits = acc_bits;
  return check_model_no_wrap(m, o);
}

}  // namespace

TEST(ModelNoWrap, MoonsProvedAndSamplerValuesInsideIntervals) {
  const Model m = Model::load("sampler/models/moons_mf2");
  const ModelNoWrapReport r = check(m, 128);
  EXPECT_EQ(r.verdict(), Verdict::proved);
  EXPECT_EQ(r.refuted + r.inconclusive, 0u);
  EXPECT_GT(r.steps, 100u);
  EXPECT_GT(r.max_needed_bits, 8);
  EXPECT_LE(r.max_needed_bits, 128);
  expect_values_inside(m, r, 64);
}

TEST(ModelNoWrap, RandomDitProvedAndSamplerValuesInsideIntervals) {
  sampler::compile::ArchitectureSpec s;
  s.image_size = 2;
  s.width = 4;
  s.heads = 1;
  s.seed = 7;
  const Model m = sampler::compile::random_model(s);
  const ModelNoWrapReport r = check(m, 128);
  EXPECT_EQ(r.verdict(), Verdict::proved);
  bool saw_softmax = false;
  for (const TensorNoWrap& t : r.tensors) saw_softmax |= t.name.find("attn.den") != std::string::npos;
  EXPECT_TRUE(saw_softmax) << "the random DiT's attention was not analysed";
  expect_values_inside(m, r, 16);
}

TEST(ModelNoWrap, OneBitBelowTheWidestAccumulatorIsRefuted) {
  const Model m = Model::load("sampler/models/moons_mf2");
  const int need = check(m, 128).max_needed_bits;
  const ModelNoWrapReport exact = check(m, need);
  EXPECT_EQ(exact.verdict(), Verdict::proved);
  const ModelNoWrapReport narrow = check(m, need - 1);
  EXPECT_EQ(narrow.verdict(), Verdict::refuted);
  EXPECT_GT(narrow.refuted, 0u);
}
