#include "proofs/registry.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "fileio/atomic_file.hpp"
#include "proofs/equivalence.hpp"
#include "proofs/gadget_cases.hpp"
#include "proofs/identities.hpp"
#include "proofs/registry_extra.hpp"

namespace tc0::proofs {

namespace {

ObligationResult run_gadget(const GadgetFamily& fam, int n, const QueryOptions& opt) {
  GadgetCase gc = fam.make(n);
  EquivalenceResult e = prove_equivalence(gc, opt);
  ObligationResult r;
  r.verdict = e.verdict;
  r.seconds = e.seconds;
  r.queries = 1;
  r.detail = e.verdict == Verdict::proved ? gc.params : e.detail;
  if (e.cex) r.evidence = e.cex->to_json();
  return r;
}

std::vector<Obligation> build() {
  std::vector<Obligation> obs;
  for (const GadgetFamily& fam : gadget_families())
    for (int n = fam.min_bits; n <= fam.max_bits; ++n)
      obs.push_back({fmt::format("{}/{}", fam.name, n), fam.name, n, fmt::format("{} bits", n), n <= fam.quick_max_bits,
                     [&fam, n](const QueryOptions& o) { return run_gadget(fam, n, o); }});
  for (const IdentityFormats& fs : identity_format_sets()) {
    auto add = [&](const std::string& family, bool quick, std::function<ObligationResult(const QueryOptions&)> run) {
      obs.push_back({fmt::format("{}/{}", family, fs.name), family, fs.bits, fs.str(), quick, std::move(run)});
    };
    const IdentityFormats* f = &fs;
    bool small = fs.name == "q8";  // the quick subset; the other sets run in the slow suite
    add("identity.round_once", small, [f](const QueryOptions& o) { return prove_round_once(*f, o); });
    add("identity.additivity", small, [f](const QueryOptions& o) { return prove_additivity(*f, true, o); });
    add("identity.additivity_nosat", small, [f](const QueryOptions& o) { return prove_additivity(*f, false, o); });
    add("identity.boundary", small, [f](const QueryOptions& o) { return prove_boundary(*f, o); });
    add("identity.mf1_mf2_exact", small, [f](const QueryOptions& o) { return prove_mf1_mf2(*f, false, o); });
    add("identity.mf1_mf2_rounded_u", small, [f](const QueryOptions& o) { return prove_mf1_mf2(*f, true, o); });
    add("identity.mf1_mf2_rounded_u_nosat", small, [f](const QueryOptions& o) { return prove_mf1_mf2(*f, true, o, false); });
    add("identity.two_step", small, [f](const QueryOptions& o) { return prove_two_step(*f, true, o); });
    add("identity.two_step_nosat", small, [f](const QueryOptions& o) { return prove_two_step(*f, false, o); });
  }
  append_extra_obligations(obs);
  return obs;
}

}  // namespace

const std::vector<Obligation>& obligations() {
  static const std::vector<Obligation> obs = build();
  return obs;
}

std::vector<const Obligation*> select_obligations(const std::vector<std::string>& patterns, const std::vector<int>& bits,
                                                  bool quick_only) {
  std::vector<const Obligation*> out;
  for (const std::string& p : patterns) {
    bool any = false;
    for (const Obligation& ob : obligations())
      if (ob.name == p || ob.name.rfind(p, 0) == 0) any = true;
    if (!any)
      throw std::invalid_argument(
          fmt::format("no proof obligation named or starting with '{}'; `tc0flow prove --list` shows them", p));
  }
  for (const Obligation& ob : obligations()) {
    bool name_ok = patterns.empty();
    for (const std::string& p : patterns) name_ok = name_ok || ob.name == p || ob.name.rfind(p, 0) == 0;
    bool bits_ok = bits.empty();
    for (int b : bits) bits_ok = bits_ok || ob.bits == b;
    if (name_ok && bits_ok && (!quick_only || ob.quick)) out.push_back(&ob);
  }
  return out;
}

ObligationResult run_obligation(const Obligation& ob, const QueryOptions& opt) {
  try {
    return ob.run(opt);
  } catch (const fileio::FileError&) {
    throw;  // an unwritable --smt2 folder is an error of the run, not of this obligation
  } catch (const std::exception& e) {
    ObligationResult r;
    r.verdict = Verdict::inconclusive;
    r.detail = std::string("error: ") + e.what();
    return r;
  }
}

}  // namespace tc0::proofs
