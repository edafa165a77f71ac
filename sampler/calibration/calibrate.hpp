#pragma once
// Calibration of the per-tensor fixed-point formats under a bit budget (SPEC 2; EZKL's
// calibrate-settings): run the float64 sampler on a calibration batch of the portable noise, record
// max |x| of every named activation (sampler/recording.hpp) and of every weight tensor, and give each
// tensor the widest fraction that does not saturate on the batch:
//   Q(w, f),  f = w - 1 - ceil(log2(max|x| * margin))   (f clamped to the legal [-128, 128])
// with margin 1.25 for activations (headroom for inputs beyond the batch), 1 for weights (known
// exactly) and for the state (its range is the noise clip range, max(clip, max|z|)). A tensor that
// is identically 0 gets Q(w, w - 2). The same rule as tools/train/export.py's initial formats.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sampler/model.hpp"

namespace tc0::sampler::calibration {

inline constexpr double kActivationMargin = 1.25;
inline constexpr double kWeightMargin = 1.0;

struct CalibrationRequest {
  int weight_bits = 8;  // [2, 32]
  int act_bits = 12;    // [2, 16]: table inputs take at most 16 bits
  int state_bits = 0;   // the sampler state (noise and samples); 0: act_bits
  double act_margin = kActivationMargin;
  size_t count = 256;   // calibration batch: samples of the noise stream of `seed`
  uint64_t seed = 4321;
  std::vector<SamplerSpec> samplers;  // every sampler the formats must serve; at least one
};

struct TensorCalibration {
  std::string name;
  bool weight = false;
  double max_abs = 0;       // over the batch (activations) or the trained values (weights)
  uint64_t values = 0;      // values seen
  Format format{8, 0};      // chosen
  Format previous{8, 0};    // the input model's
  uint64_t float_saturations = 0;  // values whose rounding to `format` saturates
  uint64_t fixed_saturations = 0;  // saturation events in the fixed-point run with the new formats
};

struct Calibration {
  std::vector<TensorCalibration> tensors;  // activations in graph order, then weights by name
  std::string rule;                        // budget, margin and batch, stored in the config
  nlohmann::json config;                   // the input config with the new "formats"
  uint64_t fixed_saturations = 0;          // total over the fixed-point run
  double seconds = 0;
};

// The rule above; throws std::invalid_argument for bits outside [2, 64] or a non-finite max.
Format choose_format(double max_abs, int bits, double margin);
// Values of xs whose round-half-even to f saturates.
uint64_t count_saturating(const std::vector<double>& xs, Format f);
// "mf2:1,euler:8" -> sampler specs on uniform grids; empty -> the model's configured sampler.
std::vector<SamplerSpec> parse_sampler_list(const Model& m, const std::string& list);

Calibration calibrate(const Model& m, const CalibrationRequest& req);

// Writes out_dir/config.json (calibrated) and copies weights.safetensors (and heldout.json when
// present) from src_dir. Refuses out_dir == src_dir, and a non-empty out_dir unless `force`; a
// directory holding fixed_golden.json (a shipped model) is refused even with `force`.
void check_output_dir(const std::string& src_dir, const std::string& out_dir, bool force);
void write_calibrated_model(const std::string& src_dir, const std::string& out_dir, const Calibration& c, bool force);

}  // namespace tc0::sampler::calibration
