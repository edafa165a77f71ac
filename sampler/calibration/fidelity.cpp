#include "sampler/calibration/fidelity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "sampler/arith_double.hpp"
#include "sampler/arith_fixed.hpp"
#include "sampler/arith_mpfr.hpp"
#include "sampler/noise.hpp"
#include "sampler/recording.hpp"
#include "sampler/samplers.hpp"

namespace tc0::sampler::calibration {

namespace {

nlohmann::json report_json(const numerics::ErrorReport& r) {
  nlohmann::json j = r.to_json();
  j.erase("label");
  // index = the sample (noise stream position), input = the element within the tensor's values
  j["worst"] = {{"sample", r.worst_index()},
                {"element", static_cast<size_t>(r.worst_input())},
                {"reference", r.worst_reference()},
                {"got", r.worst_got()}};
  return j;
}

// One sample's recorded tensors in the three number types, as doubles (fixed values are exact).
struct SampleRecord {
  std::vector<std::string> names;
  std::vector<Format> formats;
  std::vector<std::vector<double>> fx, fd, fm;
  std::vector<uint64_t> sat;
  std::vector<double> final_fx, final_fd, final_fm;
};

template <class A>
std::vector<std::vector<double>> as_doubles(const Recording<A>& r) {
  std::vector<std::vector<double>> out;
  for (const auto& t : r.tensors()) {
    std::vector<double> v;
    v.reserve(t.values.size());
    for (const auto& x : t.values) v.push_back(r.to_double(x));
    out.push_back(std::move(v));
  }
  return out;
}

template <class A>
std::vector<std::string> names_of(const Recording<A>& r) {
  std::vector<std::string> n;
  for (const auto& t : r.tensors()) n.push_back(t.name);
  return n;
}

SampleRecord run_one(const Model& m, const FidelityRequest& req, const std::vector<Fixed>& noise) {
  SampleRecord s;
  Recording<FixedArith> rf{FixedArith()};
  Recording<DoubleArith> rd{DoubleArith(req.quantised_weights)};
  Recording<MpfrArith> rm{MpfrArith(req.mpfr_bits, req.quantised_weights)};
  auto zf = sample(rf, m, req.spec, noise);
  auto zd = sample(rd, m, req.spec, noise);
  auto zm = sample(rm, m, req.spec, noise);
  s.names = names_of(rf);
  if (names_of(rd) != s.names || names_of(rm) != s.names)
    throw std::logic_error("fidelity: the number types observed different tensors (observation hook not generic)");
  if (rf.unobserved() || rd.unobserved() || rm.unobserved())
    throw std::logic_error("fidelity: operations without a name (observation hook incomplete)");
  s.fx = as_doubles(rf);
  s.fd = as_doubles(rd);
  s.fm = as_doubles(rm);
  for (size_t k = 0; k < s.names.size(); ++k) {
    if (s.fx[k].size() != s.fd[k].size() || s.fx[k].size() != s.fm[k].size())
      throw std::logic_error(fmt::format("fidelity: tensor '{}' has different sizes in the number types", s.names[k]));
    s.formats.push_back(m.act(s.names[k]));
    s.sat.push_back(rf.tensors()[k].saturations);
  }
  for (const auto& x : zf) s.final_fx.push_back(x.to_double());
  s.final_fd = zd;
  for (const auto& x : zm) s.final_fm.push_back(x.to_double());
  return s;
}

void add_all(numerics::ErrorReport& r, const std::vector<double>& ref, const std::vector<double>& got, size_t sample) {
  for (size_t e = 0; e < ref.size(); ++e) r.add(ref[e], got[e], sample, static_cast<double>(e));
}

}  // namespace

nlohmann::json TensorFidelity::to_json() const {
  return {{"name", name},
          {"format", format.str()},
          {"lsb", format.lsb()},
          {"values_per_sample", values},
          {"max_abs_float64", max_abs_reference},
          {"saturations", saturations},
          {"fixed_vs_float64", report_json(fixed_vs_float64)},
          {"fixed_vs_mpfr", report_json(fixed_vs_mpfr)},
          {"float64_vs_mpfr", report_json(float64_vs_mpfr)}};
}

nlohmann::json QualityCheck::to_json() const {
  return {{"criterion", fmt::format("MMD^2(fixed) <= {} * MMD^2(float64) against held-out data (SPEC 2)", kQualityTolerance)},
          {"mmd2_fixed", mmd2_fixed},
          {"mmd2_float64", mmd2_float64},
          {"mmd2_mpfr", mmd2_mpfr},
          {"ratio", mmd2_float64 != 0 ? mmd2_fixed / mmd2_float64 : NAN},
          {"data_vs_data", data_vs_data},
          {"bandwidth", bandwidth},
          {"heldout", heldout},
          {"pass", pass}};
}

Fidelity measure_fidelity(const Model& m, const FidelityRequest& req) {
  auto t0 = std::chrono::steady_clock::now();
  if (req.count < 1 || req.count > 100000) throw std::invalid_argument(fmt::format("--count {} is outside [1, 100000]", req.count));
  if (req.mpfr_bits < 16 || req.mpfr_bits > 65536)
    throw std::invalid_argument(fmt::format("--mpfr-bits {} is outside [16, 65536]", req.mpfr_bits));
  const size_t dim = static_cast<size_t>(m.config().data_dim);
  const Format fz = m.act("state");
  auto flat = gaussian_noise(req.seed, req.count * dim, fz, m.config().noise_clip);
  Fidelity out;
  out.samples = TensorFidelity("samples", fz);
  out.samples.values = dim;
  // Chunks run in parallel; their records are merged in sample order, so the report (worst inputs
  // included) does not depend on the thread count.
  const size_t chunk = 16;
  for (size_t c0 = 0; c0 < req.count; c0 += chunk) {
    const size_t n = std::min(chunk, req.count - c0);
    std::vector<SampleRecord> recs(n);
    std::string error;
#pragma omp parallel for schedule(dynamic)
    for (long i = 0; i < static_cast<long>(n); ++i) {
      try {
        const size_t s = c0 + static_cast<size_t>(i);
        std::vector<Fixed> e(flat.begin() + static_cast<long>(s * dim), flat.begin() + static_cast<long>((s + 1) * dim));
        recs[static_cast<size_t>(i)] = run_one(m, req, e);
      } catch (const std::exception& ex) {
#pragma omp critical
        error = ex.what();
      }
    }
    if (!error.empty()) throw std::runtime_error(error);
    for (size_t i = 0; i < n; ++i) {
      const SampleRecord& r = recs[i];
      const size_t s = c0 + i;
      if (out.tensors.empty())
        for (size_t k = 0; k < r.names.size(); ++k) {
          out.tensors.emplace_back(r.names[k], r.formats[k]);
          out.tensors.back().values = r.fx[k].size();
        }
      if (out.tensors.size() != r.names.size()) throw std::logic_error("fidelity: samples observed different tensors");
      for (size_t k = 0; k < r.names.size(); ++k) {
        TensorFidelity& t = out.tensors[k];
        add_all(t.fixed_vs_float64, r.fd[k], r.fx[k], s);
        add_all(t.fixed_vs_mpfr, r.fm[k], r.fx[k], s);
        add_all(t.float64_vs_mpfr, r.fm[k], r.fd[k], s);
        for (double x : r.fd[k]) t.max_abs_reference = std::max(t.max_abs_reference, std::fabs(x));
        t.saturations += r.sat[k];
      }
      add_all(out.samples.fixed_vs_float64, r.final_fd, r.final_fx, s);
      add_all(out.samples.fixed_vs_mpfr, r.final_fm, r.final_fx, s);
      add_all(out.samples.float64_vs_mpfr, r.final_fm, r.final_fd, s);
      for (double x : r.final_fd) out.samples.max_abs_reference = std::max(out.samples.max_abs_reference, std::fabs(x));
      out.fixed.push_back(r.final_fx);
      out.float64.push_back(r.final_fd);
      out.mpfr.push_back(r.final_fm);
    }
  }
  for (const auto& t : out.tensors)
    if (t.name == "state") out.samples.saturations = t.saturations;  // the final update is part of "state"
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

QualityCheck check_quality(const Fidelity& f, const HeldOut& data) {
  QualityCheck q;
  q.bandwidth = data.bandwidth;
  q.data_vs_data = data.data_vs_data;
  q.heldout = data.rows.size();
  q.mmd2_fixed = mmd2_unbiased(f.fixed, data.rows, data.bandwidth);
  q.mmd2_float64 = mmd2_unbiased(f.float64, data.rows, data.bandwidth);
  q.mmd2_mpfr = mmd2_unbiased(f.mpfr, data.rows, data.bandwidth);
  q.pass = quality_passes(q.mmd2_fixed, q.mmd2_float64);
  return q;
}

}  // namespace tc0::sampler::calibration
