// tc0flow fidelity: per-tensor errors of the bit-exact fixed-point sampler against float64 and
// MPFR (sampler/calibration/fidelity.hpp) and the SPEC 2 quality criterion; exit 1 when it fails.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>

#include "sampler/calibration/fidelity.hpp"
#include "sampler/model.hpp"
#include "sampler/run.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

using namespace tc0::sampler;
using namespace tc0::sampler::calibration;

struct Options {
  std::string model;
  std::string sampler;
  int steps = 0;
  size_t count = 16;
  uint64_t seed = 1000;
  int mpfr_bits = 128;
  bool quantised_weights = false;
  std::string data;
  bool no_criterion = false;
  std::string json;
  CLI::Option* data_flag = nullptr;
};

void print_row(const TensorFidelity& t) {
  const auto& a = t.fixed_vs_float64;
  fmt::print("{:<24} {:>9} {:>9.3g} {:>9.3g} {:>9.3g} {:>8.2f} {:>8.3f} {:>6} {:>5} {:>9.3g} {:>9.3g} {:>5}\n", t.name,
             t.format.str(), t.max_abs_reference, a.max_abs_error(), a.mean_abs_error(), a.max_lsb_error(),
             a.mean_lsb_error(), a.worst_index(), static_cast<size_t>(a.worst_input()), t.fixed_vs_mpfr.max_abs_error(),
             t.float64_vs_mpfr.max_abs_error(), t.saturations);
}

int run(const Options& o) {
  tc0::cli::refuse_flag(o.data_flag, !o.no_criterion, "is the held-out data of the quality criterion, which --no-criterion skips");
  auto inputs_named = tc0::cli::model_paths(o.model);
  inputs_named.push_back({"--data", o.data});
  tc0::cli::check_paths(inputs_named, {{"--json", o.json}});
  Model m = Model::load(o.model);
  FidelityRequest req;
  req.spec = sampler_spec(m, o.sampler, o.steps);
  req.count = o.count;
  req.seed = o.seed;
  req.mpfr_bits = o.mpfr_bits;
  req.quantised_weights = o.quantised_weights;
  const auto& cfg = m.config();
  std::optional<HeldOut> data;
  if (!o.no_criterion) {
    if (o.count < 2) throw std::invalid_argument("--count must be at least 2 for the quality criterion (or pass --no-criterion)");
    std::string path = o.data.empty() ? (std::filesystem::path(o.model) / "heldout.json").string() : o.data;
    data = load_heldout(path, cfg.data_kind, cfg.data_dim);
  }
  Fidelity f = measure_fidelity(m, req);
  if (data) f.quality = check_quality(f, *data);

  fmt::print("fidelity  model {}  sampler {}-{}  count {}  seed {}  references float64, MPFR {} bits{}\n",
             cfg.name.empty() ? o.model : cfg.name, name(req.spec.kind), req.spec.steps, o.count, o.seed, o.mpfr_bits,
             o.quantised_weights ? " (quantised weights)" : " (trained weights)");
  fmt::print("{:<24} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>6} {:>5} {:>9} {:>9} {:>5}\n", "tensor (fixed vs float64)",
             "format", "max|x|", "max err", "mean err", "max LSB", "mean LSB", "sample", "elem", "fx-mpfr", "f64-mpfr", "sat");
  for (const auto& t : f.tensors) print_row(t);
  print_row(f.samples);
  fmt::print("samples, fixed vs float64, LSB histogram: {}\n", f.samples.fixed_vs_float64.histogram_line());
  bool pass = true;
  if (f.quality) {
    const QualityCheck& q = *f.quality;
    pass = q.pass;
    fmt::print("quality  MMD^2 vs {} held-out (bandwidth {:.4g}): fixed {:.5f}  float64 {:.5f}  MPFR {:.5f}  ratio {:.3f}  "
               "data-vs-data {:.5f}\n",
               q.heldout, q.bandwidth, q.mmd2_fixed, q.mmd2_float64, q.mmd2_mpfr, q.mmd2_fixed / q.mmd2_float64, q.data_vs_data);
    fmt::print("criterion (SPEC 2: fixed MMD^2 <= {} x float64): {}\n", kQualityTolerance, q.pass ? "PASS" : "FAIL");
  } else {
    fmt::print("criterion: not evaluated (--no-criterion)\n");
  }
  fmt::print("time {:.2f} s\n", f.seconds);

  nlohmann::json j = tc0::cli::report_header("fidelity");
  j["model"] = o.model;
  j["model_name"] = cfg.name;
  j["sampler"] = {{"kind", name(req.spec.kind)}, {"steps", req.spec.steps}};
  j["count"] = o.count;
  j["seed"] = o.seed;
  j["mpfr_bits"] = o.mpfr_bits;
  j["quantised_weights"] = o.quantised_weights;
  j["rule"] = cfg.raw.contains("formats") ? cfg.raw["formats"].value("rule", "") : "";
  nlohmann::json ts = nlohmann::json::array();
  for (const auto& t : f.tensors) ts.push_back(t.to_json());
  j["tensors"] = ts;
  j["samples"] = f.samples.to_json();
  j["quality"] = f.quality ? f.quality->to_json() : nlohmann::json(nullptr);
  j["pass"] = pass;
  j["seconds"] = f.seconds;
  tc0::cli::write_json(o.json, j);
  return pass ? 0 : 1;
}

tc0::cli::Registrar reg(
    "fidelity", "Per-layer error of the fixed-point sampler vs float64 vs MPFR, and the SPEC 2 quality criterion",
    [](CLI::App& sub) -> tc0::cli::Runner {
      auto o = std::make_shared<Options>();
      sub.add_option("--model", o->model, "Model directory (config.json + weights.safetensors)")->required();
      sub.add_option("--sampler", o->sampler, "mf1 | mf2 | euler (default: the model's configured sampler)")
          ->check(CLI::IsMember({"mf1", "mf2", "euler"}));
      tc0::cli::add_number(sub, "--steps", o->steps, 1, 1024, "Number of steps K on the uniform grid (default: the model's grid)");
      tc0::cli::add_number(sub, "--count", o->count, size_t(1), size_t(100000),
                           "Number of samples (noise stream positions 0..count-1)")
          ->capture_default_str();
      tc0::cli::add_seed(sub, o->seed, "Noise seed")->capture_default_str();
      tc0::cli::add_number(sub, "--mpfr-bits", o->mpfr_bits, 16, 65536, "MPFR reference precision in bits")->capture_default_str();
      sub.add_flag("--quantised-weights", o->quantised_weights,
                   "References compute with the fixed-point weights (isolates activation rounding)");
      o->data_flag = sub.add_option("--data", o->data, "Held-out data JSON (default: MODEL/heldout.json, see tools/train/export_heldout.py)");
      sub.add_flag("--no-criterion", o->no_criterion, "Skip the quality criterion (no held-out data needed)");
      tc0::cli::add_json_option(sub, o->json);
      sub.footer(
          "Per named activation in graph order (every evaluation of the sampler, every sample): max|x| of float64, max and\n"
          "mean |fixed - float64| (absolute and in LSBs of the tensor's format), worst sample and element, max |fixed -\n"
          "MPFR| and |float64 - MPFR|, fixed-point saturation events. Errors accumulate through the graph. Exit 1 when\n"
          "the SPEC 2 criterion fails: unbiased MMD^2 of the fixed-point samples against held-out data above 1.2 x that\n"
          "of the float64 samples (same noise).");
      return [o] { return run(*o); };
    });

}  // namespace
