#include "sampler/compile/bounds.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <set>

#include "sampler/compile/trace.hpp"

namespace tc0::sampler::compile {

namespace {

constexpr std::pair<Axis, const char*> kAxes[] = {{Axis::tokens, "tokens"}, {Axis::width, "width"},
                                                  {Axis::heads, "heads"},   {Axis::blocks, "blocks"},
                                                  {Axis::steps, "steps"},   {Axis::precision, "precision"},
                                                  {Axis::depth_budget, "depth_budget"}};

const char* kind_name(SamplerKind k) { return k == SamplerKind::mf1 ? "mf1" : k == SamplerKind::mf2 ? "mf2" : "euler"; }

}  // namespace

std::optional<Axis> axis_from_name(const std::string& s) {
  for (auto [a, n] : kAxes)
    if (s == n) return a;
  return std::nullopt;
}

const char* axis_name(Axis a) {
  for (auto [b, n] : kAxes)
    if (a == b) return n;
  return "?";
}

bool changes_shape(Axis a) { return a != Axis::steps && a != Axis::depth_budget; }

double BoundsSetting::axis_value(Axis a) const {
  switch (a) {
    case Axis::tokens: return arch.architecture == Architecture::dit ? arch.tokens() : 1;
    case Axis::width: return arch.architecture == Architecture::dit ? arch.width : arch.mlp_width;
    case Axis::heads: return arch.heads;
    case Axis::blocks: return arch.architecture == Architecture::dit ? arch.depth : arch.mlp_depth;
    case Axis::steps: return steps;
    case Axis::precision: return arch.act_bits;
    case Axis::depth_budget: return linear.depth_budget;
  }
  return 0;
}

BoundsSetting BoundsSetting::with(Axis a, int v) const {
  BoundsSetting s = *this;
  const bool dit = arch.architecture == Architecture::dit;
  if (changes_shape(a)) s.model_dir.reset();  // a new shape has no trained weights
  switch (a) {
    case Axis::tokens: {
      if (!dit) throw std::invalid_argument("the tokens axis needs a DiT architecture");
      const int side = int(std::lround(std::sqrt(double(v))));
      if (side * side != v)
        throw std::invalid_argument(fmt::format("tokens = {} is not a square: a DiT has (image / patch)^2 tokens", v));
      s.arch.image_size = side * arch.patch;
      break;
    }
    case Axis::width:
      if (dit) s.arch.width = v;
      else s.arch.mlp_width = v;
      break;
    case Axis::heads:
      if (!dit) throw std::invalid_argument("the heads axis needs a DiT architecture");
      s.arch.heads = v;
      break;
    case Axis::blocks:
      if (dit) s.arch.depth = v;
      else s.arch.mlp_depth = v;
      break;
    case Axis::steps: s.steps = v; break;
    case Axis::precision: s.arch.act_bits = v; break;
    case Axis::depth_budget: s.linear.depth_budget = v; break;
  }
  if (dit && s.arch.width % s.arch.heads)
    throw std::invalid_argument(fmt::format("heads = {} does not divide width = {}", s.arch.heads, s.arch.width));
  return s;
}

nlohmann::json BoundsSetting::to_json() const {
  nlohmann::json j = architecture_json(arch);
  // the point's "weight_bits" is the circuit's (its largest |weight|); the model's weight format
  // width keeps its own name
  j["weight_format_bits"] = j["weight_bits"];
  j.erase("weight_bits");
  j["weights"] = model_dir ? "model " + *model_dir : fmt::format("random (seed {})", arch.seed);
  j["sampler"] = kind_name(kind);
  j["steps"] = steps;
  j["depth_budget"] = linear.depth_budget;
  j["group_size"] = linear.group_size ? linear.group_size : 16;
  j["precision"] = arch.act_bits;
  return j;
}

nlohmann::json BoundsPoint::to_json() const {
  nlohmann::json j = setting.to_json();
  const auto& t = count.totals;
  j["gates"] = t.gates;
  j["edges"] = t.edges;
  j["stored_edges"] = t.stored_edges;
  j["depth"] = count.depth;
  j["max_fanin"] = t.max_fanin;
  j["weight_bits"] = t.weight_bits;
  j["theta_bits"] = t.theta_bits;
  j["majority_size"] = t.majority.str();
  j["gates_by_kind"] = {{"AND", t.by_kind[0]}, {"OR", t.by_kind[1]}, {"MAJ", t.by_kind[2]}, {"TH", t.by_kind[3]}};
  j["operations"] = count.operations;
  j["distinct_operations"] = count.distinct_operations;
  nlohmann::json c = nlohmann::json::object();
  for (const auto& [name, s] : components) c[name] = {{"gates", s.gates}, {"edges", s.edges}};
  j["components"] = c;
  j["seconds"] = seconds;
  return j;
}

ArchitectureSpec architecture_of(const ModelConfig& c) {
  ArchitectureSpec a;
  a.architecture = c.architecture;
  a.image_size = c.dit.image_size;
  a.channels = c.dit.channels;
  a.patch = c.dit.patch;
  a.width = c.dit.width;
  a.depth = c.dit.depth;
  a.heads = c.dit.heads;
  a.mlp_ratio = c.dit.mlp_ratio;
  a.mlp_width = c.mlp.width;
  a.mlp_depth = c.mlp.depth;
  a.data_dim = c.data_dim;
  a.activation = c.architecture == Architecture::dit ? c.dit.activation : c.mlp.activation;
  int widest = 8;
  for (const auto& [n, f] : c.activation_formats)
    if (n != "state") widest = std::max(widest, f.width());
  a.act_bits = std::min(widest, 16);
  int wbits = 2;
  for (const auto& [n, f] : c.weight_formats) wbits = std::max(wbits, f.width());
  a.weight_bits = wbits;
  a.state_bits = c.activation_formats.at("state").width();
  a.constant_folding = c.constant_folding;
  return a;
}

Model setting_model(const BoundsSetting& s) { return s.model_dir ? Model::load(*s.model_dir) : random_model(s.arch); }

std::map<std::string, ComponentSize> components_of(const std::map<std::string, circuits::ModuleCount>& modules) {
  std::map<std::string, ComponentSize> c;
  for (const auto& [path, mc] : modules) {
    ComponentSize& s = c[component_of(path)];
    s.gates += mc.gates;
    s.edges += mc.edges;
  }
  return c;
}

BoundsPoint count_point(const BoundsSetting& s) {
  const auto t0 = std::chrono::steady_clock::now();
  BoundsPoint p;
  p.setting = s;
  const Model m = setting_model(s);
  const SamplerSpec spec = make_spec(m, s.kind, s.steps);
  p.count = count_sampler(m, spec, s.linear);
  p.components = components_of(p.count.modules);
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return p;
}

double count_bytes_estimate(const BoundsSetting& s) {
  const ArchitectureSpec& a = s.arch;
  const double tokens = a.architecture == Architecture::dit ? a.tokens() : 1;
  const double width = a.architecture == Architecture::dit ? double(a.width) * std::max(1, a.mlp_ratio) : a.mlp_width;
  const double values = 8.0 * tokens * width + double(a.channels) * a.image_size * a.image_size;
  // a value is about 64 bytes with its vector slot; a distinct operation's record about 4 KB; the
  // linear rows alone are (3 + 1 + 2 mlp_ratio) * width per block
  const double rows = a.architecture == Architecture::dit ? (4.0 + 2.0 * a.mlp_ratio) * a.width * a.depth : 2.0 * a.mlp_width * a.mlp_depth;
  return 64.0 * values + 4096.0 * rows + 64.0 * (1 << 20);
}

ComponentFits fit_components(const std::vector<BoundsPoint>& points, Axis axis) {
  ComponentFits f;
  std::map<std::string, std::vector<double>> edges, gates;
  std::vector<double> x;
  for (const BoundsPoint& p : points) x.push_back(p.setting.axis_value(axis));
  auto series = [&](const std::string& name, auto get_edges, auto get_gates) {
    std::vector<double> e, g;
    for (const BoundsPoint& p : points) e.push_back(get_edges(p)), g.push_back(get_gates(p));
    f.edges[name] = numerics::fit_power_law(x, e);
    f.gates[name] = numerics::fit_power_law(x, g);
  };
  series("total", [](const BoundsPoint& p) { return double(p.count.totals.edges); },
         [](const BoundsPoint& p) { return double(p.count.totals.gates); });
  std::set<std::string> names;
  for (const BoundsPoint& p : points)
    for (const auto& [n, s] : p.components) names.insert(n);
  for (const std::string& n : names)
    series(n,
           [&n](const BoundsPoint& p) {
             auto it = p.components.find(n);
             return it == p.components.end() ? 0.0 : double(it->second.edges);
           },
           [&n](const BoundsPoint& p) {
             auto it = p.components.find(n);
             return it == p.components.end() ? 0.0 : double(it->second.gates);
           });
  return f;
}

}  // namespace tc0::sampler::compile
