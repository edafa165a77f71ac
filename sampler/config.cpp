#include "sampler/config.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "sampler/layout.hpp"
#include "tc0/version.hpp"

namespace tc0::sampler {

namespace {

using nlohmann::json;

struct Ctx {
  const std::string& where;
  [[noreturn]] void fail(const std::string& what) const {
    throw ModelError(fmt::format("{}: {}", where, what));
  }
  const json& get(const json& o, const std::string& key, const std::string& path) const {
    if (!o.is_object() || !o.contains(key)) fail(fmt::format("missing field '{}{}'", path, key));
    return o[key];
  }
  std::string str(const json& o, const std::string& key, const std::string& path,
                  std::initializer_list<const char*> allowed) const {
    const json& v = get(o, key, path);
    if (!v.is_string()) fail(fmt::format("field '{}{}' must be a string", path, key));
    std::string s = v.get<std::string>();
    std::string list;
    for (const char* a : allowed) {
      if (s == a) return s;
      list += std::string(list.empty() ? "" : ", ") + a;
    }
    fail(fmt::format("field '{}{}' is \"{}\"; allowed: {}", path, key, s, list));
  }
  int integer(const json& o, const std::string& key, const std::string& path, int lo, int hi) const {
    const json& v = get(o, key, path);
    if (!v.is_number_integer()) fail(fmt::format("field '{}{}' must be an integer", path, key));
    int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) fail(fmt::format("field '{}{}' = {} is outside [{}, {}]", path, key, x, lo, hi));
    return static_cast<int>(x);
  }
  // A number in [lo, hi], or in (lo, hi] when lo_open.
  double number(const json& v, const std::string& path, double lo, double hi, bool lo_open = false) const {
    if (!v.is_number()) fail(fmt::format("field '{}' must be a number", path));
    double x = v.get<double>();
    if (!std::isfinite(x) || (lo_open ? x <= lo : x < lo) || x > hi)
      fail(fmt::format("field '{}' = {} is outside {}{}, {}]", path, x, lo_open ? '(' : '[', lo, hi));
    return x;
  }
};

UnaryFn activation_from(const std::string& s) { return s == "gelu" ? UnaryFn::gelu_erf : UnaryFn::silu; }

std::map<std::string, Format> parse_formats(const Ctx& c, const json& o, const std::string& path,
                                            const std::set<std::string>& expected) {
  if (!o.is_object()) c.fail(fmt::format("field '{}' must be an object of name: \"Q(w,f)\"", path));
  std::map<std::string, Format> out;
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (!expected.count(it.key()))
      c.fail(fmt::format("'{}' names an unknown tensor '{}' (not part of this architecture)", path, it.key()));
    if (!it.value().is_string()) c.fail(fmt::format("format '{}.{}' must be a string like \"Q(8,6)\"", path, it.key()));
    try {
      out.emplace(it.key(), Format::parse(it.value().get<std::string>()));
    } catch (const std::exception& e) {
      c.fail(fmt::format("format '{}.{}': {}", path, it.key(), e.what()));
    }
  }
  for (const auto& n : expected)
    if (!out.count(n)) c.fail(fmt::format("'{}' lacks a format for tensor '{}'", path, n));
  return out;
}

}  // namespace

Rational exact_rational(double x) {
  if (!std::isfinite(x)) throw std::invalid_argument("exact_rational: non-finite value");
  int e = 0;
  double m = std::frexp(x, &e);
  BigInt num = BigInt(static_cast<int64_t>(std::ldexp(m, 53)));
  int k = e - 53;
  return k >= 0 ? Rational(num << k) : Rational(num, BigInt(1) << -k);
}

SamplerKind sampler_kind_from_name(const std::string& s) {
  if (s == "mf1") return SamplerKind::mf1;
  if (s == "mf2") return SamplerKind::mf2;
  if (s == "euler") return SamplerKind::euler;
  throw std::invalid_argument(fmt::format("unknown sampler '{}'; use mf1, mf2 or euler", s));
}

std::string name(SamplerKind k) { return k == SamplerKind::mf1 ? "mf1" : k == SamplerKind::mf2 ? "mf2" : "euler"; }

std::vector<Rational> uniform_grid(int steps) {
  std::vector<Rational> g;
  for (int i = 0; i <= steps; ++i) g.push_back(Rational(steps - i, steps));
  return g;
}

