#pragma once
// Sample quality for the SPEC 2 pass criterion: the unbiased kernel MMD^2 (Gaussian kernel, fixed
// bandwidth) of samples against held-out data, as tools/train/eval_samples.py computes it, so that
// `tc0flow fidelity` judges a model's formats without Python. The held-out data is a small JSON file
// exported once by tools/train/export_heldout.py (MODEL/heldout.json):
//   {"kind", "bandwidth" (median pairwise distance of the held-out set), "data_vs_data" (MMD^2 of as
//    many training points against it), "offset", "scale", "rows": [[v...]...]}, value = offset + scale v.
#include <string>
#include <vector>

namespace tc0::sampler::calibration {

struct HeldOut {
  std::string kind;
  double bandwidth = 0;
  double data_vs_data = 0;
  std::vector<std::vector<double>> rows;
};

// Loads and checks a held-out file (dimension `dim`, kind `kind`); throws std::runtime_error naming
// the file and the problem.
HeldOut load_heldout(const std::string& path, const std::string& kind, int dim);

// Unbiased MMD^2 of x against y, k(a, b) = exp(-|a - b|^2 / (2 sigma^2)); needs >= 2 rows each.
double mmd2_unbiased(const std::vector<std::vector<double>>& x, const std::vector<std::vector<double>>& y, double sigma);

// Median of |y_i - y_j| over all ordered pairs including i = j (numpy's median of the full matrix).
double median_pairwise_distance(const std::vector<std::vector<double>>& y);

// SPEC 2: the fixed-point samples' MMD^2 is within 20% of the float64 samples' (one-sided: a fixed
// point model that is better than float64 passes).
inline constexpr double kQualityTolerance = 1.2;
inline bool quality_passes(double mmd2_fixed, double mmd2_float64) { return mmd2_fixed <= kQualityTolerance * mmd2_float64; }

}  // namespace tc0::sampler::calibration
