#pragma once
// FixedArith that also records the result of every operation WireArith records (same kinds, same
// order), so a circuit's intermediate buses can be compared with the Fixed model op by op.
#include <vector>

#include "sampler/arith_fixed.hpp"

namespace tc0::sampler::compile {

class RecordingFixed {
 public:
  using Value = Fixed;
  explicit RecordingFixed(std::vector<Fixed>* rec) : rec_(rec) {}

  Fixed input(const Fixed& x) const { return a_.input(x); }
  Fixed constant(const Const& c) const { return a_.constant(c); }
  Fixed trig(Trig fn, const Rational& q, Format out) const { return a_.trig(fn, q, out); }
  Fixed linear(std::span<const Const> w, std::span<const Fixed> x, std::span<const Const> b, const Rational& off,
               Format out) const {
    return put(a_.linear(w, x, b, off, out));
  }
  Fixed lincomb(const Rational& off, std::span<const Rational> c, std::span<const Fixed> x, Format out) const {
    return put(a_.lincomb(off, c, x, out));
  }
  Fixed dot(std::span<const Fixed> x, std::span<const Fixed> y, const Rational& k, const Rational& off,
            Format out) const {
    return put(a_.dot(x, y, k, off, out));
  }
  Fixed mul(const Fixed& x, const Fixed& y, Format out) const { return put(a_.mul(x, y, out)); }
  Fixed mul_add(const Fixed& x, const Fixed& y, const Fixed& c, Format out) const { return put(a_.mul_add(x, y, c, out)); }
  Fixed sum(std::span<const Fixed> x, Format out) const { return put(a_.sum(x, out)); }
  Fixed max(std::span<const Fixed> x, Format out) const { return put(a_.max(x, out)); }
  Fixed unary(UnaryFn fn, const Fixed& x, Format out) const { return put(a_.unary(fn, x, out)); }
  Fixed convert(const Fixed& x, Format out) const { return put(a_.convert(x, out)); }
  double to_double(const Fixed& x) const { return x.to_double(); }

 private:
  Fixed put(Fixed f) const {
    rec_->push_back(f);
    return f;
  }
  FixedArith a_;
  std::vector<Fixed>* rec_;
};

static_assert(ArithPolicy<RecordingFixed>);

}  // namespace tc0::sampler::compile
