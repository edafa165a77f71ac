#include "proofs/bv.hpp"

#include <algorithm>
#include <stdexcept>

namespace tc0::proofs {

std::string to_decimal(Weight v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  // Work on the unsigned magnitude so that -2^127 does not overflow.
  unsigned __int128 m = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
  std::string s;
  while (m > 0) {
    s.push_back(char('0' + int(m % 10)));
    m /= 10;
  }
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

BigInt to_big(Weight v) { return BigInt(to_decimal(v)); }

unsigned width_of(const z3::expr& bv) { return bv.get_sort().bv_size(); }

z3::expr bv_num(z3::context& ctx, const BigInt& v, unsigned width) {
  BigInt mod = BigInt(1) << width;
  BigInt r = v % mod;
  if (r < 0) r += mod;
  return ctx.bv_val(r.str().c_str(), width);
}

z3::expr sext_to(const z3::expr& bv, unsigned width) {
  unsigned w = width_of(bv);
  if (width < w) throw std::logic_error("sext_to: narrowing");
  return width == w ? bv : z3::sext(bv, width - w);
}

z3::expr zext_to(const z3::expr& bv, unsigned width) {
  unsigned w = width_of(bv);
  if (width < w) throw std::logic_error("zext_to: narrowing");
  return width == w ? bv : z3::zext(bv, width - w);
}

unsigned bit_length(const BigInt& v) {
  BigInt a = v < 0 ? BigInt(-v) : v;
  unsigned n = 0;
  while (a > 0) {
    a >>= 1;
    ++n;
  }
  return n;
}

unsigned signed_bits(const BigInt& lo, const BigInt& hi) {
  // w bits hold [-2^(w-1), 2^(w-1) - 1].
  unsigned w = 1;
  while (lo < -(BigInt(1) << (w - 1)) || hi > (BigInt(1) << (w - 1)) - 1) ++w;
  return w;
}

z3::expr abs_wide(const z3::expr& bv) {
  z3::expr x = sext_to(bv, width_of(bv) + 1);
  return z3::ite(x < 0, -x, x);
}

BigInt model_value(const z3::model& m, const z3::expr& bv, bool is_signed) {
  z3::expr v = m.eval(bv, true);
  if (!v.is_numeral()) throw std::runtime_error("model value is not a numeral: " + v.to_string());
  BigInt u(v.get_decimal_string(0));
  unsigned w = width_of(bv);
  if (is_signed && u >= (BigInt(1) << (w - 1))) u -= BigInt(1) << w;
  return u;
}

int64_t model_int64(const z3::model& m, const z3::expr& bv, bool is_signed) {
  BigInt v = model_value(m, bv, is_signed);
  if (!is_signed && width_of(bv) == 64) return int64_t(static_cast<uint64_t>(v));
  return static_cast<int64_t>(v);
}

}  // namespace tc0::proofs
