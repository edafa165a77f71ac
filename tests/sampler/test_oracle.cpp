// Identity oracle (SPEC 1.3): the closed-form Gaussian fields against independent references
// (Gaussian conditioning, RK4 integration of the ODE, Gauss-Legendre averages along trajectories,
// analytic derivatives), and every identity of SPEC 1.2 evaluated on them in double and MPFR.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sampler/oracle/dual.hpp"
#include "sampler/oracle/gaussian_oracle.hpp"
#include "sampler/oracle/identities.hpp"
#include "sampler/oracle/mpfr_scalar.hpp"
#include "sampler/oracle/quadrature.hpp"

using namespace tc0::sampler::oracle;

namespace {

struct Case {
  std::vector<double> mu;
  double s;
};
// Several means, spreads (s < 1, = 1, > 1) and dimensions.
const std::vector<Case> kCases = {
    {{0.0}, 0.5}, {{1.5, -2.0}, 0.3}, {{0.7, -0.4, 2.5, -3.0, 0.1}, 1.0}, {{-1.0, 3.0, 0.25}, 2.0}};

template <class S>
GaussianOracle<S> make(const Case& c) {
  return GaussianOracle<S>(std::vector<S>(c.mu.begin(), c.mu.end()), S(c.s));
}

template <class S>
std::vector<S> to_s(const std::vector<double>& x) {
  return std::vector<S>(x.begin(), x.end());
}

template <class S>
double diff(const std::vector<S>& a, const std::vector<S>& b) {
  return detail::max_abs_diff(a, b);
}

// Composite Gauss-Legendre over `panels` equal panels of [a, b], vector integrand.
template <class S, class F>
std::vector<S> integrate_vec(F&& f, S a, S b, std::size_t dim, const GaussLegendre<S>& gl, int panels) {
  std::vector<S> acc(dim, S(0));
  S width = (b - a) / S(panels);
  for (int p = 0; p < panels; ++p) {
    S lo = a + S(p) * width, hi = lo + width;
    S half = (hi - lo) / S(2), mid = (hi + lo) / S(2);
    for (std::size_t k = 0; k < gl.nodes.size(); ++k) {
      auto y = f(mid + half * gl.nodes[k]);
      for (std::size_t i = 0; i < dim; ++i) acc[i] += gl.weights[k] * half * y[i];
    }
  }
  return acc;
}

const std::vector<std::pair<double, double>> kPairs = {{0.0, 1.0}, {0.2, 0.7}, {0.5, 0.501}, {0.999, 1.0}, {0.0, 0.001}};

}  // namespace

TEST(Dual, DerivativesMatchAnalyticForms) {
  // f(x) = sqrt(x^2 + 1) / (x + 3) - 2 x exp(x/4); f' by hand.
  for (double x0 : {-1.5, 0.0, 0.3, 2.0}) {
    Dual<double> x(x0, 1.0);
    auto f = sqrt(x * x + 1) / (x + 3) - 2 * x * exp(x / 4);
    double g = std::sqrt(x0 * x0 + 1);
    double expect = (x0 / g * (x0 + 3) - g) / ((x0 + 3) * (x0 + 3)) - 2 * std::exp(x0 / 4) * (1 + x0 / 4);
    EXPECT_NEAR(f.der, expect, 1e-14 * (1 + std::abs(expect))) << "x = " << x0;
    EXPECT_NEAR(f.val, g / (x0 + 3) - 2 * x0 * std::exp(x0 / 4), 1e-14);
  }
}

TEST(GaussLegendre, IntegratesPolynomialsExactlyInMpfr) {
  MpfrPrecision prec(128);
  GaussLegendre<Mpfr> gl(10);  // exact up to degree 19
  Mpfr got = gl.integrate([](const Mpfr& q) { return pow(q, 19) + pow(q, 18) * 3 - q; }, Mpfr(-0.5), Mpfr(2));
  // antiderivative q^20/20 + 3 q^19/19 - q^2/2, evaluated exactly in rationals via MPFR at high precision
  auto F = [](const Mpfr& q) { return pow(q, 20) / 20 + pow(q, 19) * 3 / 19 - q * q / 2; };
  Mpfr expect = F(Mpfr(2)) - F(Mpfr(-0.5));
  EXPECT_LT(static_cast<double>(abs(got - expect) / abs(expect)), 1e-35);
}

