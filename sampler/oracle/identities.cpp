// Non-template parts of the identity evaluator, and its instantiations on the Gaussian oracle in
// double and MPFR (compiled once here rather than in every user).
#include "sampler/oracle/identities.hpp"

#include <cmath>

#include "sampler/oracle/gaussian_oracle.hpp"
#include "sampler/oracle/mpfr_scalar.hpp"

namespace tc0::sampler::oracle {

const char* to_string(IdentityKind k) {
  switch (k) {
    case IdentityKind::exact: return "exact";
    case IdentityKind::limit: return "limit";
    case IdentityKind::approximation: return "approximation";
  }
  return "?";
}

namespace {
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
// Uniform in (0, 1): 53 random bits, offset by half an ulp so log() never sees 0.
double uniform_open(std::uint64_t& state) {
  return (static_cast<double>(splitmix64(state) >> 11) + 0.5) * 0x1.0p-53;
}
}  // namespace

std::vector<double> normal_noise(std::uint64_t seed, std::uint64_t index, std::size_t dim) {
  std::uint64_t state = seed * 0x2545F4914F6CDD1Dull + index * 0x9E3779B97F4A7C15ull + 1;
  std::vector<double> out(dim);
  for (std::size_t i = 0; i < dim; i += 2) {
    double u1 = uniform_open(state), u2 = uniform_open(state);
    double rad = std::sqrt(-2.0 * std::log(u1));
    out[i] = rad * std::cos(2.0 * M_PI * u2);
    if (i + 1 < dim) out[i + 1] = rad * std::sin(2.0 * M_PI * u2);
  }
  return out;
}

double fitted_order(const std::vector<std::pair<double, double>>& steps) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int n = 0;
  for (auto [h, r] : steps) {
    if (!(h > 0 && r > 0)) continue;
    double x = std::log(h), y = std::log(r);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
    ++n;
  }
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

template std::vector<IdentityResult> evaluate_identities<double, GaussianOracle<double>>(
    const GaussianOracle<double>&, std::size_t, const IdentityOptions&);
template std::vector<IdentityResult> evaluate_identities<Mpfr, GaussianOracle<Mpfr>>(
    const GaussianOracle<Mpfr>&, std::size_t, const IdentityOptions&);

}  // namespace tc0::sampler::oracle
