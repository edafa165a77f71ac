#pragma once
// Randomly initialised small models for the sampler tests: a config (with one uniform format rule)
// and seeded random weights, built through the same validating loader as shipped models.
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "sampler/layout.hpp"
#include "sampler/model.hpp"
#include "sampler/noise.hpp"
#include "tc0/version.hpp"

namespace tc0::sampler::testing {

inline nlohmann::json random_config_json(const std::string& arch, int act_bits = 16) {
  using nlohmann::json;
  json j = {{"format", "tc0flow-model"},
            {"semantics_version", kSemanticsVersion},
            {"name", "random"},
            {"architecture", arch},
            {"path", "linear"},
            {"time_conditioning", "t_h"},
            {"acceleration", "kinematic"},
            {"time_embedding", {{"freqs", {1.0, 2.0, 3.0}}}},
            {"sampler", {{"kind", "mf2"}, {"steps", 1}, {"c", 0.5}, {"time_grid", "uniform"}}},
            {"noise", {{"generator", "xoshiro256**"}, {"transform", "box-muller-cos"}, {"clip", 4.0}}}};
  if (arch == "dit") {
    j["data"] = {{"kind", "digits8x8"}, {"dim", 16}};
    j["dit"] = {{"image_size", 4}, {"channels", 1}, {"patch", 2}, {"width", 8}, {"depth", 1}, {"heads", 2},
                {"mlp_ratio", 2}, {"activation", "silu"}, {"ln_eps", 1e-6}, {"attn_scale", 0.3515625}};
  } else {
    j["data"] = {{"kind", "moons"}, {"dim", 2}};
    j["mlp"] = {{"width", 8}, {"depth", 2}, {"activation", "gelu"}};
  }
  j["formats"] = {{"weights", json::object()}, {"activations", json::object()}};
  // a first parse without formats cannot succeed, so build the names from a provisional config
  ModelConfig probe;
  probe.architecture = arch == "dit" ? Architecture::dit : Architecture::mlp;
  probe.data_dim = j["data"]["dim"];
  probe.freqs.assign(3, Rational(1));
  if (arch == "dit") { probe.dit.image_size = 4; probe.dit.width = 8; probe.dit.depth = 1; }
  else { probe.mlp.width = 8; probe.mlp.depth = 2; }
  const int f = act_bits - 6;  // range +-32
  for (const auto& [n, s] : expected_weights(probe)) j["formats"]["weights"][n] = "Q(8,7)";
  for (const auto& [n, info] : expected_activations(probe)) j["formats"]["activations"][n] = fmt::format("Q({},{})", act_bits, f);
  j["formats"]["activations"]["state"] = fmt::format("Q({},{})", act_bits, act_bits - 4);
  return j;
}

inline std::map<std::string, TensorData> random_tensors(const ModelConfig& cfg, uint64_t seed, double scale = 0.4) {
  Xoshiro256ss g(seed);
  std::map<std::string, TensorData> t;
  for (const auto& [n, shape] : expected_weights(cfg)) {
    TensorData d;
    d.dtype = "F64";
    d.shape = shape;
    size_t numel = 1;
    for (auto s : shape) numel *= static_cast<size_t>(s);
    double fan_in = shape.size() == 2 ? static_cast<double>(shape[1]) : 1.0;
    for (size_t i = 0; i < numel; ++i) {
      double u = static_cast<double>(g.next() >> 11) * 0x1p-53 * 2 - 1;  // [-1, 1)
      d.values.push_back(std::ldexp(std::round(std::ldexp(u * scale * 2 / std::sqrt(fan_in), 20)), -20));
    }
    t[n] = std::move(d);
  }
  return t;
}

inline Model random_model(const std::string& arch, uint64_t seed, int act_bits = 16) {
  ModelConfig cfg = parse_config(random_config_json(arch, act_bits).dump(), "random");
  auto t = random_tensors(cfg, seed);
  return Model::from_tensors(cfg, t, "random");
}

}  // namespace tc0::sampler::testing
