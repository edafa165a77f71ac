#include "sampler/calibration/quality.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fileio/input_file.hpp"

namespace tc0::sampler::calibration {

constexpr uint64_t kMaxHeldOutFileBytes = uint64_t(1) << 30;

HeldOut load_heldout(const std::string& path, const std::string& kind, int dim) {
  std::string text;
  try {
    text = fileio::read_regular_file(path, "held-out data", kMaxHeldOutFileBytes);
  } catch (const fileio::FileError& e) {
    throw std::runtime_error(fmt::format("{} (export it with tools/train/export_heldout.py, or pass --data FILE)", e.what()));
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
    HeldOut h;
    h.kind = j.at("kind").get<std::string>();
    h.bandwidth = j.at("bandwidth").get<double>();
    h.data_vs_data = j.at("data_vs_data").get<double>();
    const double off = j.at("offset").get<double>(), sc = j.at("scale").get<double>();
    if (h.kind != kind) throw std::runtime_error(fmt::format("data kind '{}' does not match the model's '{}'", h.kind, kind));
    if (!(h.bandwidth > 0) || !std::isfinite(h.bandwidth)) throw std::runtime_error("bandwidth must be a finite number > 0");
    for (const auto& r : j.at("rows")) {
      if (r.size() != static_cast<size_t>(dim))
        throw std::runtime_error(fmt::format("a row has {} values, the model's data has {}", r.size(), dim));
      std::vector<double> v;
      for (const auto& x : r) {
        double y = off + sc * x.get<double>();
        if (!std::isfinite(y)) throw std::runtime_error("a value is not finite");
        v.push_back(y);
      }
      h.rows.push_back(std::move(v));
    }
    if (h.rows.size() < 2) throw std::runtime_error("at least 2 rows are needed");
    return h;
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("held-out data '{}': {}", path, e.what()));
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("held-out data '{}': not the expected JSON ({})", path, e.what()));
  }
}

namespace {
double sqdist(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}
}  // namespace

double mmd2_unbiased(const std::vector<std::vector<double>>& x, const std::vector<std::vector<double>>& y, double sigma) {
  if (x.size() < 2 || y.size() < 2) throw std::invalid_argument("MMD^2 (unbiased) needs at least 2 samples on each side");
  const double g = 1.0 / (2 * sigma * sigma);
  auto k = [&](const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) throw std::invalid_argument("MMD^2: rows of different dimension");
    return std::exp(-sqdist(a, b) * g);
  };
  double sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i)
    for (size_t j = i + 1; j < x.size(); ++j) sxx += k(x[i], x[j]);
  for (size_t i = 0; i < y.size(); ++i)
    for (size_t j = i + 1; j < y.size(); ++j) syy += k(y[i], y[j]);
  for (const auto& a : x)
    for (const auto& b : y) sxy += k(a, b);
  const double m = static_cast<double>(x.size()), n = static_cast<double>(y.size());
  return 2 * sxx / (m * (m - 1)) + 2 * syy / (n * (n - 1)) - 2 * sxy / (m * n);
}

double median_pairwise_distance(const std::vector<std::vector<double>>& y) {
  std::vector<double> d;
  d.reserve(y.size() * y.size());
  for (const auto& a : y)
    for (const auto& b : y) d.push_back(std::sqrt(sqdist(a, b)));
  if (d.empty()) throw std::invalid_argument("median of no distances");
  const size_t n = d.size(), h = n / 2;
  std::nth_element(d.begin(), d.begin() + static_cast<long>(h), d.end());
  double hi = d[h];
  if (n % 2) return hi;
  double lo = *std::max_element(d.begin(), d.begin() + static_cast<long>(h));
  return (lo + hi) / 2;
}

}  // namespace tc0::sampler::calibration
