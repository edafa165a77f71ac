#pragma once
// Closed-form fields of SPEC 1.3: data x ~ N(mu, s^2 I), linear path z_t = (1-t) x + t e.
// Every field is a template over the scalar it is evaluated in (double, Mpfr, Dual<double>,
// Dual<Mpfr>, ...); the parameters mu and s are stored in the base scalar S and promoted.
//
// The closed forms of u and abar divide a difference of nearby quantities by t-r and therefore
// lose about log2(1/(t-r)) bits; callers keep t-r >= 1e-3 in double (SPEC 1.3). They are refused
// for r >= t (0/0): the boundary r -> t is a limit, checked as such by the identity evaluator.
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace tc0::sampler::oracle {

template <class S>
class GaussianOracle {
 public:
  GaussianOracle(std::vector<S> mu, S s) : mu_(std::move(mu)), s_(std::move(s)) {
    if (mu_.empty()) throw std::invalid_argument("Gaussian oracle: mu is empty; give at least one dimension");
    if (!(s_ > S(0)))
      throw std::invalid_argument("Gaussian oracle: the data standard deviation s must be > 0 (use e.g. --s 0.5)");
  }

  std::size_t dim() const { return mu_.size(); }
  const std::vector<S>& mu() const { return mu_; }
  const S& s() const { return s_; }

  // sigma_t = sqrt((1-t)^2 s^2 + t^2): standard deviation of the marginal z_t per dimension.
  template <class T>
  T sigma(const T& t) const {
    using std::sqrt;
    T one_t = T(1) - t;
    T s = T(s_);
    return sqrt(one_t * one_t * s * s + t * t);
  }
  // sigma'_t = (t - (1-t) s^2) / sigma_t.
  template <class T>
  T sigma_prime(const T& t) const {
    T s = T(s_);
    return (t - (T(1) - t) * s * s) / sigma(t);
  }

  // v(z,t) = -mu + sigma'_t / sigma_t * w, w = z - (1-t) mu.
  template <class T>
  std::vector<T> v(const std::vector<T>& z, const T& t) const {
    auto w = centred(z, t);
    T c = sigma_prime(t) / sigma(t);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = c * w[i] - T(mu_[i]);
    return w;
  }

  // a(z,t) = s^2 / sigma_t^4 * w (kinematic acceleration, SPEC 1.1).
  template <class T>
  std::vector<T> a(const std::vector<T>& z, const T& t) const {
    auto w = centred(z, t);
    T sg = sigma(t);
    T s = T(s_);
    T c = s * s / (sg * sg * sg * sg);
    for (auto& x : w) x = c * x;
    return w;
  }

  // u(z,r,t) = -mu + (1 - sigma_r / sigma_t) / (t-r) * w.
  template <class T>
  std::vector<T> u(const std::vector<T>& z, const T& r, const T& t) const {
    require_ordered(r, t, "u");
    auto w = centred(z, t);
    T c = (T(1) - sigma(r) / sigma(t)) / (t - r);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = c * w[i] - T(mu_[i]);
    return w;
  }

  // abar(z,r,t) = (sigma'_t - sigma'_r) / ((t-r) sigma_t) * w.
  template <class T>
  std::vector<T> abar(const std::vector<T>& z, const T& r, const T& t) const {
    require_ordered(r, t, "abar");
    auto w = centred(z, t);
    T c = (sigma_prime(t) - sigma_prime(r)) / ((t - r) * sigma(t));
    for (auto& x : w) x = c * x;
    return w;
  }

  // The ODE trajectory through z at time t, evaluated at time q: (1-q) mu + sigma_q / sigma_t * w.
  template <class T>
  std::vector<T> trajectory(const std::vector<T>& z, const T& t, const T& q) const {
    auto w = centred(z, t);
    T c = sigma(q) / sigma(t);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = c * w[i] + (T(1) - q) * T(mu_[i]);
    return w;
  }

  // Exact kinematic remainder integral_r^t (q-r) a(z_q,q) dq = w/sigma_t ((t-r) sigma'_t - sigma_t + sigma_r).
  template <class T>
  std::vector<T> kinematic_remainder(const std::vector<T>& z, const T& r, const T& t) const {
    require_ordered(r, t, "kinematic_remainder");
    auto w = centred(z, t);
    T st = sigma(t);
    T c = ((t - r) * sigma_prime(t) - st + sigma(r)) / st;
    for (auto& x : w) x = c * x;
    return w;
  }

  // A point distributed as z_t when `noise` is standard normal: (1-t) mu + sigma_t * noise.
  template <class T>
  std::vector<T> sample_point(const std::vector<T>& noise, const T& t) const {
    check_dim(noise, "sample_point");
    std::vector<T> z(noise.size());
    T sg = sigma(t);
    for (std::size_t i = 0; i < z.size(); ++i) z[i] = (T(1) - t) * T(mu_[i]) + sg * noise[i];
    return z;
  }

 private:
  template <class T>
  void check_dim(const std::vector<T>& z, const char* what) const {
    if (z.size() != mu_.size())
      throw std::invalid_argument(std::string("Gaussian oracle ") + what + ": z has " +
                                  std::to_string(z.size()) + " components but mu has " +
                                  std::to_string(mu_.size()) + "; pass z of the data dimension");
  }
  template <class T>
  std::vector<T> centred(const std::vector<T>& z, const T& t) const {
    check_dim(z, "field");
    std::vector<T> w(z.size());
    for (std::size_t i = 0; i < z.size(); ++i) w[i] = z[i] - (T(1) - t) * T(mu_[i]);
    return w;
  }
  template <class T>
  static void require_ordered(const T& r, const T& t, const char* what) {
    if (!(r < t))
      throw std::invalid_argument(std::string("Gaussian oracle ") + what +
                                  "(z,r,t): the closed form needs r < t (r = t is the limit v, "
                                  "checked as a limit); swap or separate r and t");
  }

  std::vector<S> mu_;
  S s_;
};

}  // namespace tc0::sampler::oracle
