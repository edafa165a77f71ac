#pragma once
// A fixed-point format Q(w,f): a two's-complement integer of w bits (sign included) scaled by 2^-f.
// SPEC section 2. Legal formats: 2 <= w <= 64 and -128 <= f <= 128; anything else is refused.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tc0::numerics {

// Thrown for an impossible format; the message says which bound was broken and what is legal.
struct FormatError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class Format {
 public:
  static constexpr int kMinWidth = 2;
  static constexpr int kMaxWidth = 64;
  static constexpr int kMinFrac = -128;
  static constexpr int kMaxFrac = 128;

  // Validating constructor: throws FormatError for an illegal (w, f).
  Format(int w, int f);
  // Parses "Q(w,f)" or "Qw.f" (w total bits, f fraction bits); throws FormatError on anything else.
  static Format parse(std::string_view text);

  int width() const { return w_; }
  int frac() const { return f_; }
  // Inline: called on every rounding.
  int64_t min_raw() const { return w_ == 64 ? INT64_MIN : -(int64_t{1} << (w_ - 1)); }  // -2^(w-1)
  int64_t max_raw() const { return w_ == 64 ? INT64_MAX : (int64_t{1} << (w_ - 1)) - 1; }  // 2^(w-1) - 1
  bool contains_raw(int64_t raw) const { return raw >= min_raw() && raw <= max_raw(); }
  double lsb() const;        // 2^-f as a double (exact for the legal range)
  std::string str() const;   // "Q(w,f)"

  friend bool operator==(const Format&, const Format&) = default;

 private:
  int w_;
  int f_;
};

}  // namespace tc0::numerics
