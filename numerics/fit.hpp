#pragma once
// Power-law fits y ~ c x^e by least squares on (log x, log y), for the size exponents of `tc0flow
// bounds`. The residual is the root mean square of the log residuals: 0 when every point lies on
// the curve, ln(2) = 0.69 when points sit a factor of 2 off it.
#include <cstddef>
#include <span>

namespace tc0::numerics {

struct PowerFit {
  double exponent = 0;
  double coefficient = 0;
  double residual = 0;
  size_t points = 0;  // points with x > 0 and y > 0 (the others are left out)
  bool valid() const { return points >= 2; }
  double at(double x) const;
};

PowerFit fit_power_law(std::span<const double> x, std::span<const double> y);

}  // namespace tc0::numerics