TEST(Oracle, VelocityIsTheGaussianConditionalMean) {
  // E[e - x | z_t = z] by linear-Gaussian conditioning: E[e-x] + Cov(e-x, z_t) / Var(z_t) (z - E z_t),
  // Cov = t - (1-t) s^2 per dimension, Var = (1-t)^2 s^2 + t^2.
  MpfrPrecision prec(128);
  for (const auto& c : kCases) {
    auto o = make<Mpfr>(c);
    for (double td : {0.0, 0.3, 0.999, 1.0}) {
      Mpfr t(td), s(c.s);
      auto z = to_s<Mpfr>(normal_noise(7, 0, c.mu.size()));
      std::vector<Mpfr> expect(z.size());
      Mpfr var = (1 - t) * (1 - t) * s * s + t * t, cov = t - (1 - t) * s * s;
      for (std::size_t i = 0; i < z.size(); ++i) expect[i] = -Mpfr(c.mu[i]) + cov / var * (z[i] - (1 - t) * c.mu[i]);
      EXPECT_LT(diff(o.v(z, t), expect), 1e-35) << "t = " << td;
    }
  }
}

TEST(Oracle, TrajectorySolvesTheOde) {
  // Classical RK4 on dz/dq = v(z,q) from t down to r, 4000 steps, in double.
  for (const auto& c : kCases) {
    auto o = make<double>(c);
    for (auto [r, t] : kPairs) {
      auto z = o.sample_point(normal_noise(3, 1, c.mu.size()), t);
      auto y = z;
      const int n = 4000;
      double h = (r - t) / n;
      for (int k = 0; k < n; ++k) {
        double q = t + k * h;
        auto k1 = o.v(y, q);
        auto k2 = o.v(detail::axpy(y, h / 2, k1), q + h / 2);
        auto k3 = o.v(detail::axpy(y, h / 2, k2), q + h / 2);
        auto k4 = o.v(detail::axpy(y, h, k3), q + h);
        for (std::size_t i = 0; i < y.size(); ++i) y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
      }
      EXPECT_LT(diff(o.trajectory(z, t, r), y), 1e-11) << "r = " << r << " t = " << t;
    }
  }
}

TEST(Oracle, AveragesMatchQuadratureAlongTheTrajectoryInMpfr) {
  // u = average of v, abar = average of a, remainder = integral of (q-r) a, all along the exact
  // trajectory, by 8-panel 40-node Gauss-Legendre at 160 bits; closed forms at 128 bits.
  MpfrPrecision prec(160);
  GaussLegendre<Mpfr> gl(40);
  for (const auto& c : kCases) {
    auto o = make<Mpfr>(c);
    const std::size_t d = c.mu.size();
    for (auto [rd, td] : kPairs) {
      Mpfr r(rd), t(td), h = t - r;
      auto z = o.sample_point(to_s<Mpfr>(normal_noise(5, 2, d)), t);
      auto along = [&](auto field) {
        return integrate_vec<Mpfr>([&](const Mpfr& q) { return field(o.trajectory(z, t, q), q); }, r, t, d, gl, 8);
      };
      auto iv = along([&](const std::vector<Mpfr>& zq, const Mpfr& q) { return o.v(zq, q); });
      auto ia = along([&](const std::vector<Mpfr>& zq, const Mpfr& q) { return o.a(zq, q); });
      auto ir = along([&](const std::vector<Mpfr>& zq, const Mpfr& q) {
        auto a = o.a(zq, q);
        for (auto& x : a) x *= q - r;
        return a;
      });
      for (auto& x : iv) x /= h;
      for (auto& x : ia) x /= h;
      EXPECT_LT(diff(o.u(z, r, t), iv), 1e-30) << "u, r = " << rd << " t = " << td;
      EXPECT_LT(diff(o.abar(z, r, t), ia), 1e-30) << "abar, r = " << rd << " t = " << td;
      EXPECT_LT(diff(o.kinematic_remainder(z, r, t), ir), 1e-30) << "remainder, r = " << rd << " t = " << td;
    }
  }
}

