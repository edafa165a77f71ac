#include "proofs/registry_extra.hpp"

#include <fmt/format.h>

#include "proofs/interval.hpp"
#include "proofs/multiplier_proof.hpp"

namespace tc0::proofs {

namespace {

ObligationResult run_graph(const OpGraph& g, const QueryOptions& opt) {
  ObligationResult r;
  r.verdict = Verdict::proved;
  r.evidence = nlohmann::json::array();
  for (const StepReport& s : check_no_wrap(g, opt)) {
    r.seconds += s.seconds;
    ++r.queries;
    if (s.verdict != Verdict::proved && r.verdict != Verdict::refuted) r.verdict = s.verdict;
    r.detail += fmt::format("{}{}: acc [{}, {}]*2^-{} needs {} bits (declared {}){}{}", r.detail.empty() ? "" : "; ", s.node,
                            s.acc_lo.str(), s.acc_hi.str(), s.acc_frac, s.needed_bits, s.acc_bits,
                            s.saturation_possible ? ", may saturate" : "", s.detail.empty() ? "" : " " + s.detail);
    r.evidence.push_back({{"node", s.node}, {"acc_lo", s.acc_lo.str()}, {"acc_hi", s.acc_hi.str()}, {"acc_frac", s.acc_frac},
                          {"needed_bits", s.needed_bits}, {"acc_bits", s.acc_bits}, {"out_lo", s.out_lo.str()},
                          {"out_hi", s.out_hi.str()}, {"saturation_possible", s.saturation_possible},
                          {"result", to_string(s.verdict)}});
  }
  return r;
}

}  // namespace

void append_extra_obligations(std::vector<Obligation>& obs) {
  for (int n : {8, 10, 12, 14, 16})
    for (bool full : {false, true}) {
      int split = n - 4;  // leave 4 free bits of x per case
      obs.push_back({fmt::format("multiplier.split{}/{}", full ? "_full" : "", n),
                     full ? "multiplier.split_full" : "multiplier.split", n,
                     fmt::format("x Q({0},{1}) * y Q({0},{1}) -> {2}, {3} cases", n, n / 2,
                                 full ? fmt::format("Q({},{}) exact", 2 * n, 2 * (n / 2)) : fmt::format("Q({},{}) rounded", n, n / 2),
                                 1 << split),
                     false, [n, full, split](const QueryOptions& o) { return prove_multiplier_split(n, full, split, o); }});
    }
  for (const OpGraph& g : builtin_op_graphs()) {
    int bits = g.nodes.empty() ? 0 : g.nodes.front().fmt.width();
    obs.push_back({"nowrap." + g.name, "nowrap", bits, fmt::format("{} nodes", g.nodes.size()), true,
                   [g](const QueryOptions& o) { return run_graph(g, o); }});
  }
}

}  // namespace tc0::proofs
