// The mutation campaign of tc0flow verify (issue 14 item 3) on a compiled sampler: seeded
// single-gate mutants spread round-robin over the operation kinds and over high- and low-order
// output bits (weight +-1, threshold +-1, a fan-in swapped for another wire of the operation, a
// fan-in moved to another operation's wire), each judged as proofs/op_mutants.hpp says: refuted
// (the proof's counterexample, or a recorded sampler input's operands, reproduced by the CPU
// simulator against FixedArith), caught by the structure check, equivalent (proved, and confirmed
// by a second method: the exhaustive proof is complete, a solver proof is re-checked by cvc5),
// inconclusive, or an escape. For every single-gate mutant the fixed-point sampler's own runs on
// --reach seeded inputs say whether an input makes the operation wrong, and the whole mutated circuit
// simulated on that input says whether the sample shows it. Then --structural seeded structural
// mutants (two wires between operations swapped, an output bus reordered) on whole copies of the
// circuit, each to be caught by check_structure.
// Prints the tables (per kind, per mutation, per bit order, structural) and writes JSON.
//   bench_verify_mutations [--model DIR] [--sampler K] [--steps N] [--depth-budget D] [--count N]
//                          [--seed S] [--timeout S] [--search-words W] [--reach N] [--no-downstream]
//                          [--structural N] [--cvc5-timeout S] [--no-cvc5] [--json PATH]
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "fileio/atomic_file.hpp"
#include "proofs/op_mutants.hpp"
#include "proofs/translation.hpp"
#include "sampler/compile/trace.hpp"
#include "sampler/run.hpp"

using namespace tc0;
using namespace tc0::proofs;
using circuits::Network;

namespace {

struct Row {
  int mutants = 0, refuted = 0, refuted_by_input = 0, caught = 0, equivalent = 0, unconfirmed = 0, inconclusive = 0,
      escapes = 0, reached = 0, visible = 0;
  double seconds = 0;
  void add(const MutantOutcome& o) {
    ++mutants;
    refuted += o.is_refuted();
    refuted_by_input += o.is_refuted() && o.refuted_by == "sampler input";
    caught += o.is_caught();
    equivalent += o.verdict == "equivalent";
    unconfirmed += o.verdict == "equivalent (unconfirmed)";
    inconclusive += o.is_inconclusive();
    escapes += o.is_escape();
    reached += o.reached_input.has_value();
    visible += o.visible.value_or(false);
    seconds += o.seconds;
  }
  void add(const Row& r) {
    mutants += r.mutants, refuted += r.refuted, refuted_by_input += r.refuted_by_input, caught += r.caught;
    equivalent += r.equivalent, unconfirmed += r.unconfirmed, inconclusive += r.inconclusive, escapes += r.escapes;
    reached += r.reached, visible += r.visible, seconds += r.seconds;
  }
};

std::string hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Row table(const std::string& title, const std::map<std::string, Row>& rows) {
  fmt::print("\n{:<22} {:>7} {:>8} {:>9} {:>7} {:>6} {:>7} {:>7} {:>7} {:>8} {:>8} {:>9}\n", title, "mutants", "refuted",
             "(by input)", "caught", "equiv", "unconf", "inconcl", "escapes", "reached", "visible", "seconds");
  Row total;
  for (auto& [name, r] : rows) {
    fmt::print("{:<22} {:>7} {:>8} {:>9} {:>7} {:>6} {:>7} {:>7} {:>7} {:>8} {:>8} {:>9.1f}\n", name, r.mutants,
               r.refuted, r.refuted_by_input, r.caught, r.equivalent, r.unconfirmed, r.inconclusive, r.escapes,
               r.reached, r.visible, r.seconds);
    total.add(r);
  }
  return total;
}

}  // namespace

