#pragma once
// Size and depth of compiled samplers against an axis (tokens, width, heads, blocks, steps,
// precision, depth budget): the points of `tc0flow bounds`, counted exactly (count_arith.hpp), with
// the per-component breakdown and power-law fits per component. The construction strategy (depth
// budget, group size) is fixed for a sweep unless it is the swept axis (SPEC.md section 3).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "numerics/fit.hpp"
#include "sampler/compile/architecture.hpp"
#include "sampler/compile/count_arith.hpp"

namespace tc0::sampler::compile {

enum class Axis { tokens, width, heads, blocks, steps, precision, depth_budget };
// "tokens", "width", "heads", "blocks", "steps", "precision", "depth_budget"; nullopt otherwise.
std::optional<Axis> axis_from_name(const std::string& s);
const char* axis_name(Axis a);
// The axes that change the model's shape (they need an architecture with random weights).
bool changes_shape(Axis a);

// One configuration: a model (its own weights) or an architecture (seeded random weights).
struct BoundsSetting {
  std::optional<std::string> model_dir;  // real weights; nullopt: random weights of `arch`
  ArchitectureSpec arch;
  SamplerKind kind = SamplerKind::mf2;
  int steps = 1;
  circuits::gadgets::LinearFormParams linear{6, 0};

  // The value of an axis at this setting (tokens of a DiT: (image / patch)^2).
  double axis_value(Axis a) const;
  // This setting with an axis moved to v (tokens: the image side for the patch, v must be a square).
  BoundsSetting with(Axis a, int v) const;
  nlohmann::json to_json() const;
};

struct ComponentSize {
  uint64_t gates = 0, edges = 0;
};

struct BoundsPoint {
  BoundsSetting setting;
  SamplerCount count;
  std::map<std::string, ComponentSize> components;  // component_of() of each module
  double seconds = 0;
  nlohmann::json to_json() const;
};

// The model of a setting (loaded, or random weights).
Model setting_model(const BoundsSetting& s);
// The architecture of a shipped model, for sweeps of its shape (act_bits: its widest activation
// format clamped to [8, 16]; the weights of the sweep points are random).
ArchitectureSpec architecture_of(const ModelConfig& c);

BoundsPoint count_point(const BoundsSetting& s);
std::map<std::string, ComponentSize> components_of(const std::map<std::string, circuits::ModuleCount>& modules);

// Bytes the counter needs for a setting, estimated before it runs: the values the model keeps
// alive (the attention's q, k, v of every token, about 8 values per token and channel) and the
// distinct operations' records.
double count_bytes_estimate(const BoundsSetting& s);

struct ComponentFits {
  std::map<std::string, numerics::PowerFit> edges, gates;  // "total" and each component
};
ComponentFits fit_components(const std::vector<BoundsPoint>& points, Axis axis);

}  // namespace tc0::sampler::compile
