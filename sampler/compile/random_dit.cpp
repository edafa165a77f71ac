#include "sampler/compile/random_dit.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "sampler/layout.hpp"
#include "sampler/noise.hpp"
#include "tc0/version.hpp"

namespace tc0::sampler::compile {

Model random_dit(const RandomDitSpec& s) {
  using nlohmann::json;
  const int dim = s.image_size * s.image_size;
  json j = {{"format", "tc0flow-model"},
            {"semantics_version", kSemanticsVersion},
            {"name", "random-dit"},
            {"architecture", "dit"},
            {"path", "linear"},
            {"time_conditioning", "t_h"},
            {"acceleration", "kinematic"},
            {"time_embedding", {{"freqs", {1.0, 2.0, 3.0}}}},
            {"sampler", {{"kind", "mf2"}, {"steps", 1}, {"c", 0.5}, {"time_grid", "uniform"}}},
            {"noise", {{"generator", "xoshiro256**"}, {"transform", "box-muller-cos"}, {"clip", 4.0}}},
            {"data", {{"kind", "random"}, {"dim", dim}}},
            {"dit",
             {{"image_size", s.image_size}, {"channels", 1}, {"patch", s.patch}, {"width", s.width}, {"depth", s.depth},
              {"heads", s.heads}, {"mlp_ratio", 2}, {"activation", "silu"}, {"ln_eps", 1e-6},
              {"attn_scale", 0.3515625}}}};
  ModelConfig probe;
  probe.architecture = Architecture::dit;
  probe.data_dim = dim;
  probe.freqs.assign(3, Rational(1));
  probe.dit.image_size = s.image_size;
  probe.dit.patch = s.patch;
  probe.dit.width = s.width;
  probe.dit.depth = s.depth;
  probe.dit.heads = s.heads;
  j["formats"] = {{"weights", json::object()}, {"activations", json::object()}};
  for (const auto& [n, shape] : expected_weights(probe)) j["formats"]["weights"][n] = "Q(8,7)";
  for (const auto& [n, info] : expected_activations(probe))
    j["formats"]["activations"][n] = fmt::format("Q({},{})", s.act_bits, s.act_bits - 6);
  j["formats"]["activations"]["state"] = fmt::format("Q({},{})", s.act_bits, s.act_bits - 4);
  ModelConfig cfg = parse_config(j.dump(), "random-dit");
  Xoshiro256ss g(s.seed);
  std::map<std::string, TensorData> t;
  for (const auto& [n, shape] : expected_weights(cfg)) {
    TensorData d;
    d.dtype = "F64";
    d.shape = shape;
    size_t numel = 1;
    for (auto x : shape) numel *= size_t(x);
    const double fan_in = shape.size() == 2 ? double(shape[1]) : 1.0;
    for (size_t i = 0; i < numel; ++i) {
      double u = double(g.next() >> 11) * 0x1p-53 * 2 - 1;
      d.values.push_back(std::ldexp(std::round(std::ldexp(u * 0.8 / std::sqrt(fan_in), 20)), -20));
    }
    t[n] = std::move(d);
  }
  return Model::from_tensors(cfg, t, "random-dit");
}

}  // namespace tc0::sampler::compile
