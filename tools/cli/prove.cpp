// tc0flow prove: runs the named proof obligations of proofs/ (gadget equivalences, SPEC 5
// identities, no-wrap interval analyses, the compositional multiplier) and prints a result table:
// name, parameters, result (proved / refuted / inconclusive), the tight bound k, time.
#include <fmt/format.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "proofs/registry.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"

namespace {

using namespace tc0::proofs;

struct Options {
  bool list = false;
  bool quick = false;
  std::vector<std::string> names;
  std::string bits;
  std::string smt2_dir;
  double timeout = 60;
  std::string json;
  CLI::Option *smt2_flag = nullptr, *timeout_flag = nullptr;
};

// "8", "2-8", "4,8,12-16".
std::vector<int> parse_bits(const std::string& s) {
  std::vector<int> out;
  if (s.empty()) return out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    std::string item = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    try {
      size_t dash = item.find('-');
      size_t used = 0;
      int a = std::stoi(item.substr(0, dash), &used);
      int b = dash == std::string::npos ? a : std::stoi(item.substr(dash + 1));
      if (a < 1 || b < a || b > 64) throw std::out_of_range("range");
      for (int i = a; i <= b; ++i) out.push_back(i);
    } catch (const std::exception&) {
      throw std::invalid_argument(fmt::format("--bits: cannot read '{}'; give widths like 8, 2-8 or 4,8,12-16", item));
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

int run(const Options& o) {
  for (const CLI::Option* f : {o.smt2_flag, o.timeout_flag})
    tc0::cli::refuse_flag(f, !o.list, "applies to proving, which --list does not do");
  tc0::cli::check_paths({}, {{"--json", o.json}});
  if (!o.smt2_dir.empty()) prepare_smt2_folder(o.smt2_dir);
  auto selected = select_obligations(o.names, parse_bits(o.bits), o.quick);
  if (o.list) {
    fmt::print("{:<36} {:>4} {:>5}  {}\n", "name", "bits", "quick", "parameters");
    for (const Obligation* ob : selected) fmt::print("{:<36} {:>4} {:>5}  {}\n", ob->name, ob->bits, ob->quick ? "yes" : "", ob->params);
    nlohmann::json j = tc0::cli::report_header("prove");
    for (const Obligation* ob : selected)
      j["obligations"].push_back({{"name", ob->name}, {"bits", ob->bits}, {"quick", ob->quick}, {"params", ob->params}});
    tc0::cli::write_json(o.json, j);
    return 0;
  }
  QueryOptions qo;
  qo.timeout_ms = unsigned(o.timeout * 1000);
  qo.smt2_dir = o.smt2_dir;
  nlohmann::json j = tc0::cli::report_header("prove");
  j["timeout_s"] = o.timeout;
  j["results"] = nlohmann::json::array();
  int counts[3] = {0, 0, 0};
  double total = 0;
  fmt::print("{:<36} {:<14} {:>6} {:>8}  {}\n", "name", "result", "k", "time s", "parameters / detail");
  for (const Obligation* ob : selected) {
    ObligationResult r = run_obligation(*ob, qo);
    ++counts[int(r.verdict)];
    total += r.seconds;
    fmt::print("{:<36} {:<14} {:>6} {:>8.3f}  {}{}\n", ob->name, to_string(r.verdict), r.k.value_or("-"), r.seconds,
               ob->params, r.detail.empty() ? "" : " | " + r.detail);
    std::fflush(stdout);
    nlohmann::json e{{"name", ob->name},       {"family", ob->family},   {"bits", ob->bits}, {"params", ob->params},
                     {"result", to_string(r.verdict)}, {"seconds", r.seconds}, {"queries", r.queries}, {"detail", r.detail}};
    if (r.k) e["k"] = *r.k;
    if (!r.evidence.is_null()) e["evidence"] = r.evidence;
    j["results"].push_back(e);
  }
  fmt::print("{} obligations: {} proved, {} refuted, {} inconclusive; solver time {:.2f} s\n", selected.size(),
             counts[0], counts[1], counts[2], total);
  j["summary"] = {{"proved", counts[0]}, {"refuted", counts[1]}, {"inconclusive", counts[2]}, {"seconds", total}};
  tc0::cli::write_json(o.json, j);
  return counts[1] + counts[2] == 0 ? 0 : 2;
}

tc0::cli::Registrar reg("prove", "Prove gadgets and the SPEC 5 fixed-point identities with Z3 (QF_BV)",
                        [](CLI::App& sub) -> tc0::cli::Runner {
                          auto o = std::make_shared<Options>();
                          sub.add_flag("--list", o->list, "List the obligations (filtered by NAME and --bits) and exit");
                          sub.add_flag("--quick", o->quick, "Only the quick subset (what the default test suite runs)");
                          sub.add_option("names", o->names, "Obligation names or prefixes (e.g. gadget.add, identity.)");
                          sub.add_option("--bits", o->bits, "Widths to run, e.g. 8, 2-8 or 4,8,12-16");
                          o->smt2_flag = sub.add_option("--smt2", o->smt2_dir,
                                                        "Write every solver query as SMT-LIB2 into DIR, with Z3's answer as its status "
                                                        "(tools/smt2_recheck.sh DIR re-checks them with cvc5)");
                          o->timeout_flag = tc0::cli::add_number(sub, "--timeout", o->timeout,
                                                                 tc0::cli::Range<double>{0, 86400, true, false},
                                                                 "Timeout per solver query in seconds (default 60)");
                          tc0::cli::add_json_option(sub, o->json);
                          sub.footer(
                              "Exit status: 0 when every selected obligation is proved, 2 when one is refuted or "
                              "inconclusive (a timeout is inconclusive, never proved).");
                          return [o] { return run(*o); };
                        });

}  // namespace
