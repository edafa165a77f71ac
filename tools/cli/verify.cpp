// tc0flow verify F.tc0c --model DIR: proves that the circuit computes the model's fixed-point
// sampler on every input (translation validation, proofs/translation.hpp): the operation map
// against the model's re-traced operation graph, then one proof per class of operations identical
// up to a renaming of their input wires. Exit 0 when everything is proved, 2 when the circuit is
// not the sampler (a structural mismatch or a refuted operation), 3 when something is not proved
// (inconclusive or not attempted); bad input is an error (exit 1).
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <sstream>

#include "circuits/io/native.hpp"
#include "proofs/translation.hpp"
#include "sampler/run.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"
#include "tools/cli/verify_report.hpp"

namespace {

using namespace tc0::proofs;

struct Options {
  std::string file, model, sampler, json, smt2, kinds;
  std::vector<uint32_t> ops;
  int steps = 0;
  int threads = 1;
  double timeout = 60;
  int exhaustive_wires = 20;
  bool structure_only = false;
  bool log = false;
};

std::string regenerate_hint(const Options& o) {
  return fmt::format("regenerate it with `{}`", tc0::cli::compile_command(o.model, o.sampler, o.steps, 0, o.file));
}

// The circuit, refused with one line when it carries no operation map (an older format, or a file
// not written by compile).
tc0::circuits::Network load_circuit(const Options& o) {
  tc0::circuits::Network ntk;
  try {
    ntk = tc0::circuits::io::load_native(o.file);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    for (uint32_t v = 1; v < tc0::circuits::io::kNativeFormatVersion; ++v)
      if (what.find(fmt::format("file format version {},", v)) != std::string::npos)
        throw std::runtime_error(fmt::format("'{}' is a circuit file of format {}, which has no operation map; {}", o.file,
                                             v, regenerate_hint(o)));
    throw;
  }
  if (ntk.num_ops() == 0)
    throw std::runtime_error(fmt::format("'{}' has no operation map (it was not written by tc0flow compile); {}",
                                         o.file, regenerate_hint(o)));
  return ntk;
}

double peak_gib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / (1024.0 * 1024.0);
}