int campaign(int argc, char** argv) {
  std::string model = "sampler/models/moons_mf2", kind_name, json_path = "bench_verify_mutations.json";
  std::string recheck_script = "tools/smt2_recheck.sh";
  int steps = 0, depth_budget = 2, count = 100, search_words = 1024, reach = 256, structural = 10, cvc5_timeout = 60;
  bool downstream = true;
  uint64_t seed = 1;
  double timeout = 60;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&] {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return std::string(argv[++i]);
      };
      auto number = [&](auto parse) {  // the whole value, or one error line naming the option
        const std::string v = next();
        size_t end = 0;
        try {
          const auto x = parse(v, &end);
          if (end == v.size()) return x;
        } catch (const std::logic_error&) {
        }
        throw std::invalid_argument(a + ": '" + v + "' is not a number");
      };
      auto integer = [&] { return number([](const std::string& v, size_t* e) { return std::stoi(v, e); }); };
      if (a == "--model") model = next();
      else if (a == "--sampler") kind_name = next();
      else if (a == "--steps") steps = integer();
      else if (a == "--depth-budget") depth_budget = integer();
      else if (a == "--count") count = integer();
      else if (a == "--seed") seed = number([](const std::string& v, size_t* e) { return std::stoull(v, e); });
      else if (a == "--timeout") timeout = number([](const std::string& v, size_t* e) { return std::stod(v, e); });
      else if (a == "--search-words") search_words = integer();
      else if (a == "--reach") reach = integer();
      else if (a == "--no-downstream") downstream = false;
      else if (a == "--structural") structural = integer();
      else if (a == "--cvc5-timeout") cvc5_timeout = integer();
      else if (a == "--no-cvc5") recheck_script.clear();
      else if (a == "--json") json_path = next();
      else {
        fmt::print("bench_verify_mutations [--model DIR] [--sampler K] [--steps N] [--depth-budget D] [--count N] "
                   "[--seed S] [--timeout S] [--search-words W] [--reach N] [--no-downstream] [--structural N] "
                   "[--cvc5-timeout S] [--no-cvc5] [--json PATH]\n");
        return a == "--help" ? 0 : 1;
      }
    }
    if (count < 0 || reach < 0 || structural < 0 || search_words < 1 || timeout <= 0 || cvc5_timeout < 1)
      throw std::invalid_argument("counts must not be negative, timeouts and --search-words positive");
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_verify_mutations: error: {}\n", e.what());
    return 1;
  }
  if (!recheck_script.empty() && !std::filesystem::exists(recheck_script)) {
    fmt::print(stderr, "bench_verify_mutations: error: {} not found (run from the source folder, or --no-cvc5)\n",
               recheck_script);
    return 1;
  }
  fileio::check_writable(json_path, "JSON report");  // before minutes of work, not after
  const auto t0 = std::chrono::steady_clock::now();
  const sampler::Model m = sampler::Model::load(model);
  const sampler::SamplerSpec spec = sampler::sampler_spec(m, kind_name, steps);
  sampler::compile::CompileOptions co;
  co.linear.depth_budget = depth_budget;
  const Network ntk = sampler::compile::compile_sampler(m, spec, co);
  const SamplerGraph g = trace_op_graph(m, spec);
  const StructureResult st = check_structure(ntk, g);
  if (!st.ok) {
    fmt::print(stderr, "bench_verify_mutations: the unmutated circuit fails the structure check: {}\n", st.error);
    return 1;
  }
  const double seconds_setup = since(t0);
  std::vector<std::string> kinds;
  const std::vector<OpMutant> mutants = draw_op_mutants(ntk, g, count, seed, &kinds);
  fmt::print("{} ({} {}-step, depth budget {}): {} gates, {} operations; setup {:.1f} s\nkinds ({}): {}\n", model,
             sampler::name(spec.kind), spec.steps, depth_budget, ntk.num_gates(), g.ops.size(), seconds_setup,
             kinds.size(), fmt::join(kinds, ", "));

  const auto tr = std::chrono::steady_clock::now();
  // (released before the structural mutants, whose whole copies of the circuit set the peak memory)
  auto runs = std::make_unique<const SamplerRuns>(record_sampler_runs(m, spec, g, size_t(reach), seed));
  const double seconds_reach_runs = since(tr);
  fmt::print("fixed-point sampler on {} seeded inputs, every operation recorded: {:.1f} s\n", reach, seconds_reach_runs);

  JudgeOptions jo;
  jo.proof.query.timeout_ms = unsigned(timeout * 1000);
  jo.search_words = search_words;
  jo.runs = reach > 0 ? runs.get() : nullptr;
  jo.downstream = downstream;
  jo.recheck_script = recheck_script;
  jo.cvc5_timeout_s = cvc5_timeout;
  jo.work_dir = (std::filesystem::temp_directory_path() / fmt::format("tc0_mutants_{}", ::getpid())).string();
  std::map<std::string, Row> per_kind, per_mutation, per_order, per_structural;
  nlohmann::json list = nlohmann::json::array(), slist = nlohmann::json::array();
  for (const OpMutant& mu : mutants) {
    const MutantOutcome o = judge_op_mutant(ntk, g, mu, jo);
    nlohmann::json entry = {{"index", mu.index}, {"op", mu.op},       {"module", g.ops[mu.op].module},
                            {"kind", mu.kind},   {"mutation", to_string(mu.mutation)}, {"bit", mu.bit},
                            {"order", mu.high ? "high" : "low"}, {"gate_node", mu.gate_node}, {"change", mu.change}};
    entry.update(o.to_json());
    list.push_back(entry);
    per_kind[mu.kind].add(o);
    per_mutation[to_string(mu.mutation)].add(o);
    per_order[mu.high ? "high bits" : "low bits"].add(o);
    std::string reach_note;
    if (o.reached_input)
      reach_note = fmt::format("; sampler input {} reaches it, sample {}", *o.reached_input,
                               !o.visible ? "not simulated" : *o.visible ? "differs" : "equal (masked)");
    else if (o.reach_inputs && mu.mutation != MutantKind::moved)
      reach_note = fmt::format("; not reached by {} sampler inputs", o.reach_inputs);
    fmt::print(stderr, "[{}/{}] {} op {} bit {} {}: {}{} ({:.1f} s)\n", mu.index + 1, count, mu.kind, mu.op, mu.bit,
               mu.change, o.verdict, reach_note, o.seconds);
  }
  std::filesystem::remove_all(jo.work_dir);
  runs.reset();
  for (const StructuralMutant& mu : draw_structural_mutants(ntk, g, structural, seed)) {
    const MutantOutcome o = judge_structural_mutant(ntk, g, mu);
    const std::string what = mu.edit.swap_reads ? "wires swapped" : "output bus reordered";
    per_structural[what].add(o);
    nlohmann::json entry = {{"index", mu.index}, {"mutation", what}, {"change", mu.change}};
    entry.update(o.to_json());
    slist.push_back(entry);
    fmt::print(stderr, "[structural {}/{}] {}: {} ({:.1f} s): {}\n", mu.index + 1, structural, mu.change, o.verdict,
               o.seconds, o.detail);
  }
  const Row total = table("kind", per_kind);
  table("mutation", per_mutation);
  table("bit order", per_order);
  const Row stotal = table("structural", per_structural);
  const double seconds_all = since(t0);
  const double pct = total.mutants ? 100.0 * total.refuted / total.mutants : 0;
  const double pct_caught = total.mutants ? 100.0 * (total.refuted + total.caught) / total.mutants : 0;
  fmt::print("\n{} single-gate mutants: {} refuted ({:.0f}%; {} of them by a sampler input), {} caught by the structure "
             "check ({:.0f}% refuted or caught), {} equivalent (confirmed), {} equivalent (unconfirmed), {} "
             "inconclusive, {} escapes; {} reached by one of {} sampler inputs, {} of those visible in the sample\n"
             "{} structural mutants: {} caught, {} escapes\nsetup {:.0f} s, sampler runs {:.0f} s, all {:.0f} s\n",
             total.mutants, total.refuted, pct, total.refuted_by_input, total.caught, pct_caught, total.equivalent,
             total.unconfirmed, total.inconclusive, total.escapes, total.reached, reach, total.visible, stotal.mutants,
             stotal.caught, stotal.escapes, seconds_setup, seconds_reach_runs, seconds_all);
  nlohmann::json j{{"benchmark", "bench_verify_mutations"},
                   {"machine", {{"host", hostname()}, {"cores", std::thread::hardware_concurrency()}}},
                   {"commit", TC0_GIT_COMMIT},
                   {"model", model},
                   {"sampler", {{"kind", sampler::name(spec.kind)}, {"steps", spec.steps}}},
                   {"depth_budget", depth_budget},
                   {"gates", ntk.num_gates()},
                   {"operations", g.ops.size()},
                   {"kinds", kinds},
                   {"seed", seed},
                   {"timeout_s", timeout},
                   {"reach_inputs", reach},
                   {"mutants", total.mutants},
                   {"refuted", total.refuted},
                   {"refuted_by_sampler_input", total.refuted_by_input},
                   {"caught_by_structure", total.caught},
                   {"equivalent", total.equivalent},
                   {"equivalent_unconfirmed", total.unconfirmed},
                   {"inconclusive", total.inconclusive},
                   {"escapes", total.escapes},
                   {"reached", total.reached},
                   {"visible", total.visible},
                   {"structural", {{"mutants", stotal.mutants}, {"caught", stotal.caught}, {"escapes", stotal.escapes}}},
                   {"seconds", {{"setup", seconds_setup}, {"sampler_runs", seconds_reach_runs}, {"all", seconds_all}}},
                   {"list", list},
                   {"structural_list", slist}};
  fileio::write_file(json_path, j.dump(2) + "\n", "JSON report");
  return total.escapes == 0 && stotal.escapes == 0 ? 0 : 2;
}

// A model that does not load, an unwritable JSON path: one error line, exit status 1.
int main(int argc, char** argv) {
  try {
    return campaign(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_verify_mutations: error: {}\n", e.what());
    return 1;
  }
}