TEST(Oracle, AccelerationIsTheSecondDerivativeOfSigma) {
  // a = sigma''_t / sigma_t * w with sigma'' from differentiating sigma twice by hand:
  // sigma'' = (1 + s^2 - sigma'^2) / sigma.
  for (const auto& c : kCases) {
    auto o = make<double>(c);
    for (double t : {0.0, 0.25, 0.8, 1.0}) {
      auto z = o.sample_point(normal_noise(9, 3, c.mu.size()), t);
      double sg = o.sigma(t), sp = o.sigma_prime(t), spp = (1 + c.s * c.s - sp * sp) / sg;
      std::vector<double> expect(z.size());
      for (std::size_t i = 0; i < z.size(); ++i) expect[i] = spp / sg * (z[i] - (1 - t) * c.mu[i]);
      EXPECT_LT(diff(o.a(z, t), expect), 1e-13) << "t = " << t;
    }
  }
}

namespace {
template <class S>
void expect_all_identities(const std::vector<IdentityResult>& res, const std::string& label) {
  ASSERT_EQ(res.size(), 11u);
  for (const auto& r : res) {
    EXPECT_TRUE(r.applicable) << label << " " << r.name;
    EXPECT_TRUE(r.pass) << label << " " << r.name << ": residual " << r.max_residual << " tol " << r.tolerance
                        << " order " << r.order << " at " << r.worst;
  }
}
const IdentityResult& find(const std::vector<IdentityResult>& res, const std::string& name) {
  for (const auto& r : res)
    if (r.name == name) return r;
  throw std::runtime_error("no identity " + name);
}
}  // namespace

TEST(Identities, HoldInDoubleToOneEMinus10) {
  for (const auto& c : kCases) {
    auto o = make<double>(c);
    IdentityOptions opt;
    opt.tolerance = 1e-10;
    auto res = evaluate_identities<double>(o, c.mu.size(), opt);
    expect_all_identities<double>(res, "double s=" + std::to_string(c.s));
    // Orders: boundaries linear, u ~= v - h/2 abar quadratic, the MF2 displacement cubic.
    EXPECT_NEAR(find(res, "boundary_u").order, 1.0, 0.05);
    EXPECT_NEAR(find(res, "boundary_abar").order, 1.0, 0.05);
    EXPECT_NEAR(find(res, "second_order_u").order, 2.0, 0.1);
    EXPECT_NEAR(find(res, "mf2_displacement").order, 3.0, 0.1);
  }
}

TEST(Identities, HoldInMpfr128ToOneEMinus30) {
  MpfrPrecision prec(128);
  ASSERT_EQ(prec.bits(), 128u);
  for (const auto& c : kCases) {
    auto o = make<Mpfr>(c);
    IdentityOptions opt;
    opt.tolerance = 1e-30;
    auto res = evaluate_identities<Mpfr>(o, c.mu.size(), opt);
    expect_all_identities<Mpfr>(res, "mpfr s=" + std::to_string(c.s));
    EXPECT_NEAR(find(res, "second_order_u").order, 2.0, 0.1);
  }
}

TEST(Identities, BoundaryResidualHalvesWithTheStep) {
  MpfrPrecision prec(128);
  auto o = make<Mpfr>(kCases[2]);
  IdentityOptions opt;
  opt.tolerance = 1e-30;
  auto res = evaluate_identities<Mpfr>(o, kCases[2].mu.size(), opt);
  for (const char* name : {"boundary_u", "boundary_abar"}) {
    const auto& st = find(res, name).steps;
    for (std::size_t k = 1; k < st.size(); ++k) {
      double ratio = st[k - 1].second / st[k].second;
      EXPECT_GT(ratio, 1.8) << name << " h = " << st[k].first;
      EXPECT_LT(ratio, 2.2) << name << " h = " << st[k].first;
    }
  }
}

namespace {
// The oracle with only u, abar, v visible (what a trained model offers), optionally with u
// perturbed by eps * (t - r)^2 * z so that u is no longer consistent with v.
struct HeadsOnly {
  GaussianOracle<double> o;
  double eps = 0;
  template <class T>
  std::vector<T> u(const std::vector<T>& z, const T& r, const T& t) const {
    auto x = o.u(z, r, t);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += T(eps) * (t - r) * (t - r) * z[i];
    return x;
  }
  template <class T>
  std::vector<T> abar(const std::vector<T>& z, const T& r, const T& t) const { return o.abar(z, r, t); }
  template <class T>
  std::vector<T> v(const std::vector<T>& z, const T& t) const { return o.v(z, t); }
};
}  // namespace

