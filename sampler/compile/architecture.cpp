#include "sampler/compile/architecture.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "sampler/layout.hpp"
#include "sampler/noise.hpp"
#include "tc0/version.hpp"

namespace tc0::sampler::compile {

namespace {

using nlohmann::json;

const char* activation_name(UnaryFn f) { return f == UnaryFn::silu ? "silu" : "gelu"; }

}  // namespace

Model random_model(const ArchitectureSpec& s) {
  if (s.act_bits < 8 || s.act_bits > 16)
    throw ModelError(fmt::format("architecture: act_bits = {} is outside [8, 16] (activations are Q(b, b-6), and "
                                 "tables take at most 16 bits)",
                                 s.act_bits));
  if (s.weight_bits < 2 || s.weight_bits > 32)
    throw ModelError(fmt::format("architecture: weight_bits = {} is outside [2, 32]", s.weight_bits));
  const int state_bits = s.state_bits ? s.state_bits : s.act_bits;
  if (state_bits < 6 || state_bits > 32)
    throw ModelError(fmt::format("architecture: state_bits = {} is outside [6, 32]", state_bits));
  const bool dit = s.architecture == Architecture::dit;
  const int dim = dit ? s.channels * s.image_size * s.image_size : s.data_dim;
  json j = {{"format", "tc0flow-model"},
            {"semantics_version", kSemanticsVersion},
            {"name", dit ? "random-dit" : "random-mlp"},
            {"architecture", dit ? "dit" : "mlp"},
            {"path", "linear"},
            {"time_conditioning", "t_h"},
            {"acceleration", "kinematic"},
            {"time_embedding", {{"freqs", {1.0, 2.0, 3.0}}}},
            {"sampler", {{"kind", "mf2"}, {"steps", 1}, {"c", 0.5}, {"time_grid", "uniform"}}},
            {"noise", {{"generator", "xoshiro256**"}, {"transform", "box-muller-cos"}, {"clip", 4.0}}},
            {"data", {{"kind", "random"}, {"dim", dim}}},
            {"constant_folding", s.constant_folding == ConstantFolding::exact ? "exact" : "output_grid"}};
  if (dit)
    j["dit"] = {{"image_size", s.image_size}, {"channels", s.channels}, {"patch", s.patch}, {"width", s.width},
                {"depth", s.depth}, {"heads", s.heads}, {"mlp_ratio", s.mlp_ratio},
                {"activation", activation_name(s.activation)}, {"ln_eps", 1e-6}, {"attn_scale", 0.3515625}};
  else
    j["mlp"] = {{"width", s.mlp_width}, {"depth", s.mlp_depth}, {"activation", activation_name(s.activation)}};
  // the tensor names come from the shape alone: a provisional config lists them
  ModelConfig probe;
  probe.architecture = s.architecture;
  probe.data_dim = dim;
  probe.freqs.assign(3, Rational(1));
  probe.dit.image_size = s.image_size;
  probe.dit.channels = s.channels;
  probe.dit.patch = s.patch;
  probe.dit.width = s.width;
  probe.dit.depth = s.depth;
  probe.dit.heads = s.heads;
  probe.dit.mlp_ratio = s.mlp_ratio;
  probe.mlp.width = s.mlp_width;
  probe.mlp.depth = s.mlp_depth;
  j["formats"] = {{"weights", json::object()}, {"activations", json::object()}};
  for (const auto& [n, shape] : expected_weights(probe))
    j["formats"]["weights"][n] = fmt::format("Q({},{})", s.weight_bits, s.weight_bits - 1);
  for (const auto& [n, info] : expected_activations(probe))
    j["formats"]["activations"][n] = fmt::format("Q({},{})", s.act_bits, s.act_bits - 6);
  j["formats"]["activations"]["state"] = fmt::format("Q({},{})", state_bits, state_bits - 4);
  ModelConfig cfg = parse_config(j.dump(), "architecture");
  Xoshiro256ss g(s.seed);
  std::map<std::string, TensorData> t;
  for (const auto& [n, shape] : expected_weights(cfg)) {
    TensorData d;
    d.dtype = "F64";
    d.shape = shape;
    size_t numel = 1;
    for (auto x : shape) numel *= size_t(x);
    const double fan_in = shape.size() == 2 ? double(shape[1]) : 1.0;
    d.values.reserve(numel);
    for (size_t i = 0; i < numel; ++i) {
      const double u = double(g.next() >> 11) * 0x1p-53 * 2 - 1;
      d.values.push_back(std::ldexp(std::round(std::ldexp(u * 0.8 / std::sqrt(fan_in), 20)), -20));
    }
    t[n] = std::move(d);
  }
  return Model::from_tensors(cfg, t, dit ? "random-dit" : "random-mlp");
}

ArchitectureSpec parse_architecture(const std::string& text, const std::string& where) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw ModelError(fmt::format("{}: not valid JSON ({})", where, e.what()));
  }
  if (!j.is_object()) throw ModelError(fmt::format("{}: an architecture file is a JSON object", where));
  static const std::set<std::string> known = {"architecture", "image_size", "channels", "patch",       "width",
                                              "heads",        "mlp_ratio",  "blocks",   "activation",  "mlp_width",
                                              "mlp_depth",    "data_dim",   "act_bits", "weight_bits", "state_bits",
                                              "seed",         "constant_folding"};
  for (const auto& [k, v] : j.items())
    if (!known.count(k)) throw ModelError(fmt::format("{}: unknown field '{}'", where, k));
  ArchitectureSpec s;
  auto integer = [&](const char* key, int& out, int lo, int hi) {
    if (!j.contains(key)) return;
    if (!j[key].is_number_integer()) throw ModelError(fmt::format("{}: field '{}' must be an integer", where, key));
    const int64_t v = j[key].get<int64_t>();
    if (v < lo || v > hi) throw ModelError(fmt::format("{}: field '{}' = {} is outside [{}, {}]", where, key, v, lo, hi));
    out = int(v);
  };
  if (j.contains("architecture")) {
    const std::string a = j["architecture"].is_string() ? j["architecture"].get<std::string>() : "";
    if (a != "dit" && a != "mlp") throw ModelError(fmt::format("{}: field 'architecture' must be \"dit\" or \"mlp\"", where));
    s.architecture = a == "dit" ? Architecture::dit : Architecture::mlp;
  }
  if (j.contains("activation")) {
    const std::string a = j["activation"].is_string() ? j["activation"].get<std::string>() : "";
    if (a != "silu" && a != "gelu") throw ModelError(fmt::format("{}: field 'activation' must be \"silu\" or \"gelu\"", where));
    s.activation = a == "silu" ? UnaryFn::silu : UnaryFn::gelu_erf;
  }
  if (j.contains("constant_folding")) {
    const std::string c = j["constant_folding"].is_string() ? j["constant_folding"].get<std::string>() : "";
    if (c != "exact" && c != "output_grid")
      throw ModelError(fmt::format("{}: field 'constant_folding' must be \"exact\" or \"output_grid\"", where));
    s.constant_folding = c == "exact" ? ConstantFolding::exact : ConstantFolding::output_grid;
  }
  integer("image_size", s.image_size, 1, 64);
  integer("channels", s.channels, 1, 4);
  integer("patch", s.patch, 1, 64);
  integer("width", s.width, 1, 1024);
  integer("heads", s.heads, 1, 64);
  integer("mlp_ratio", s.mlp_ratio, 1, 16);
  integer("blocks", s.depth, 0, 64);
  integer("mlp_width", s.mlp_width, 1, 4096);
  integer("mlp_depth", s.mlp_depth, 1, 64);
  integer("data_dim", s.data_dim, 1, 64);
  integer("act_bits", s.act_bits, 8, 16);
  integer("weight_bits", s.weight_bits, 2, 32);
  integer("state_bits", s.state_bits, 6, 32);
  if (j.contains("seed")) {
    if (!j["seed"].is_number_unsigned()) throw ModelError(fmt::format("{}: field 'seed' must be an integer >= 0", where));
    s.seed = j["seed"].get<uint64_t>();
  }
  if (s.image_size % s.patch) throw ModelError(fmt::format("{}: patch = {} does not divide image_size = {}", where, s.patch, s.image_size));
  if (s.width % s.heads) throw ModelError(fmt::format("{}: heads = {} does not divide width = {}", where, s.heads, s.width));
  return s;
}

nlohmann::json architecture_json(const ArchitectureSpec& s) {
  json j = {{"architecture", s.architecture == Architecture::dit ? "dit" : "mlp"},
            {"activation", activation_name(s.activation)},
            {"act_bits", s.act_bits},
            {"weight_bits", s.weight_bits},
            {"state_bits", s.state_bits ? s.state_bits : s.act_bits},
            {"seed", s.seed},
            {"constant_folding", s.constant_folding == ConstantFolding::exact ? "exact" : "output_grid"}};
  if (s.architecture == Architecture::dit) {
    j["image_size"] = s.image_size;
    j["channels"] = s.channels;
    j["patch"] = s.patch;
    j["width"] = s.width;
    j["heads"] = s.heads;
    j["mlp_ratio"] = s.mlp_ratio;
    j["blocks"] = s.depth;
    j["tokens"] = s.tokens();
  } else {
    j["mlp_width"] = s.mlp_width;
    j["mlp_depth"] = s.mlp_depth;
    j["data_dim"] = s.data_dim;
  }
  return j;
}

}  // namespace tc0::sampler::compile
