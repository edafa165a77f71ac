#include "sampler/run.hpp"

#include <fmt/format.h>

#include <chrono>

#include "sampler/arith_double.hpp"
#include "sampler/arith_fixed.hpp"
#include "sampler/arith_mpfr.hpp"
#include "sampler/approx_attention.hpp"
#include "sampler/noise.hpp"
#include "sampler/samplers.hpp"

namespace tc0::sampler {

NumberType number_type_from_name(const std::string& s) {
  if (s == "float64") return NumberType::float64;
  if (s == "mpfr") return NumberType::mpfr;
  if (s == "fixed") return NumberType::fixed;
  throw std::invalid_argument(fmt::format("unknown number type '{}'; use float64, mpfr or fixed", s));
}

std::string name(NumberType t) {
  return t == NumberType::float64 ? "float64" : t == NumberType::mpfr ? "mpfr" : "fixed";
}

SamplerSpec sampler_spec(const Model& m, const std::string& kind_override, int steps_override) {
  SamplerSpec s = m.config().sampler;
  if (!kind_override.empty()) s.kind = sampler_kind_from_name(kind_override);
  if (steps_override > 0 && steps_override != s.steps) {
    if (steps_override > 1024) throw std::invalid_argument(fmt::format("--steps {} is above the limit 1024", steps_override));
    s.steps = steps_override;
    s.grid = uniform_grid(steps_override);
  }
  return s;
}

namespace {
template <class A, class Head = ExactSoftmaxHead>
void run_all(const A& a, const Model& m, const SampleRequest& req, const std::vector<std::vector<Fixed>>& noise,
             SampleResult& res, bool keep_raw, const Head& head = Head{}) {
  const long n = static_cast<long>(req.count);
  uint64_t sat = 0;
  std::string error;
#pragma omp parallel for schedule(dynamic) reduction(+ : sat)
  for (long i = 0; i < n; ++i) {
    try {
      numerics::reset_saturation_events();
      auto z = sample(a, m, req.spec, noise[static_cast<size_t>(i)], head);
      sat += numerics::saturation_events();
      std::vector<double> v;
      std::vector<int64_t> raw;
      for (const auto& x : z) {
        v.push_back(a.to_double(x));
        if constexpr (std::is_same_v<typename A::Value, Fixed>) raw.push_back(x.raw);
      }
      res.values[static_cast<size_t>(i)] = std::move(v);
      if (keep_raw) res.raw[static_cast<size_t>(i)] = std::move(raw);
    } catch (const std::exception& e) {
#pragma omp critical
      error = e.what();
    }
  }
  if (!error.empty()) throw std::runtime_error(error);
  res.saturations = sat;
}
}  // namespace

SampleResult run_sampler(const Model& m, const SampleRequest& req) {
  auto t0 = std::chrono::steady_clock::now();
  const size_t dim = static_cast<size_t>(m.config().data_dim);
  if (req.count == 0 || req.count > 1000000) throw std::invalid_argument(fmt::format("--count {} is outside [1, 1000000]", req.count));
  if (req.approx_attention) {
    if (req.type == NumberType::fixed)
      throw std::invalid_argument(
          "approximate attention is for the float64 and MPFR samplers only: the fixed-point sampler is the contract of "
          "the operation graph (and of the circuit), which has no approximate attention; use --type float64 or mpfr");
    if (m.config().architecture != Architecture::dit)
      throw std::invalid_argument("approximate attention: the model is an MLP, which has no attention heads; use a DiT model");
    check_setting(*req.approx_attention);
  }
  auto flat = gaussian_noise(req.seed, req.count * dim, m.act("state"), m.config().noise_clip);
  SampleResult res;
  std::vector<std::vector<Fixed>> noise(req.count);
  res.noise_raw.resize(req.count);
  for (size_t i = 0; i < req.count; ++i) {
    noise[i].assign(flat.begin() + i * dim, flat.begin() + (i + 1) * dim);
    for (const Fixed& f : noise[i]) res.noise_raw[i].push_back(f.raw);
  }
  res.values.resize(req.count);
  if (req.approx_attention) {
    const PolynomialHead head(*req.approx_attention);
    if (req.type == NumberType::float64)
      run_all(DoubleArith(req.quantised_weights), m, req, noise, res, false, head);
    else
      run_all(MpfrArith(req.precision, req.quantised_weights), m, req, noise, res, false, head);
    res.approx_attention = head.stats();
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
  }
  switch (req.type) {
    case NumberType::float64: run_all(DoubleArith(req.quantised_weights), m, req, noise, res, false); break;
    case NumberType::mpfr: run_all(MpfrArith(req.precision, req.quantised_weights), m, req, noise, res, false); break;
    case NumberType::fixed:
      res.raw.resize(req.count);
      run_all(FixedArith(), m, req, noise, res, true);
      break;
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace tc0::sampler
