#include "proofs/registry_extra.hpp"

#include <fmt/format.h>

#include "proofs/compositional.hpp"
#include "proofs/interval.hpp"
#include "proofs/model_nowrap.hpp"
#include "sampler/model.hpp"

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

// A shipped model's whole sampler (model_nowrap.hpp) with the Fixed type's 128-bit accumulator. The
// path is relative to the repository root, where the tests and the benchmark run.
ObligationResult run_model(const std::string& dir, const QueryOptions& opt) {
  ModelNoWrapOptions o;
  o.query = opt;
  const ModelNoWrapReport m = check_model_no_wrap(sampler::Model::load(dir), o);
  ObligationResult r;
  r.verdict = m.verdict();
  r.seconds = m.seconds;
  r.queries = int(m.solver_queries);
  r.detail = fmt::format("{} accumulator steps: {} proved ({} reused), {} refuted, {} inconclusive; widest accumulator "
                         "{} bits ({}) of {} declared",
                         m.steps, m.proved, m.reused, m.refuted, m.inconclusive, m.max_needed_bits, m.widest_tensor,
                         m.acc_bits);
  r.evidence = nlohmann::json::array();
  for (const TensorNoWrap& t : m.tensors)
    r.evidence.push_back({{"tensor", t.name}, {"format", t.fmt.str()}, {"steps", t.steps}, {"proved", t.proved},
                          {"refuted", t.refuted}, {"inconclusive", t.inconclusive},
                          {"max_needed_bits", t.max_needed_bits}, {"out_lo", t.out_lo}, {"out_hi", t.out_hi}});
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
  // Whole shipped samplers: the 2-D model is quick, the demo DiT (25k accumulator steps) is not.
  for (const char* model : {"moons_mf2", "digits_mf2"}) {
    const std::string dir = std::string("sampler/models/") + model;
    const bool quick = std::string(model) == "moons_mf2";
    obs.push_back({std::string("nowrap.model.") + model, "nowrap.model", 128, dir + ", 128-bit accumulators", quick,
                   [dir](const QueryOptions& o) { return run_model(dir, o); }});
  }
}

}  // namespace tc0::proofs
