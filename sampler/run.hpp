#pragma once
// Batch driver of the samplers for the command line and the golden tests: quantised portable noise
// for `count` samples, then the chosen sampler in float64, MPFR or fixed point (samples in
// parallel with OpenMP; each sample's bits do not depend on the thread count).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sampler/approx_attention.hpp"
#include "sampler/model.hpp"

namespace tc0::sampler {

enum class NumberType { float64, mpfr, fixed };
NumberType number_type_from_name(const std::string& s);  // throws std::invalid_argument
std::string name(NumberType t);

struct SampleRequest {
  SamplerSpec spec;
  NumberType type = NumberType::fixed;
  int precision = 128;            // MPFR bits
  bool quantised_weights = false; // float64/MPFR computing with the fixed-point weights
  uint64_t seed = 0;
  size_t count = 1;
  // float64/MPFR on a DiT only: every attention head by the polynomial method (approx_attention.hpp)
  // instead of the softmax of the graph. Refused for fixed point, whose contract has no approximation.
  std::optional<ApproxAttentionSetting> approx_attention;
};

struct SampleResult {
  std::vector<std::vector<double>> values;    // [count][dim]
  std::vector<std::vector<int64_t>> raw;      // fixed only: the state's raw integers
  std::vector<std::vector<int64_t>> noise_raw;
  uint64_t saturations = 0;                   // fixed only: saturation events over all samples
  double seconds = 0;
  std::optional<ApproxAttentionStats> approx_attention;  // with req.approx_attention: what the head calls used
};

// The model's configured sampler with kind and/or step count replaced (a new step count takes the
// uniform grid).
SamplerSpec sampler_spec(const Model& m, const std::string& kind_override, int steps_override);

SampleResult run_sampler(const Model& m, const SampleRequest& req);

}  // namespace tc0::sampler
