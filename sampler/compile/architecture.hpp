#pragma once
// Architectures without weights, for sizing circuits (tc0flow bounds, the benchmarks, tests): a DiT
// or MLP shape, uniform formats (activations Q(b, b-6), the state Q(s, s-4), weights Q(w, w-1)) and
// seeded random weights, built into a Model through the same validating loader as shipped models.
// The weights change which operations are distinct but not the construction's shape; the bounds
// output says that the weights are random and which seed made them.
//
// The architecture file of `tc0flow bounds --arch FILE` is a JSON object with these fields (all
// optional, defaults below): {"architecture": "dit"|"mlp", "image_size", "channels", "patch",
// "width", "heads", "mlp_ratio", "blocks", "activation": "silu"|"gelu", "mlp_width", "mlp_depth",
// "data_dim", "act_bits", "weight_bits", "state_bits", "seed", "constant_folding": "exact"|"output_grid"}.
#include <cstdint>
#include <string>

#include "sampler/model.hpp"

namespace tc0::sampler::compile {

struct ArchitectureSpec {
  Architecture architecture = Architecture::dit;
  // DiT: tokens = (image_size / patch)^2, data dim = channels * image_size^2
  int image_size = 4, channels = 1, patch = 1, width = 8, depth = 1, heads = 2, mlp_ratio = 2;
  // MLP
  int mlp_width = 16, mlp_depth = 2, data_dim = 2;
  UnaryFn activation = UnaryFn::silu;
  int act_bits = 8, weight_bits = 8, state_bits = 0;  // state_bits 0: act_bits
  uint64_t seed = 1;
  ConstantFolding constant_folding = ConstantFolding::exact;  // the config field of the same name

  int tokens() const { return (image_size / patch) * (image_size / patch); }
};

// The model of an architecture with seeded random weights (ModelError on a bad shape).
Model random_model(const ArchitectureSpec& s);

// Reads an architecture file's JSON text (one clear ModelError naming the field on bad input).
ArchitectureSpec parse_architecture(const std::string& text, const std::string& where);
// The spec as JSON (the same fields), for reports.
nlohmann::json architecture_json(const ArchitectureSpec& s);

}  // namespace tc0::sampler::compile
