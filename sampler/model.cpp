#include "sampler/model.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "sampler/layout.hpp"

namespace tc0::sampler {

namespace {
std::string shape_str(const std::vector<int64_t>& s) { return fmt::format("[{}]", fmt::join(s, ", ")); }
}  // namespace

std::span<const Const> WeightTensor::row(size_t i) const {
  size_t cols = shape.size() == 2 ? static_cast<size_t>(shape[1]) : 1;
  if ((i + 1) * cols > data.size()) throw std::out_of_range(fmt::format("{}: row {} out of range", name, i));
  return std::span<const Const>(data).subspan(i * cols, cols);
}

Model Model::from_tensors(ModelConfig cfg, const std::map<std::string, TensorData>& tensors, const std::string& where) {
  Model m;
  m.source_ = where;
  auto expected = expected_weights(cfg);
  for (const auto& [n, t] : tensors)
    if (!expected.count(n))
      throw ModelError(fmt::format("{}: unexpected tensor '{}' (not part of the {} architecture); remove it or fix the config",
                                   where, n, cfg.architecture == Architecture::dit ? "dit" : "mlp"));
  for (const auto& [n, shape] : expected) {
    auto it = tensors.find(n);
    if (it == tensors.end())
      throw ModelError(fmt::format("{}: missing tensor '{}' of shape {} required by the config", where, n, shape_str(shape)));
    if (it->second.shape != shape)
      throw ModelError(fmt::format("{}: tensor '{}' has shape {} but the config implies {}", where, n,
                                   shape_str(it->second.shape), shape_str(shape)));
    WeightTensor w;
    w.name = n;
    w.shape = shape;
    w.fmt = cfg.weight_formats.at(n);
    w.data.reserve(it->second.values.size());
    for (double v : it->second.values) w.data.push_back(Const{v, Fixed::from_double(v, w.fmt)});
    m.weights_.emplace(n, std::move(w));
  }
  m.cfg_ = std::move(cfg);
  return m;
}

Model Model::from_memory(const std::string& config_json, std::span<const uint8_t> safetensors, const std::string& where) {
  ModelConfig cfg = parse_config(config_json, where + "/config.json");
  auto tensors = parse_safetensors(safetensors, where + "/weights.safetensors");
  return from_tensors(std::move(cfg), tensors, where + "/weights.safetensors");
}

Model Model::load(const std::string& dir) {
  std::error_code ec;
  const auto st = std::filesystem::status(dir, ec);
  if (!std::filesystem::exists(st))
    throw ModelError(fmt::format("model directory '{}' does not exist (a model directory holds config.json and "
                                 "weights.safetensors)", dir));
  if (!std::filesystem::is_directory(st))
    throw ModelError(fmt::format("'{}' is not a model directory (a folder holding config.json and weights.safetensors)", dir));
  auto cj = read_file_bytes(dir + "/config.json", "model config", kMaxConfigFileBytes);
  auto weights = read_file_bytes(dir + "/weights.safetensors", "model weights", kMaxWeightsFileBytes);
  return from_memory(std::string(cj.begin(), cj.end()), weights, dir);
}

const WeightTensor& Model::weight(const std::string& name) const {
  auto it = weights_.find(name);
  if (it == weights_.end()) throw std::out_of_range(fmt::format("model has no weight tensor '{}'", name));
  return it->second;
}

Format Model::act(const std::string& name) const {
  auto it = cfg_.activation_formats.find(name);
  if (it == cfg_.activation_formats.end()) throw std::out_of_range(fmt::format("model has no activation format '{}'", name));
  return it->second;
}

}  // namespace tc0::sampler
