#pragma once
// Randomly initialised DiT models of any size for the size/depth sweeps (tc0flow sweep, the
// benchmark): the shipped architecture with uniform formats (activations Q(bits, bits-6), weights
// Q(8,7), state Q(bits, bits-4)), built through the same validating loader as shipped models.
#include <cstdint>

#include "sampler/model.hpp"

namespace tc0::sampler::compile {

struct RandomDitSpec {
  int image_size = 4, patch = 1, width = 8, depth = 1, heads = 2, act_bits = 8;
  uint64_t seed = 1;
  int tokens() const { return (image_size / patch) * (image_size / patch); }
};

Model random_dit(const RandomDitSpec& s);

}  // namespace tc0::sampler::compile
