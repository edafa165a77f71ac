#pragma once
// Helpers for gadget tests: build a network around a gadget and compare its outputs with the
// fixed-point semantics of numerics/ (the independent specification) on chosen raw inputs.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "circuits/network.hpp"
#include "circuits/reference_eval.hpp"
#include "numerics/fixed.hpp"

namespace tc0::circuits::testing {

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

}  // namespace tc0::circuits::testing
