#pragma once
// float64 policy: the reference that follows the operation graph without rounding (formats are
// ignored). By default it computes with the trained float weights; with quantised_weights it uses
// the fixed-point weights instead, which isolates the effect of activation rounding.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sampler/arith.hpp"

namespace tc0::sampler {

class DoubleArith {
 public:
  using Value = double;
  explicit DoubleArith(bool quantised_weights = false) : quantised_(quantised_weights) {}

  double input(const Fixed& x) const { return x.to_double(); }
  double constant(const Const& c) const { return quantised_ ? c.fixed.to_double() : c.value; }
  double trig(Trig fn, const Rational& q, Format) const {
    double x = q.convert_to<double>();
    return fn == Trig::cos ? std::cos(x) : std::sin(x);
  }
  double linear(std::span<const Const> w, std::span<const double> x, std::span<const Const> bias,
                const Rational& offset, Format) const {
    check(w.size(), x.size());
    double s = 0;
    for (size_t i = 0; i < w.size(); ++i) s += constant(w[i]) * x[i];
    for (const Const& b : bias) s += constant(b);
    return s + offset.convert_to<double>();
  }
  double lincomb(const Rational& offset, std::span<const Rational> c, std::span<const double> x, Format) const {
    check(c.size(), x.size());
    double s = offset.convert_to<double>();
    for (size_t i = 0; i < c.size(); ++i) s += c[i].convert_to<double>() * x[i];
    return s;
  }
  double dot(std::span<const double> x, std::span<const double> y, const Rational& scale, const Rational& offset,
             Format) const {
    check(x.size(), y.size());
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
    return s * scale.convert_to<double>() + offset.convert_to<double>();
  }
  double mul(double a, double b, Format) const { return a * b; }
  double mul_add(double a, double b, double c, Format) const { return a * b + c; }
  double sum(std::span<const double> x, Format) const {
    double s = 0;
    for (double v : x) s += v;
    return s;
  }
  double max(std::span<const double> x, Format) const {
    if (x.empty()) throw std::invalid_argument("max of an empty list");
    return *std::max_element(x.begin(), x.end());
  }
  double unary(UnaryFn fn, double x, Format) const;
  double convert(double x, Format) const { return x; }
  double to_double(double x) const { return x; }

 private:
  static void check(size_t a, size_t b) {
    if (a != b) throw std::invalid_argument("arith: operand length mismatch");
  }
  bool quantised_;
};

}  // namespace tc0::sampler
