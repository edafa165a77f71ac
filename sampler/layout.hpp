#pragma once
// The tensors an architecture expects: weight names with their shapes, and activation names with
// whether the activation feeds a table function (and so must be at most 16 bits wide). One list
// serves the loader's checks, the exporter's contract and the README's operation graph.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tc0::sampler {

struct ModelConfig;

struct ActivationInfo {
  bool table_input = false;  // feeds a unary table: width <= 16
};

std::map<std::string, std::vector<int64_t>> expected_weights(const ModelConfig& cfg);
std::map<std::string, ActivationInfo> expected_activations(const ModelConfig& cfg);

}  // namespace tc0::sampler