int run(const Options& o) {
  auto inputs = tc0::cli::model_paths(o.model);
  inputs.push_back({"FILE", o.file});
  tc0::cli::check_paths(inputs, {{"--json", o.json}});
  if (!o.smt2.empty()) prepare_smt2_folder(o.smt2);
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  using namespace tc0::sampler;
  const Model m = Model::load(o.model);
  const SamplerSpec spec = sampler_spec(m, o.sampler, o.steps);
  const SamplerGraph g = trace_op_graph(m, spec);
  const tc0::circuits::Network ntk = load_circuit(o);
  fmt::print("model {}: {} {}-step sampler, {} operations; circuit {}: {} gates, {} operations ({:.1f} s)\n", o.model,
             name(spec.kind), spec.steps, g.ops.size(), o.file, ntk.num_gates(), ntk.num_ops(), elapsed());
  std::fflush(stdout);

  VerifyOptions vo;
  vo.threads = o.threads;
  vo.structure_only = o.structure_only;
  vo.proof.query.timeout_ms = unsigned(o.timeout * 1000);
  vo.proof.query.smt2_dir = o.smt2;
  vo.proof.exhaustive_wires = o.exhaustive_wires;
  if (!o.kinds.empty()) {
    std::stringstream ss(o.kinds);
    for (std::string k; std::getline(ss, k, ',');)
      if (!k.empty()) vo.kinds.insert(k);
  }
  vo.ops.insert(o.ops.begin(), o.ops.end());
  vo.progress = [&](size_t done, size_t total, const OpClass& c) {
    if (o.log)
      fmt::print(stderr, "[{}/{}] op {} {} ({} ops, {} free wires, {} gates): {} in {:.2f} s by {}: {}\n", done, total,
                 c.rep, g.ops[c.rep].module, c.members.size(), c.free_wires, c.gates, to_string(c.proof.verdict),
                 c.proof.seconds, c.proof.method, c.proof.detail);
    else if (isatty(2))  // a progress line on a terminal only
      fmt::print(stderr, "\r{}/{} classes done{}", done, total, done == total ? "\n" : "");
  };
  const VerifyReport r = verify_circuit(ntk, g, vo);

  nlohmann::json j = tc0::cli::report_header("verify");
  j["file"] = o.file;
  j["model"] = o.model;
  j["sampler"] = {{"kind", name(spec.kind)}, {"steps", spec.steps}};
  j["timeout_s"] = o.timeout;
  j["threads"] = o.threads;
  j.update(r.to_json(g));
  const int status = tc0::cli::verify_status(r, o.structure_only);
  fmt::print("{}\n", tc0::cli::structure_line(r));
  if (r.structure.ok && !o.structure_only) {
    tc0::cli::print_kind_table(j["kinds"]);
    tc0::cli::print_unproved(r, g, 5);
    fmt::print("operations: {} proved, {} refuted, {} inconclusive, {} not attempted; proofs {:.1f} s wall, {:.1f} s "
               "summed over {} worker(s)\n",
               r.proved, r.refuted, r.inconclusive, r.not_attempted, r.seconds_proofs, r.proof_seconds_sum, o.threads);
    fmt::print("verdict: {}\n", status == 0   ? "the circuit equals the fixed-point sampler on every input (proved)"
                                : status == 2 ? "the circuit is NOT the fixed-point sampler (refuted)"
                                              : "not proved (inconclusive or not attempted operations)");
  }
  j["seconds"] = elapsed();
  j["peak_memory_gib"] = peak_gib();
  j["exit_status"] = status;
  fmt::print("total {:.1f} s, peak memory {:.2f} GiB\n", elapsed(), peak_gib());
  tc0::cli::write_json(o.json, j);
  return status;
}

tc0::cli::Registrar reg(
    "verify", "Prove a compiled circuit equal to the model's fixed-point sampler on every input (translation validation)",
    [](CLI::App& sub) -> tc0::cli::Runner {
      auto o = std::make_shared<Options>();
      tc0::cli::add_compiled_circuit(sub, o->file, o->model, o->sampler, o->steps);
      tc0::cli::add_number(sub, "--threads", o->threads, 1, tc0::cli::max_threads(), "Proof workers")
          ->capture_default_str();
      tc0::cli::add_number(sub, "--timeout", o->timeout, tc0::cli::Range<double>{0, 86400, true, false},
                           "Timeout per solver query in seconds")
          ->capture_default_str();
      tc0::cli::add_number(sub, "--exhaustive-wires", o->exhaustive_wires, 0, 26,
                           "Prove operations with at most this many free wires by exhaustive simulation")
          ->capture_default_str();
      sub.add_option("--kinds", o->kinds, "Only prove operations of these kinds, e.g. unary,max,mul (default: all)");
      sub.add_flag("--log", o->log, "One line per class proof on standard error (kind, wires, method, time)");
      sub.add_option("--op", o->ops, "Only prove the classes of these operations (indices; repeatable)")
          ->check(tc0::cli::integer_range(0, UINT32_MAX, true));
      sub.add_flag("--structure-only", o->structure_only, "Check the structure and the classes, prove nothing");
      sub.add_option("--smt2", o->smt2,
                     "Write every solver query as SMT-LIB2 into DIR, with Z3's answer as its status "
                     "(tools/smt2_recheck.sh DIR re-checks them with cvc5)");
      tc0::cli::add_json_option(sub, o->json);
      sub.footer(
          "The specification is the model, traced again; the circuit file contributes only its gates and its\n"
          "operation map. Exit status: 0 proved, 2 not the sampler (structure or a refuted operation, named),\n"
          "3 not everything proved (a timeout is inconclusive, never proved), 1 bad input.");
      return [o] { return run(*o); };
    });

}  // namespace
