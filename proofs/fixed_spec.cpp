#include "proofs/fixed_spec.hpp"

#include <algorithm>
#include <stdexcept>

namespace tc0::proofs {

ExactBV exact_raw(const z3::expr& raw, numerics::Format f) {
  if (width_of(raw) != unsigned(f.width())) throw std::logic_error("exact_raw: width does not match the format");
  return {raw, f.frac()};
}

ExactBV exact_const(z3::context& ctx, const BigInt& num, int frac) {
  return {bv_num(ctx, num, signed_bits(num, num)), frac};
}

ExactBV align(const ExactBV& a, int frac) {
  if (frac < a.frac) throw std::logic_error("align: would drop fraction bits");
  int d = frac - a.frac;
  if (d == 0) return a;
  z3::expr wide = sext_to(a.bits, a.width() + unsigned(d));
  return {z3::shl(wide, wide.ctx().bv_val(d, width_of(wide))), frac};
}

namespace {
// Both operands aligned to a common binary point and sign-extended to a common width + extra.
std::pair<z3::expr, z3::expr> common(const ExactBV& a, const ExactBV& b, unsigned extra, int& frac) {
  frac = std::max(a.frac, b.frac);
  ExactBV x = align(a, frac), y = align(b, frac);
  unsigned w = std::max(x.width(), y.width()) + extra;
  return {sext_to(x.bits, w), sext_to(y.bits, w)};
}
}  // namespace

ExactBV exact_add(const ExactBV& a, const ExactBV& b) {
  int frac;
  auto [x, y] = common(a, b, 1, frac);  // one carry bit: |x + y| < 2^w
  return {x + y, frac};
}

ExactBV exact_sub(const ExactBV& a, const ExactBV& b) {
  int frac;
  auto [x, y] = common(a, b, 1, frac);
  return {x - y, frac};
}

ExactBV exact_neg(const ExactBV& a) {
  z3::expr x = sext_to(a.bits, a.width() + 1);  // -(-2^(w-1)) needs one more bit
  return {-x, a.frac};
}

ExactBV exact_mul(const ExactBV& a, const ExactBV& b) {
  unsigned w = a.width() + b.width();  // |x y| <= 2^(wa-1) 2^(wb-1) fits in wa + wb signed bits
  return {sext_to(a.bits, w) * sext_to(b.bits, w), a.frac + b.frac};
}

ExactBV exact_mul_const(const ExactBV& a, const BigInt& num, int frac) {
  return exact_mul(a, exact_const(a.bits.ctx(), num, frac));
}

z3::expr exact_eq(const ExactBV& a, const ExactBV& b) {
  int frac;
  auto [x, y] = common(a, b, 0, frac);
  return x == y;
}

z3::expr exact_le(const ExactBV& a, const ExactBV& b) {
  int frac;
  auto [x, y] = common(a, b, 0, frac);
  return z3::sle(x, y);
}

z3::expr round_shift_half_even(const z3::expr& n_in, int shift) {
  if (shift < 1) throw std::logic_error("round_shift_half_even: shift must be >= 1");
  z3::expr n = sext_to(n_in, std::max(width_of(n_in), unsigned(shift) + 2));
  unsigned w = width_of(n);
  z3::context& ctx = n.ctx();
  z3::expr q = z3::ashr(n, ctx.bv_val(shift, w));                 // floor(n / 2^shift)
  z3::expr round_bit = n.extract(unsigned(shift) - 1, unsigned(shift) - 1) == ctx.bv_val(1, 1);
  z3::expr sticky = shift >= 2 ? n.extract(unsigned(shift) - 2, 0) != ctx.bv_val(0, unsigned(shift) - 1)
                               : ctx.bool_val(false);
  z3::expr odd = n.extract(unsigned(shift), unsigned(shift)) == ctx.bv_val(1, 1);
  // Above the half: round up; exactly half: up only when the floor is odd (ties to even).
  z3::expr up = round_bit && (sticky || odd);
  // q <= (2^(w-1) - 1) / 2^shift, so q + 1 cannot wrap in w bits.
  return z3::ite(up, q + ctx.bv_val(1, w), q);
}

z3::expr saturate(const z3::expr& n, numerics::Format out) {
  unsigned ow = unsigned(out.width());
  unsigned w = width_of(n);
  if (w <= ow) return sext_to(n, ow);
  z3::context& ctx = n.ctx();
  z3::expr hi = bv_num(ctx, BigInt(out.max_raw()), w);
  z3::expr lo = bv_num(ctx, BigInt(out.min_raw()), w);
  z3::expr c = z3::ite(z3::sgt(n, hi), hi, z3::ite(z3::slt(n, lo), lo, n));
  return c.extract(ow - 1, 0);
}

namespace {
// The rounded (unsaturated) integer on out's grid.
z3::expr rounded_grid_value(const ExactBV& a, numerics::Format out) {
  int shift = a.frac - out.frac();
  if (shift >= 1) return round_shift_half_even(a.bits, shift);
  return align(a, out.frac()).bits;  // finer output grid: exact
}
}  // namespace

z3::expr round_to_format(const ExactBV& a, numerics::Format out) { return saturate(rounded_grid_value(a, out), out); }

z3::expr fits_without_saturation(const ExactBV& a, numerics::Format out) {
  z3::expr r = rounded_grid_value(a, out);
  unsigned w = std::max(width_of(r), unsigned(out.width()));
  z3::expr x = sext_to(r, w);
  return z3::sge(x, bv_num(r.ctx(), BigInt(out.min_raw()), w)) && z3::sle(x, bv_num(r.ctx(), BigInt(out.max_raw()), w));
}

}  // namespace tc0::proofs
