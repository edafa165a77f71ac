#include "numerics/error_metrics.hpp"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace tc0::numerics {

ErrorReport::ErrorReport(double lsb, std::string label) : lsb_(lsb), label_(std::move(label)) {
  if (!(lsb > 0) || !std::isfinite(lsb))
    throw std::invalid_argument(fmt::format("ErrorReport: LSB must be positive and finite, got {}", lsb));
}

void ErrorReport::add(double reference, double got, size_t index, double input) {
  if (!std::isfinite(reference) || !std::isfinite(got))
    throw std::invalid_argument(fmt::format(
        "ErrorReport{}: non-finite pair (reference {}, got {}) at index {}; clamp references to the "
        "output range first", label_.empty() ? "" : " " + label_, reference, got, index));
  double e = std::fabs(got - reference);
  if (count_ == 0 || e > max_abs_) {
    max_abs_ = e;
    worst_index_ = index;
    worst_input_ = input;
    worst_ref_ = reference;
    worst_got_ = got;
  }
  ++count_;
  sum_abs_ += e;
  double l = e / lsb_;
  size_t bin = 0;
  if (l > 0) {
    bin = kBins - 1;
    for (size_t i = 1; i < kBinEdges.size(); ++i) {
      if (l <= kBinEdges[i]) {
        bin = i;
        break;
      }
    }
  }
  ++hist_[bin];
}

std::string ErrorReport::bin_label(size_t i) {
  if (i == 0) return "0";
  if (i < kBinEdges.size()) return fmt::format("<={}", kBinEdges[i]);
  return fmt::format(">{}", kBinEdges.back());
}

std::string ErrorReport::table_header() {
  return fmt::format("{:<28} {:>7} {:>11} {:>11} {:>8} {:>8} {:>12}", "what", "n", "max abs", "mean abs",
                     "max LSB", "mean LSB", "worst input");
}

std::string ErrorReport::table_row() const {
  return fmt::format("{:<28} {:>7} {:>11.3e} {:>11.3e} {:>8.4f} {:>8.4f} {:>12.6g}", label_, count_, max_abs_error(),
                     mean_abs_error(), max_lsb_error(), mean_lsb_error(), worst_input_);
}

std::string ErrorReport::histogram_line() const {
  std::string s;
  for (size_t i = 0; i < kBins; ++i) s += fmt::format("{}{}:{}", i ? " " : "", bin_label(i), hist_[i]);
  return s;
}

nlohmann::json ErrorReport::to_json() const {
  nlohmann::json hist = nlohmann::json::object();
  for (size_t i = 0; i < kBins; ++i) hist[bin_label(i)] = hist_[i];
  return {{"label", label_},
          {"count", count_},
          {"lsb", lsb_},
          {"max_abs_error", max_abs_},
          {"mean_abs_error", mean_abs_error()},
          {"max_lsb_error", max_lsb_error()},
          {"mean_lsb_error", mean_lsb_error()},
          {"worst", {{"index", worst_index_}, {"input", worst_input_}, {"reference", worst_ref_}, {"got", worst_got_}}},
          {"histogram_lsb", hist}};
}

}  // namespace tc0::numerics
