// tc0flow nowrap: proves that no accumulator of a model's fixed-point sampler wraps around in a
// declared width, for the clipped noise range (SPEC 5), by running the model code over the interval
// policy of proofs/model_nowrap.hpp with Z3 checking every step. Prints one row per tensor.
#include <fmt/format.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "proofs/model_nowrap.hpp"
#include "proofs/query.hpp"
#include "sampler/model.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

using namespace tc0::proofs;

struct Options {
  std::string model = "sampler/models/digits_mf2";
  int acc_bits = 128;
  double timeout = 60;
  std::string smt2_dir;
  std::string json;
};

int run(const Options& o) {
  tc0::cli::check_paths(tc0::cli::model_paths(o.model), {{"--json", o.json}});
  if (!o.smt2_dir.empty()) prepare_smt2_folder(o.smt2_dir);
  const tc0::sampler::Model m = tc0::sampler::Model::load(o.model);
  ModelNoWrapOptions opt;
  opt.acc_bits = o.acc_bits;
  opt.query.timeout_ms = unsigned(o.timeout * 1000);
  opt.query.smt2_dir = o.smt2_dir;
  const ModelNoWrapReport r = check_model_no_wrap(m, opt);
  fmt::print("no wrap-around in {}-bit accumulators: {} (noise clipped to +-{}, sampler grid of the config)\n",
             r.acc_bits, o.model, m.config().noise_clip.str());
  fmt::print("{:<28} {:>9} {:>6} {:>6} {:>7} {:>7} {:>5} {:>5} {:>22} {:>8}\n", "tensor", "format", "nodes", "steps",
             "proved", "reused", "bits", "sat?", "proved output range", "time s");
  nlohmann::json j = tc0::cli::report_header("nowrap");
  j["model"] = o.model;
  j["acc_bits"] = r.acc_bits;
  j["tensors"] = nlohmann::json::array();
  for (const TensorNoWrap& t : r.tensors) {
    fmt::print("{:<28} {:>9} {:>6} {:>6} {:>7} {:>7} {:>5} {:>5} {:>22} {:>8.2f}\n", t.name, t.fmt.str(), t.nodes, t.steps,
               t.proved, t.reused, t.steps ? std::to_string(t.max_needed_bits) : "-",
               t.saturation_possible ? std::to_string(t.saturation_possible) : "", fmt::format("[{:.4g}, {:.4g}]", t.out_lo, t.out_hi),
               t.seconds);
    j["tensors"].push_back({{"name", t.name},
                            {"format", t.fmt.str()},
                            {"nodes", t.nodes},
                            {"steps", t.steps},
                            {"proved", t.proved},
                            {"refuted", t.refuted},
                            {"inconclusive", t.inconclusive},
                            {"reused", t.reused},
                            {"max_needed_bits", t.max_needed_bits},
                            {"saturation_possible", t.saturation_possible},
                            {"out_lo", t.out_lo},
                            {"out_hi", t.out_hi},
                            {"seconds", t.seconds}});
  }
  fmt::print("{} nodes, {} accumulator steps: {} proved ({} reused), {} refuted, {} inconclusive; {} solver queries; "
             "widest accumulator {} bits ({}); {:.1f} s\n",
             r.nodes, r.steps, r.proved, r.reused, r.refuted, r.inconclusive, r.solver_queries, r.max_needed_bits,
             r.widest_tensor, r.seconds);
  fmt::print("result: {}\n", to_string(r.verdict()));
  j["summary"] = {{"nodes", r.nodes},         {"steps", r.steps},
                  {"proved", r.proved},       {"refuted", r.refuted},
                  {"inconclusive", r.inconclusive}, {"reused", r.reused},
                  {"solver_queries", r.solver_queries}, {"max_needed_bits", r.max_needed_bits},
                  {"widest_tensor", r.widest_tensor},   {"seconds", r.seconds},
                  {"result", to_string(r.verdict())}};
  tc0::cli::write_json(o.json, j);
  return r.verdict() == Verdict::proved ? 0 : 2;
}

tc0::cli::Registrar reg("nowrap", "Prove that no accumulator of a model's fixed-point sampler wraps (interval analysis + Z3)",
                        [](CLI::App& sub) -> tc0::cli::Runner {
                          auto o = std::make_shared<Options>();
                          sub.add_option("--model", o->model, "Model directory")->capture_default_str();
                          tc0::cli::add_number(sub, "--acc-bits", o->acc_bits, 2, 4096,
                                               "Declared accumulator width in bits (128: the Fixed type's __int128 "
                                               "accumulator; 64 for an int64 port)")
                              ->capture_default_str();
                          tc0::cli::add_number(sub, "--timeout", o->timeout, tc0::cli::Range<double>{0, 86400, true, false},
                                               "Timeout per solver query in seconds")
                              ->capture_default_str();
                          sub.add_option("--smt2", o->smt2_dir,
                                         "Write every solver query as SMT-LIB2 into DIR, with Z3's answer as its status "
                                         "(tools/smt2_recheck.sh DIR re-checks them with cvc5)");
                          tc0::cli::add_json_option(sub, o->json);
                          sub.footer(
                              "Every linear form, dot product and product of the sampler (one run over the model's "
                              "time grid) is one step:\nits exact accumulator interval, the declared width and the "
                              "rounded output interval are checked by Z3.\nTables and max propagate exact images of "
                              "their operand intervals. 'sat?' counts steps whose interval reaches past\nthe output "
                              "format (clamped on real inputs, never wrapped).\nA refuted step: operands somewhere inside their "
                              "proved intervals overflow the declared width (the intervals over-approximate\nwhat the "
                              "noise reaches, so it need not be reachable). 'bits' is the widest accumulator needed.\n"
                              "Exit status: 0 proved, 2 refuted or inconclusive.");
                          return [o] { return run(*o); };
                        });

}  // namespace
