#pragma once
// Helpers for gadget tests: build a network around a gadget and compare its outputs with the
// fixed-point semantics of numerics/ (the independent specification) on chosen raw inputs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

#include "circuits/network.hpp"
#include "circuits/reference_eval.hpp"
#include "circuits/sim/bitsim.hpp"
#include "numerics/fixed.hpp"

namespace tc0::circuits::testing {

// Random case counts: the default suite (also run under sanitizers) uses `normal`; the `slow`-labelled
// rerun of the same binary sets TC0_SLOW=1 and uses `slow`.
inline size_t case_count(size_t normal, size_t slow) {
  const char* e = std::getenv("TC0_SLOW");
  return e && e[0] == '1' ? slow : normal;
}

inline numerics::Fixed fx(int64_t raw, numerics::Format f) { return numerics::Fixed::from_raw(raw, f); }

// Uniform raw value of a format, plus a bias towards the corners (min, max, 0, +-1) one time in 8.
inline int64_t random_raw(std::mt19937_64& rng, numerics::Format f) {
  static const int64_t corners[] = {0, 1, -1};
  if (rng() % 8 == 0) {
    switch (rng() % 5) {
      case 0: return f.min_raw();
      case 1: return f.max_raw();
      default: return corners[rng() % 3];
    }
  }
  uint64_t u = rng();
  int w = f.width();
  if (w < 64) u &= (uint64_t(1) << w) - 1;
  int64_t v = int64_t(u);
  if (w < 64 && (u >> (w - 1) & 1)) v -= int64_t(1) << w;
  return v;
}

// Runs the network on input bus values and compares output bus 0 with `expected`; stops after a
// few mismatches and reports the first ones with their inputs.
struct Checker {
  const Network& ntk;
  int failures = 0;
  uint64_t cases = 0;

  void check(const std::vector<int64_t>& in, int64_t expected, size_t out_bus = 0) {
    ++cases;
    int64_t got = evaluate_buses(ntk, in)[out_bus];
    if (got != expected && ++failures <= 5) {
      std::string s;
      for (int64_t v : in) s += std::to_string(v) + " ";
      ADD_FAILURE() << "inputs [" << s << "] expected " << expected << " got " << got;
    }
  }
};

// A batch of cases: inputs[port][case] and the expected raw value of output bus `out_bus` per case.
// Runs the bit-parallel simulator on all of them and the scalar reference evaluator on the first
// `scalar_cases` (so both simulators are held to the fixed-point semantics).
struct Batch {
  std::vector<std::vector<int64_t>> inputs;
  std::vector<int64_t> expected;

  explicit Batch(size_t ports) : inputs(ports) {}
  void add(const std::vector<int64_t>& in, int64_t want) {
    for (size_t p = 0; p < inputs.size(); ++p) inputs[p].push_back(in[p]);
    expected.push_back(want);
  }
  size_t size() const { return expected.size(); }
};

inline void check_batch(const Network& ntk, const Batch& b, size_t out_bus = 0, size_t scalar_cases = 300) {
  sim::BitSimulator simulator(ntk);
  auto got = simulator.run(b.inputs);
  int failures = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (got[out_bus][i] == b.expected[i]) continue;
    if (++failures > 5) break;
    std::string s;
    for (const auto& port : b.inputs) s += std::to_string(port[i]) + " ";
    ADD_FAILURE() << "case " << i << ": inputs [" << s << "] expected " << b.expected[i] << " got " << got[out_bus][i];
  }
  Checker chk{ntk};
  for (size_t i = 0; i < std::min(scalar_cases, b.size()); ++i) {
    std::vector<int64_t> in;
    for (const auto& port : b.inputs) in.push_back(port[i]);
    chk.check(in, b.expected[i], out_bus);
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(chk.failures, 0);
}

}  // namespace tc0::circuits::testing