TEST(Identities, FieldsWithoutClosedFormsUseQuadratureAndStillPass) {
  HeadsOnly f{make<double>(kCases[1])};
  IdentityOptions opt;
  opt.tolerance = 1e-10;
  auto res = evaluate_identities<double>(f, 2, opt);
  for (const auto& r : res) {
    if (r.name == "displacement" || r.name == "acceleration_jvp") {
      EXPECT_FALSE(r.applicable) << r.name;
      continue;
    }
    EXPECT_TRUE(r.pass) << r.name << " residual " << r.max_residual << " order " << r.order;
  }
}

TEST(Identities, InconsistentHeadsAreCaught) {
  HeadsOnly f{make<double>(kCases[1]), 1e-6};
  IdentityOptions opt;
  opt.tolerance = 1e-10;
  auto res = evaluate_identities<double>(f, 2, opt);
  EXPECT_FALSE(find(res, "meanflow").pass);
  EXPECT_FALSE(find(res, "additivity_u").pass);
  EXPECT_GT(find(res, "meanflow").max_residual, 1e-8);
  EXPECT_TRUE(find(res, "acceleration").pass);  // abar and v are untouched
}

TEST(Oracle, BadInputIsRefusedWithAMessage) {
  EXPECT_THROW(GaussianOracle<double>({0.0}, 0.0), std::invalid_argument);
  EXPECT_THROW(GaussianOracle<double>({}, 1.0), std::invalid_argument);
  GaussianOracle<double> o({0.0, 1.0}, 0.5);
  EXPECT_THROW(o.v(std::vector<double>{1.0}, 0.5), std::invalid_argument);
  EXPECT_THROW(o.u(std::vector<double>{1.0, 2.0}, 0.5, 0.5), std::invalid_argument);
  EXPECT_THROW(o.abar(std::vector<double>{1.0, 2.0}, 0.6, 0.5), std::invalid_argument);
  EXPECT_THROW(MpfrPrecision(8), std::invalid_argument);
  IdentityOptions opt;
  opt.steps = {0.1};
  EXPECT_THROW(evaluate_identities<double>(o, 2, opt), std::invalid_argument);
}

namespace {
// Fields that cannot run on Dual (like a network with exact rational times) and bring their own
// JVPs instead; here computed from the oracle's closed forms by an independent route:
// du/dt = (v - u)/(t-r) and dabar/dt = (a - abar)/(t-r) are the two identities solved for the
// derivative, so the evaluator's meanflow/acceleration residuals test the JVP plumbing, and a
// wrong sign in the JVP members would fail them.
struct OwnJvps {
  GaussianOracle<double> o;
  double jvp_sign = 1;
  template <class S>
  std::vector<S> u(const std::vector<S>& z, const S& r, const S& t) const { return o.u(z, r, t); }
  template <class S>
  std::vector<S> abar(const std::vector<S>& z, const S& r, const S& t) const { return o.abar(z, r, t); }
  template <class S>
  std::vector<S> v(const std::vector<S>& z, const S& t) const { return o.v(z, t); }
  template <class S>
  std::vector<S> du_dt(const std::vector<S>& z, const S& r, const S& t) const {
    auto a = o.v(z, t), b = o.u(z, r, t);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = jvp_sign * (a[i] - b[i]) / (t - r);
    return a;
  }
  template <class S>
  std::vector<S> dabar_dt(const std::vector<S>& z, const S& r, const S& t) const {
    auto a = o.a(z, t), b = o.abar(z, r, t);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = (a[i] - b[i]) / (t - r);
    return a;
  }
  template <class S>
  std::vector<S> acceleration_jvp(const std::vector<S>& z, const S& t) const { return o.a(z, t); }
};
static_assert(HasOwnJvps<OwnJvps, double>);
}  // namespace

TEST(Identities, FieldsMayBringTheirOwnJvps) {
  IdentityOptions opt;
  opt.tolerance = 1e-10;
  auto good = evaluate_identities<double>(OwnJvps{make<double>(kCases[0])}, 1, opt);
  EXPECT_TRUE(find(good, "meanflow").pass) << find(good, "meanflow").max_residual;
  EXPECT_TRUE(find(good, "acceleration").pass) << find(good, "acceleration").max_residual;
  auto bad = evaluate_identities<double>(OwnJvps{make<double>(kCases[0]), -1}, 1, opt);
  EXPECT_FALSE(find(bad, "meanflow").pass);
}
