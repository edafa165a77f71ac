#pragma once
// Helpers of the translation-validation tests: a random model compiled with its re-traced graph, and
// the check that every operation of it is proved (with the time per kind and method printed).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "../sampler/random_model.hpp"
#include "proofs/translation.hpp"
#include "sampler/compile/trace.hpp"

namespace tc0::proofs::testing {

using sampler::SamplerKind;

struct Compiled {
  sampler::Model m;
  SamplerGraph g;
  circuits::Network ntk;
};

inline Compiled compile(const std::string& arch, uint64_t seed, int act_bits, SamplerKind kind, int steps) {
  sampler::Model m = sampler::testing::random_model(arch, seed, act_bits);
  const sampler::SamplerSpec spec = sampler::compile::make_spec(m, kind, steps);
  SamplerGraph g = trace_op_graph(m, spec);
  circuits::Network ntk = sampler::compile::compile_sampler(m, spec);
  return {std::move(m), std::move(g), std::move(ntk)};
}

inline VerifyOptions quick() {
  VerifyOptions o;
  o.proof.query.timeout_ms = 30000;
  return o;
}

inline void expect_all_proved(const Compiled& c, const std::string& what) {
  const VerifyReport r = verify_circuit(c.ntk, c.g, quick());
  ASSERT_TRUE(r.structure.ok) << what << ": " << r.structure.error;
  EXPECT_EQ(r.structure.ops, c.g.ops.size());
  EXPECT_EQ(r.structure.gates, c.ntk.num_gates());
  EXPECT_LE(r.classes.size(), c.g.ops.size());
  for (const OpClass& cl : r.classes)
    EXPECT_EQ(cl.proof.verdict, Verdict::proved)
        << what << ": operation " << cl.rep << " (" << c.g.ops[cl.rep].module << ", " << kind_label(c.g.ops[cl.rep])
        << ", " << cl.free_wires << " free wires): " << cl.proof.method << ": " << cl.proof.detail;
  EXPECT_EQ(r.proved, c.g.ops.size()) << what;
  EXPECT_TRUE(r.all_proved()) << what;
  std::map<std::string, std::pair<int, double>> by;
  for (const OpClass& cl : r.classes) {
    auto& e = by[kind_label(c.g.ops[cl.rep]) + " " + cl.proof.method.substr(0, cl.proof.method.find(' '))];
    ++e.first;
    e.second += cl.proof.seconds;
  }
  std::string kinds;
  for (auto& [k, e] : by) kinds += fmt::format("; {} {} classes {:.1f} s", k, e.first, e.second);
  std::printf("%s: %zu operations, %zu classes, %llu proved, %.1f s of proofs%s\n", what.c_str(), c.g.ops.size(),
              r.classes.size(), (unsigned long long)r.proved, r.proof_seconds_sum, kinds.c_str());
}


}  // namespace tc0::proofs::testing
