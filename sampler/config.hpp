#pragma once
// The model config (config.json next to weights.safetensors): architecture, path, time
// conditioning, acceleration, sampler, noise and the fixed-point format of every tensor. Parsing
// checks every field and its range; a bad config raises ModelError naming the field and the fix.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sampler/arith.hpp"
#include "sampler/safetensors.hpp"

namespace tc0::sampler {

enum class Architecture { dit, mlp };
enum class TimeConditioning { t_h, t_r };  // second time input: h = t - r, or r
enum class SamplerKind { mf1, mf2, euler };
// How a model folds its exact constants (SPEC.md section 2.4): `exact` uses the value of the stored
// double (LayerNorm's eps = 1e-6 sits on a 2^-72 grid, which the sum's weights then carry);
// `output_grid` first rounds it (half to even) to the grid of the operation's output format.
enum class ConstantFolding { exact, output_grid };

SamplerKind sampler_kind_from_name(const std::string& s);  // throws std::invalid_argument
std::string name(SamplerKind k);

struct SamplerSpec {
  SamplerKind kind = SamplerKind::mf2;
  int steps = 1;
  Rational c{1, 2};            // MF2 coefficient of (t-r)^2 abar
  std::vector<Rational> grid;  // 1 = t_0 > ... > t_K = 0, exact
};
// The uniform grid t_i = 1 - i/K.
std::vector<Rational> uniform_grid(int steps);

struct DitConfig {
  int image_size = 8, channels = 1, patch = 2, width = 16, depth = 2, heads = 2, mlp_ratio = 2;
  UnaryFn activation = UnaryFn::silu;
  Rational ln_eps;      // exact value of the stored double
  Rational attn_scale;  // exact dyadic scale of q.k
  int tokens() const { return (image_size / patch) * (image_size / patch); }
  int patch_dim() const { return patch * patch * channels; }
};

struct MlpConfig {
  int width = 64, depth = 3;
  UnaryFn activation = UnaryFn::silu;
};

struct ModelConfig {
  Architecture architecture = Architecture::dit;
  std::string name;
  std::string data_kind;
  int data_dim = 0;
  TimeConditioning time_conditioning = TimeConditioning::t_h;
  std::vector<Rational> freqs;  // time embedding frequencies, exact values of the stored doubles
  SamplerSpec sampler;
  Rational noise_clip{4};
  ConstantFolding constant_folding = ConstantFolding::exact;
  DitConfig dit;
  MlpConfig mlp;
  std::map<std::string, Format> weight_formats;
  std::map<std::string, Format> activation_formats;
  nlohmann::json raw;  // the file as read, for reports

  // The second time input of the network for a step from t to r.
  Rational second_time(const Rational& t, const Rational& r) const {
    return time_conditioning == TimeConditioning::t_h ? t - r : r;
  }
};

// Parses and validates config JSON text; `where` names the file in messages.
ModelConfig parse_config(const std::string& text, const std::string& where);

// Exact rational value of a finite double.
Rational exact_rational(double x);

}  // namespace tc0::sampler
