#pragma once
// The fidelity report (SPEC 2): the same sampler run from the same quantised noise in bit-exact
// fixed point, float64 and MPFR, every named activation recorded through the observation hook
// (sampler/recording.hpp), compared tensor by tensor in graph order and on the final samples:
// max and mean absolute error, error in LSBs of the tensor's format, worst input (sample index and
// element), LSB histogram; plus the quality criterion (fixed-point MMD^2 within 20% of float64's).
// Errors are accumulated through the graph (each tensor is compared with the reference's value of
// the same tensor, not with one rounding of the reference's inputs).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "numerics/error_metrics.hpp"
#include "sampler/calibration/quality.hpp"
#include "sampler/model.hpp"

namespace tc0::sampler::calibration {

struct FidelityRequest {
  SamplerSpec spec;
  size_t count = 16;
  uint64_t seed = 1000;
  int mpfr_bits = 128;
  bool quantised_weights = false;  // references compute with the fixed-point weights
};

struct TensorFidelity {
  std::string name;
  Format format{8, 0};
  size_t values = 0;                  // per sample, over every evaluation of the sampler
  double max_abs_reference = 0;       // max |x| of the float64 values
  uint64_t saturations = 0;           // fixed-point saturation events in this tensor, all samples
  numerics::ErrorReport fixed_vs_float64, fixed_vs_mpfr, float64_vs_mpfr;
  explicit TensorFidelity(std::string n, Format f)
      : name(n), format(f), fixed_vs_float64(f.lsb(), n), fixed_vs_mpfr(f.lsb(), n), float64_vs_mpfr(f.lsb(), n) {}
  nlohmann::json to_json() const;
};

struct QualityCheck {
  double mmd2_fixed = 0, mmd2_float64 = 0, mmd2_mpfr = 0, data_vs_data = 0, bandwidth = 0;
  size_t heldout = 0;
  bool pass = false;
  nlohmann::json to_json() const;
};

struct Fidelity {
  std::vector<TensorFidelity> tensors;  // graph order; "state" holds every step's update
  TensorFidelity samples{"samples", Format(8, 0)};  // the final samples (state format)
  std::vector<std::vector<double>> fixed, float64, mpfr;  // final samples
  std::optional<QualityCheck> quality;
  double seconds = 0;
};

// Runs the three number types on `count` samples of the noise of `seed`.
Fidelity measure_fidelity(const Model& m, const FidelityRequest& req);
// The quality criterion of SPEC 2 on the final samples.
QualityCheck check_quality(const Fidelity& f, const HeldOut& data);

}  // namespace tc0::sampler::calibration
