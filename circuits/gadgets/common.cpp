#include "circuits/gadgets/common.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tc0::circuits::gadgets {

namespace {
constexpr Weight kLimit = Weight(1) << 124;
}

Weight add_w(Weight a, Weight b, const char* what) {
  Weight r;
  if (__builtin_add_overflow(a, b, &r) || r >= kLimit || r <= -kLimit)
    throw CircuitError(fmt::format("{}: an exact sum or threshold needs 124 bits or more; use narrower formats or "
                                   "split the linear form",
                                   what));
  return r;
}

Weight mul_w(Weight a, Weight b, const char* what) {
  Weight r;
  if (__builtin_mul_overflow(a, b, &r) || r >= kLimit || r <= -kLimit)
    throw CircuitError(fmt::format("{}: a weight needs 124 bits or more; use narrower formats", what));
  return r;
}

Weight pow2_w(int k, const char* what) {
  if (k < 0 || k >= 124) throw CircuitError(fmt::format("{}: weight 2^{} is outside [2^0, 2^123]", what, k));
  return Weight(1) << k;
}

Weight LinearForm::min_value() const {
  Weight v = constant;
  for (const Term& t : terms)
    if (t.w < 0) v = add_w(v, t.w, "linear form");
  return v;
}

Weight LinearForm::max_value() const {
  Weight v = constant;
  for (const Term& t : terms)
    if (t.w > 0) v = add_w(v, t.w, "linear form");
  return v;
}

int bit_length(Weight v) {
  if (v < 0) v = -v;
  int b = 0;
  while (v != 0) {
    ++b;
    v >>= 1;
  }
  return b;
}

void append_bus_terms(LinearForm& lf, const Bus& bus, Weight scale, int shift, const char* what) {
  size_t w = bus.bits.size();
  for (size_t i = 0; i < w; ++i) {
    Weight bw = pow2_w(int(i) + shift, what);
    if (bus.is_signed && i + 1 == w) bw = -bw;
    lf.terms.push_back({bus.bits[i], mul_w(bw, scale, what)});
  }
}

std::vector<Signal> all_bits(std::span<const Bus> buses) {
  std::vector<Signal> out;
  for (const Bus& b : buses) out.insert(out.end(), b.bits.begin(), b.bits.end());
  return out;
}

}  // namespace tc0::circuits::gadgets