ModelConfig parse_config(const std::string& text, const std::string& where) {
  Ctx c{where};
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    c.fail(fmt::format("not valid JSON ({})", e.what()));
  }
  if (!j.is_object()) c.fail("the config must be a JSON object");
  ModelConfig m;
  m.raw = j;
  c.str(j, "format", "", {"tc0flow-model"});
  {
    const json& v = c.get(j, "semantics_version", "");
    if (!v.is_number_integer()) c.fail("field 'semantics_version' must be an integer");
    int64_t sv = v.get<int64_t>();
    if (sv != kSemanticsVersion)
      c.fail(fmt::format("model made under semantics version {}, this tool implements version {}; "
                         "re-export or recalibrate the model with this version",
                         sv, kSemanticsVersion));
  }
  if (j.contains("name") && j["name"].is_string()) m.name = j["name"].get<std::string>();
  m.architecture = c.str(j, "architecture", "", {"dit", "mlp"}) == "dit" ? Architecture::dit : Architecture::mlp;
  c.str(j, "path", "", {"linear"});
  m.time_conditioning = c.str(j, "time_conditioning", "", {"t_h", "t_r"}) == "t_h" ? TimeConditioning::t_h
                                                                                   : TimeConditioning::t_r;
  c.str(j, "acceleration", "", {"kinematic"});
  // Optional: how exact constants that are not on an operation's grid are folded (SPEC.md section 2.4).
  if (j.contains("constant_folding"))
    m.constant_folding = c.str(j, "constant_folding", "", {"exact", "output_grid"}) == "exact"
                             ? ConstantFolding::exact
                             : ConstantFolding::output_grid;
  {
    const json& te = c.get(j, "time_embedding", "");
    const json& f = c.get(te, "freqs", "time_embedding.");
    if (!f.is_array() || f.empty() || f.size() > 64) c.fail("field 'time_embedding.freqs' must be a list of 1 to 64 numbers");
    for (size_t i = 0; i < f.size(); ++i)
      m.freqs.push_back(exact_rational(c.number(f[i], fmt::format("time_embedding.freqs[{}]", i), -1000, 1000)));
  }
  {
    const json& s = c.get(j, "sampler", "");
    m.sampler.kind = sampler_kind_from_name(c.str(s, "kind", "sampler.", {"mf1", "mf2", "euler"}));
    m.sampler.steps = c.integer(s, "steps", "sampler.", 1, 1024);
    m.sampler.c = exact_rational(c.number(c.get(s, "c", "sampler."), "sampler.c", -16, 16));
    const json& g = c.get(s, "time_grid", "sampler.");
    if (g.is_string()) {
      if (g.get<std::string>() != "uniform") c.fail("field 'sampler.time_grid' must be \"uniform\" or a list of times");
      m.sampler.grid = uniform_grid(m.sampler.steps);
    } else {
      if (!g.is_array() || static_cast<int>(g.size()) != m.sampler.steps + 1)
        c.fail(fmt::format("field 'sampler.time_grid' must list steps + 1 = {} times", m.sampler.steps + 1));
      for (size_t i = 0; i < g.size(); ++i)
        m.sampler.grid.push_back(exact_rational(c.number(g[i], fmt::format("sampler.time_grid[{}]", i), 0, 1)));
      if (m.sampler.grid.front() != 1 || m.sampler.grid.back() != 0)
        c.fail("field 'sampler.time_grid' must start at 1 and end at 0");
      for (size_t i = 1; i < m.sampler.grid.size(); ++i)
        if (!(m.sampler.grid[i] < m.sampler.grid[i - 1])) c.fail("field 'sampler.time_grid' must decrease strictly");
    }
  }
  {
    const json& n = c.get(j, "noise", "");
    c.str(n, "generator", "noise.", {"xoshiro256**"});
    c.str(n, "transform", "noise.", {"box-muller-cos"});
    m.noise_clip = exact_rational(c.number(c.get(n, "clip", "noise."), "noise.clip", 0.125, 64));
  }
  const json& data = c.get(j, "data", "");
  m.data_dim = c.integer(data, "dim", "data.", 1, 1 << 16);
  m.data_kind = c.str(data, "kind", "data.", {"digits8x8", "moons", "random"});
  if (m.architecture == Architecture::dit) {
    const json& d = c.get(j, "dit", "");
    DitConfig& a = m.dit;
    a.image_size = c.integer(d, "image_size", "dit.", 1, 64);
    a.channels = c.integer(d, "channels", "dit.", 1, 4);
    a.patch = c.integer(d, "patch", "dit.", 1, 64);
    if (a.image_size % a.patch) c.fail(fmt::format("dit.patch = {} does not divide dit.image_size = {}", a.patch, a.image_size));
    a.width = c.integer(d, "width", "dit.", 1, 1024);
    a.depth = c.integer(d, "depth", "dit.", 0, 64);
    a.heads = c.integer(d, "heads", "dit.", 1, 64);
    if (a.width % a.heads) c.fail(fmt::format("dit.heads = {} does not divide dit.width = {}", a.heads, a.width));
    a.mlp_ratio = c.integer(d, "mlp_ratio", "dit.", 1, 16);
    a.activation = activation_from(c.str(d, "activation", "dit.", {"silu", "gelu"}));
    a.ln_eps = exact_rational(c.number(c.get(d, "ln_eps", "dit."), "dit.ln_eps", 0, 1));
    a.attn_scale = exact_rational(c.number(c.get(d, "attn_scale", "dit."), "dit.attn_scale", 0, 1e6, true));
    if (m.data_dim != a.channels * a.image_size * a.image_size)
      c.fail(fmt::format("data.dim = {} but the DiT images have {} values", m.data_dim,
                         a.channels * a.image_size * a.image_size));
  } else {
    const json& d = c.get(j, "mlp", "");
    m.mlp.width = c.integer(d, "width", "mlp.", 1, 4096);
    m.mlp.depth = c.integer(d, "depth", "mlp.", 1, 64);
    m.mlp.activation = activation_from(c.str(d, "activation", "mlp.", {"silu", "gelu"}));
    if (m.data_dim > 64) c.fail(fmt::format("data.dim = {} is too large for the MLP architecture (at most 64)", m.data_dim));
  }
  const json& f = c.get(j, "formats", "");
  std::set<std::string> wn, an;
  for (const auto& [n, s] : expected_weights(m)) wn.insert(n);
  auto acts = expected_activations(m);
  for (const auto& [n, s] : acts) an.insert(n);
  m.weight_formats = parse_formats(c, c.get(f, "weights", "formats."), "formats.weights", wn);
  m.activation_formats = parse_formats(c, c.get(f, "activations", "formats."), "formats.activations", an);
  for (const auto& [n, info] : acts)
    if (info.table_input && m.activation_formats.at(n).width() > numerics::kMaxTableInputWidth)
      c.fail(fmt::format("format of '{}' is {}, but it feeds a table function: at most {} bits", n,
                         m.activation_formats.at(n).str(), numerics::kMaxTableInputWidth));
  return m;
}

}  // namespace tc0::sampler
