#include "proofs/registry_extra.hpp"

#include <fmt/format.h>

#include "proofs/compositional.hpp"
#include "proofs/interval.hpp"

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
  // The multiplier by the compositional proof (compositional.hpp) at every width to 8, then even
  // widths to 16 (the monolithic miter stops at 6 bits in the registry: 8 bits take 30-85 s).
  for (bool full : {false, true})
    for (int n = 2; n <= 16; n += n < 8 ? 1 : 2) {
      std::string fam = full ? "compositional.multiply_full" : "compositional.multiply";
      obs.push_back({fmt::format("{}/{}", fam, n), fam, n,
                     fmt::format("x Q({0},{1}) * y Q({0},{1}) -> {2}; AND layer + {3} column lemmas", n, n / 2,
                                 full ? fmt::format("Q({},{}) exact", 2 * n, 2 * (n / 2)) : fmt::format("Q({},{}) rounded", n, n / 2),
                                 full ? 2 * n : n),
                     n <= 5, [n, full](const QueryOptions& o) { return prove_multiplier_compositional(n, full, o); }});
    }
  // The wide linear forms whose monolithic miter times out (sum4 from 10 bits, dot_const from 7).
  for (const char* fam : {"gadget.sum4", "gadget.dot_const"})
    for (int n = 2; n <= 16; ++n) {
      std::string family = std::string("compositional.") + (fam + 7);
      obs.push_back({fmt::format("{}/{}", family, n), family, n, fmt::format("{} bits, column lemmas", n), n <= 4,
                     [fam, n](const QueryOptions& o) { return prove_linear_gadget_compositional(fam, n, o); }});
    }
  for (const OpGraph& g : builtin_op_graphs()) {
    int bits = g.nodes.empty() ? 0 : g.nodes.front().fmt.width();
    obs.push_back({"nowrap." + g.name, "nowrap", bits, fmt::format("{} nodes", g.nodes.size()), true,
                   [g](const QueryOptions& o) { return run_graph(g, o); }});
  }
}

}  // namespace tc0::proofs
