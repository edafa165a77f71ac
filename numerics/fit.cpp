#include "numerics/fit.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

namespace tc0::numerics {

double PowerFit::at(double x) const { return coefficient * std::pow(x, exponent); }

PowerFit fit_power_law(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) throw std::invalid_argument("fit_power_law: x and y differ in length");
  std::vector<double> lx, ly;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i] > 0 && y[i] > 0) lx.push_back(std::log(x[i])), ly.push_back(std::log(y[i]));
  PowerFit f;
  f.points = lx.size();
  if (f.points < 2) return f;
  const double n = double(f.points);
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < lx.size(); ++i) sx += lx[i], sy += ly[i], sxx += lx[i] * lx[i], sxy += lx[i] * ly[i];
  const double den = n * sxx - sx * sx;
  if (den <= 0) {  // one distinct x: no slope to fit
    f.points = 1;
    return f;
  }
  f.exponent = (n * sxy - sx * sy) / den;
  const double intercept = (sy - f.exponent * sx) / n;
  f.coefficient = std::exp(intercept);
  double ss = 0;
  for (size_t i = 0; i < lx.size(); ++i) {
    const double r = ly[i] - (intercept + f.exponent * lx[i]);
    ss += r * r;
  }
  f.residual = std::sqrt(ss / n);
  return f;
}

}  // namespace tc0::numerics
