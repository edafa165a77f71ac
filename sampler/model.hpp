#pragma once
// A loaded model: the validated config and every weight tensor as Const (float value and its
// quantisation to the tensor's format). Loading checks that the weights file holds exactly the
// tensors the architecture expects, with the expected shapes.
#include <map>
#include <span>
#include <string>
#include <vector>

#include "sampler/config.hpp"

namespace tc0::sampler {

struct WeightTensor {
  std::string name;
  std::vector<int64_t> shape;
  Format fmt{8, 0};
  std::vector<Const> data;  // row-major

  // Row i of a 2-D tensor (a linear layer's output i).
  std::span<const Const> row(size_t i) const;
  const Const& at(size_t i) const { return data.at(i); }
};

class Model {
 public:
  // Loads DIR/config.json and DIR/weights.safetensors.
  static Model load(const std::string& dir);
  // The same from memory (used by the fuzz harness); `where` names the source in messages.
  static Model from_memory(const std::string& config_json, std::span<const uint8_t> safetensors,
                           const std::string& where);
  // A model from a config and float weights (tests: randomly initialised models).
  static Model from_tensors(ModelConfig cfg, const std::map<std::string, TensorData>& tensors, const std::string& where);

  const ModelConfig& config() const { return cfg_; }
  const WeightTensor& weight(const std::string& name) const;
  Format act(const std::string& name) const;
  const std::string& source() const { return source_; }

 private:
  ModelConfig cfg_;
  std::map<std::string, WeightTensor> weights_;
  std::string source_;
};

}  // namespace tc0::sampler
