#pragma once
// Error of computed values against a reference (SPEC section 2): max and mean absolute error, the
// error in output LSBs, the worst input (its index and value) and a histogram of LSB errors.
#include <array>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace tc0::numerics {

class ErrorReport {
 public:
  // Upper edges of the histogram bins, in output LSBs: bin 0 holds exact matches (error 0), bin i
  // (i >= 1) holds kBinEdges[i-1] < e <= kBinEdges[i] with kBinEdges[0] = 0, the last bin the rest.
  static constexpr std::array<double, 8> kBinEdges = {0, 0.5, 1, 2, 4, 8, 16, 64};
  static constexpr size_t kBins = kBinEdges.size() + 1;

  // lsb: the output format's LSB (2^-f); must be positive and finite.
  explicit ErrorReport(double lsb, std::string label = {});

  // One (reference, got) pair for the input with this index and value. A non-finite reference or
  // value is an error (clamp references to the output range before comparing).
  void add(double reference, double got, size_t index, double input);

  size_t count() const { return count_; }
  double lsb() const { return lsb_; }
  double max_abs_error() const { return max_abs_; }
  double mean_abs_error() const { return count_ ? sum_abs_ / static_cast<double>(count_) : 0.0; }
  double max_lsb_error() const { return max_abs_ / lsb_; }
  double mean_lsb_error() const { return mean_abs_error() / lsb_; }
  size_t worst_index() const { return worst_index_; }
  double worst_input() const { return worst_input_; }
  double worst_reference() const { return worst_ref_; }
  double worst_got() const { return worst_got_; }
  const std::array<size_t, kBins>& histogram() const { return hist_; }
  const std::string& label() const { return label_; }

  // Label of bin i, e.g. "0", "<=0.5", "<=1", ">64".
  static std::string bin_label(size_t i);
  // One row: label, count, max/mean abs error, max/mean LSB error, worst input.
  static std::string table_header();
  std::string table_row() const;
  // Histogram as "label:count" pairs on one line.
  std::string histogram_line() const;
  nlohmann::json to_json() const;

 private:
  double lsb_;
  std::string label_;
  size_t count_ = 0;
  double max_abs_ = 0, sum_abs_ = 0;
  size_t worst_index_ = 0;
  double worst_input_ = 0, worst_ref_ = 0, worst_got_ = 0;
  std::array<size_t, kBins> hist_{};
};

}  // namespace tc0::numerics
