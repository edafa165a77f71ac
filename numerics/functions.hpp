#pragma once
// Correctly rounded unary functions (SPEC section 2). The exact real function value is enclosed in
// an interval computed with MPFR under directed rounding; when both ends round to the same output
// value (or the enclosure is a single exactly computed point) the result is certain, otherwise the
// precision is doubled and the evaluation repeated. Results are rounded once: half to even, then
// saturated. Tables cache these results for inputs of at most 16 bits; no float arithmetic is used
// anywhere on this path.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "numerics/fixed.hpp"
#include "numerics/format.hpp"

namespace tc0::numerics {

enum class UnaryFn {
  exp,         // e^x
  exp2,        // 2^x
  log,         // natural log; x <= 0 saturates to the smallest value
  reciprocal,  // 1/x; x == 0 saturates to the largest value
  sqrt,        // x < 0 gives 0
  rsqrt,       // 1/sqrt(x); x <= 0 saturates to the largest value
  sigmoid,     // 1 / (1 + e^-x)
  tanh,
  silu,        // x * sigmoid(x)
  gelu_tanh,   // x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), 0.044715 and sqrt(2/pi) exact
  gelu_erf,    // x/2 (1 + erf(x / sqrt(2)))
};

// Every function, in declaration order.
std::span<const UnaryFn> all_unary_fns();
std::string_view name(UnaryFn fn);
// Inverse of name(); throws std::invalid_argument listing the valid names for an unknown one.
UnaryFn unary_fn_from_name(std::string_view text);

// Largest input width a Table serves (SPEC section 2).
inline constexpr int kMaxTableInputWidth = 16;

// Statistics of one certified evaluation: how much precision the decision needed.
struct CertifyStats {
  int precision_bits = 0;  // precision of the final, decisive evaluation
  int retries = 0;         // how often the precision was doubled
  bool exact = false;      // the function value was computed exactly (every MPFR step exact)
};

// f(raw_in * 2^-in.frac) rounded once to out (half to even, then saturate), with the domain rules
// of SPEC section 2. Throws std::runtime_error if 8192 bits do not decide the rounding (which no
// legal input is known to need).
// start_bits (>= 64; 0: the default, 64 bits beyond the wider format) sets the first precision tried,
// so that tests can exercise the retry path.
int64_t correctly_rounded(UnaryFn fn, int64_t raw_in, Format in, Format out, CertifyStats* stats = nullptr,
                          int start_bits = 0);

// The table of fn from in (width <= 16) to out: one certified entry per input bit pattern. Built
// on first use and shared afterwards; get() is safe to call from several threads.
class Table {
 public:
  // Throws std::invalid_argument for an input wider than kMaxTableInputWidth.
  static const Table& get(UnaryFn fn, Format in, Format out);
  // Builds a table without caching it (for tests and benchmarks).
  Table(UnaryFn fn, Format in, Format out);

  UnaryFn fn() const { return fn_; }
  Format in() const { return in_; }
  Format out() const { return out_; }
  size_t size() const { return entries_.size(); }
  // Output raw value for an input raw value; raw must lie in in()'s range (checked only in debug).
  int64_t lookup(int64_t raw_in) const { return entries_[static_cast<size_t>(raw_in - in_.min_raw())]; }
  // Same with a range check that throws FormatError.
  int64_t at(int64_t raw_in) const;
  // Largest precision any entry needed, and how many entries needed more than the first attempt.
  int max_precision_bits() const { return max_precision_; }
  size_t retried_entries() const { return retried_; }

 private:
  UnaryFn fn_;
  Format in_;
  Format out_;
  std::vector<int64_t> entries_;
  int max_precision_ = 0;
  size_t retried_ = 0;
};

// fn(x) rounded to out through the cached table of (fn, x.fmt, out). A wider x is refused with an
// error saying to round it to a table format first (SPEC 2.3: f(round(S)), never f(S)).
Fixed apply(UnaryFn fn, const Fixed& x, Format out);

}  // namespace tc0::numerics
