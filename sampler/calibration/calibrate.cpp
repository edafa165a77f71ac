#include "sampler/calibration/calibrate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "fileio/atomic_file.hpp"
#include "fileio/input_file.hpp"
#include "sampler/arith_double.hpp"
#include "sampler/arith_fixed.hpp"
#include "sampler/layout.hpp"
#include "sampler/noise.hpp"
#include "sampler/recording.hpp"
#include "sampler/run.hpp"
#include "sampler/samplers.hpp"

namespace tc0::sampler::calibration {

namespace fs = std::filesystem;

Format choose_format(double max_abs, int bits, double margin) {
  if (bits < Format::kMinWidth || bits > Format::kMaxWidth)
    throw std::invalid_argument(fmt::format("a budget of {} bits is outside [{}, {}]", bits, Format::kMinWidth, Format::kMaxWidth));
  if (!std::isfinite(max_abs) || max_abs < 0 || !(margin >= 1) || !std::isfinite(margin))
    throw std::invalid_argument(fmt::format("calibration range {} with margin {} is not usable", max_abs, margin));
  if (max_abs == 0) return Format(bits, bits - 2);
  // ceil(log2(y)) computed exactly from frexp: y = m 2^e, m in [0.5, 1) -> e - 1 when m == 0.5, else e
  int e = 0;
  double mant = std::frexp(max_abs * margin, &e);
  int ib = mant == 0.5 ? e - 1 : e;
  int f = std::clamp(bits - 1 - ib, Format::kMinFrac, Format::kMaxFrac);
  return Format(bits, f);
}

uint64_t count_saturating(const std::vector<double>& xs, Format f) {
  uint64_t n = 0;
  const double scale = std::ldexp(1.0, f.frac());
  for (double x : xs) {
    double r = std::nearbyint(x * scale);  // the default rounding mode is half to even
    if (r > static_cast<double>(f.max_raw()) || r < static_cast<double>(f.min_raw())) ++n;
  }
  return n;
}

std::vector<SamplerSpec> parse_sampler_list(const Model& m, const std::string& list) {
  std::vector<SamplerSpec> out;
  if (list.empty()) {
    out.push_back(m.config().sampler);
    return out;
  }
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string item = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t colon = item.find(':');
    if (colon == std::string::npos)
      throw std::invalid_argument(fmt::format("--samplers item '{}' is not KIND:STEPS (e.g. mf2:1,euler:8)", item));
    int steps = 0;
    try {
      size_t used = 0;
      steps = std::stoi(item.substr(colon + 1), &used);
      if (used != item.size() - colon - 1) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      throw std::invalid_argument(fmt::format("--samplers item '{}': STEPS must be an integer in [1, 1024]", item));
    }
    if (steps < 1 || steps > 1024)
      throw std::invalid_argument(fmt::format("--samplers item '{}': STEPS must be an integer in [1, 1024]", item));
    SamplerSpec s = m.config().sampler;
    s.kind = sampler_kind_from_name(item.substr(0, colon));
    s.steps = steps;
    s.grid = uniform_grid(steps);
    out.push_back(s);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

namespace {

std::string sampler_label(const SamplerSpec& s) { return fmt::format("{}:{}", name(s.kind), s.steps); }

std::vector<std::vector<Fixed>> batch_noise(const Model& m, uint64_t seed, size_t count) {
  const size_t dim = static_cast<size_t>(m.config().data_dim);
  auto flat = gaussian_noise(seed, count * dim, m.act("state"), m.config().noise_clip);
  std::vector<std::vector<Fixed>> noise(count);
  for (size_t i = 0; i < count; ++i) noise[i].assign(flat.begin() + static_cast<long>(i * dim), flat.begin() + static_cast<long>((i + 1) * dim));
  return noise;
}

// Per activation name: (max |x|, values seen, float saturations under `formats` when given).
struct ActStats {
  double max_abs = 0;
  uint64_t values = 0;
  uint64_t float_sat = 0;
  uint64_t fixed_sat = 0;
};

template <class F>
void for_each_sample(size_t count, F&& f) {
  std::string error;
  const long n = static_cast<long>(count);
#pragma omp parallel for schedule(dynamic)
  for (long i = 0; i < n; ++i) {
    try {
      f(static_cast<size_t>(i));
    } catch (const std::exception& e) {
#pragma omp critical
      error = e.what();
    }
  }
  if (!error.empty()) throw std::runtime_error(error);
}

std::map<std::string, TensorData> float_tensors(const Model& m) {
  std::map<std::string, TensorData> t;
  for (const auto& [n, shape] : expected_weights(m.config())) {
    const WeightTensor& w = m.weight(n);
    TensorData d{"F64", w.shape, {}};
    d.values.reserve(w.data.size());
    for (const Const& c : w.data) d.values.push_back(c.value);
    t.emplace(n, std::move(d));
  }
  return t;
}

}  // namespace

Calibration calibrate(const Model& m, const CalibrationRequest& req) {
  auto t0 = std::chrono::steady_clock::now();
  if (req.weight_bits < 2 || req.weight_bits > 32)
    throw std::invalid_argument(fmt::format("--bits-weights {} is outside [2, 32]", req.weight_bits));
  if (req.act_bits < 2 || req.act_bits > numerics::kMaxTableInputWidth)
    throw std::invalid_argument(fmt::format("--bits-act {} is outside [2, {}] (activations feeding tables take at most {} bits)",
                                            req.act_bits, numerics::kMaxTableInputWidth, numerics::kMaxTableInputWidth));
  const int state_bits = req.state_bits == 0 ? req.act_bits : req.state_bits;
  if (state_bits < 2 || state_bits > 32) throw std::invalid_argument(fmt::format("--bits-state {} is outside [2, 32]", state_bits));
  if (!(req.act_margin >= 1 && req.act_margin <= 16))
    throw std::invalid_argument(fmt::format("--margin {} is outside [1, 16]", req.act_margin));
  if (req.count < 1 || req.count > 100000) throw std::invalid_argument(fmt::format("--count {} is outside [1, 100000]", req.count));
  if (req.samplers.empty()) throw std::invalid_argument("calibration needs at least one sampler");
  const ModelConfig& cfg = m.config();
  const auto noise = batch_noise(m, req.seed, req.count);

  // Pass 1: float64 ranges of every named activation.
  std::vector<std::string> order;  // graph order of first observation
  std::map<std::string, ActStats> acts;
  for (const SamplerSpec& spec : req.samplers) {
    for_each_sample(req.count, [&](size_t i) {
      Recording<DoubleArith> rec{DoubleArith(false)};
      sample(rec, m, spec, noise[i]);
      if (rec.unobserved() != 0) throw std::logic_error("calibration: operations without a name (observation hook incomplete)");
#pragma omp critical
      for (const auto& t : rec.tensors()) {
        ActStats& s = acts[t.name];
        for (double x : t.values) s.max_abs = std::max(s.max_abs, std::fabs(x));
        s.values += t.values.size();
      }
    });
  }
  // Graph order must not depend on thread scheduling: every sample observes the same names in the
  // same order, so the first sample's order is the graph order; the map keeps the statistics.
  {
    Recording<DoubleArith> rec{DoubleArith(false)};
    sample(rec, m, req.samplers.front(), noise.front());
    for (const auto& t : rec.tensors()) order.push_back(t.name);
    for (const auto& [n, s] : acts)
      if (std::find(order.begin(), order.end(), n) == order.end()) order.push_back(n);
  }
  // An activation no requested sampler computes (abar under Euler or MF1: an evaluation computes
  // only the head its update reads) keeps the model's format; the report shows it with no values.
  for (const auto& [n, info] : cfg.activation_formats)
    if (!acts.count(n)) {
      acts[n];
      order.push_back(n);
    }
  for (const auto& n : order)
    if (!cfg.activation_formats.count(n))
      throw std::logic_error(fmt::format("calibration: observed '{}' is not an activation of the model", n));

  Calibration out;
  std::map<std::string, Format> af, wf;
  const double clip = cfg.noise_clip.convert_to<double>();
  for (const auto& n : order) {
    ActStats& s = acts[n];
    if (n == "state") s.max_abs = std::max(s.max_abs, clip);
    if (s.values == 0) af.emplace(n, m.act(n));
    else af.emplace(n, n == "state" ? choose_format(s.max_abs, state_bits, 1.0) : choose_format(s.max_abs, req.act_bits, req.act_margin));
  }
  std::vector<TensorCalibration> weights;
  for (const auto& [n, shape] : expected_weights(cfg)) {
    const WeightTensor& w = m.weight(n);
    TensorCalibration tc;
    tc.name = n;
    tc.weight = true;
    std::vector<double> v;
    for (const Const& c : w.data) {
      v.push_back(c.value);
      tc.max_abs = std::max(tc.max_abs, std::fabs(c.value));
    }
    tc.values = v.size();
    tc.format = choose_format(tc.max_abs, req.weight_bits, kWeightMargin);
    tc.previous = w.fmt;
    tc.float_saturations = count_saturating(v, tc.format);
    wf.emplace(n, tc.format);
    weights.push_back(tc);
  }

  std::string samplers;
  for (const auto& s : req.samplers) samplers += (samplers.empty() ? "" : ",") + sampler_label(s);
  out.rule = fmt::format(
      "calibrated: weights {} bits, activations {} bits, state {} bits, f = w - 1 - ceil(log2(max|x| * margin)), margin {} "
      "(activations), 1 (weights; state: max(clip, max|z|)); batch: {} noise samples of seed {} through {} in float64",
      req.weight_bits, req.act_bits, state_bits, req.act_margin, req.count, req.seed, samplers);
  nlohmann::json j = cfg.raw;
  nlohmann::json jw = nlohmann::json::object(), ja = nlohmann::json::object(), ranges = nlohmann::json::object();
  for (const auto& [n, f] : wf) jw[n] = f.str();
  for (const auto& [n, f] : af) ja[n] = f.str();
  for (const auto& n : order) ranges[n] = acts[n].values ? nlohmann::json(acts[n].max_abs) : nlohmann::json(nullptr);
  j["formats"] = {{"rule", out.rule}, {"weights", jw}, {"activations", ja}};
  j["activation_ranges"] = ranges;
  j["calibration"] = {{"weight_bits", req.weight_bits}, {"act_bits", req.act_bits}, {"state_bits", state_bits},
                      {"act_margin", req.act_margin},
                      {"weight_margin", kWeightMargin}, {"count", req.count}, {"seed", req.seed}, {"samplers", samplers}};
  out.config = j;

  // Pass 2: the calibrated model in fixed point on the same batch (saturation events per tensor),
  // and the float64 values that would saturate when rounded to their new format.
  Model cm = Model::from_tensors(parse_config(j.dump(), "calibrated config"), float_tensors(m), "calibrated model");
  const auto cnoise = batch_noise(cm, req.seed, req.count);  // the same noise, rounded to the new state format
  for (const SamplerSpec& spec : req.samplers) {
    for_each_sample(req.count, [&](size_t i) {
      Recording<DoubleArith> rd{DoubleArith(false)};
      sample(rd, m, spec, noise[i]);
      Recording<FixedArith> rf{FixedArith()};
      sample(rf, cm, spec, cnoise[i]);
#pragma omp critical
      {
        for (const auto& t : rd.tensors()) acts[t.name].float_sat += count_saturating(t.values, af.at(t.name));
        for (const auto& t : rf.tensors()) acts[t.name].fixed_sat += t.saturations;
      }
    });
  }
  for (const auto& n : order) {
    const ActStats& s = acts[n];
    TensorCalibration tc;
    tc.name = n;
    tc.max_abs = s.max_abs;
    tc.values = s.values;
    tc.format = af.at(n);
    tc.previous = m.act(n);
    tc.float_saturations = s.float_sat;
    tc.fixed_saturations = s.fixed_sat;
    out.fixed_saturations += s.fixed_sat;
    out.tensors.push_back(tc);
  }
  out.tensors.insert(out.tensors.end(), weights.begin(), weights.end());
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

void check_output_dir(const std::string& src_dir, const std::string& out_dir, bool force) {
  if (out_dir.empty()) throw std::invalid_argument("-o OUT_DIR is empty");
  std::error_code ec;
  if (fs::exists(out_dir) && fs::equivalent(src_dir, out_dir, ec))
    throw std::invalid_argument(fmt::format("-o {} is the input model directory; write the calibrated model elsewhere", out_dir));
  if (fs::exists(out_dir)) {
    if (!fs::is_directory(out_dir)) throw std::invalid_argument(fmt::format("-o {} exists and is not a directory", out_dir));
    if (fs::exists(fs::path(out_dir) / "fixed_golden.json"))
      throw std::invalid_argument(fmt::format("-o {} holds fixed_golden.json (a shipped model); it is never overwritten", out_dir));
    if (!fs::is_empty(out_dir) && !force)
      throw std::invalid_argument(fmt::format("-o {} is not empty; pass --force to replace its config and weights", out_dir));
  }
}

void write_calibrated_model(const std::string& src_dir, const std::string& out_dir, const Calibration& c, bool force) {
  check_output_dir(src_dir, out_dir, force);
  std::error_code ec;
  if (!fs::exists(out_dir) && (!fs::create_directories(out_dir, ec) || ec))
    throw std::invalid_argument(fmt::format("cannot create -o {}: {}", out_dir, ec.message()));
  // Each file through the atomic writer; config.json, which makes the folder a model, last.
  for (const char* file : {"weights.safetensors", "heldout.json"}) {
    const fs::path from = fs::path(src_dir) / file;
    if (!fs::exists(from)) continue;
    const uint64_t limit = std::string(file) == "heldout.json" ? uint64_t(1) << 30 : kMaxWeightsFileBytes;
    fileio::write_file((fs::path(out_dir) / file).string(), fileio::read_regular_file(from.string(), file, limit), file);
  }
  fileio::write_file((fs::path(out_dir) / "config.json").string(), c.config.dump(1) + "\n", "model config");
}

}  // namespace tc0::sampler::calibration
