#include "proofs/mutation.hpp"

#include <fmt/format.h>

#include <random>
#include <stdexcept>

#include "circuits/sim/bitsim.hpp"

namespace tc0::proofs {

using circuits::Network;
using circuits::Signal;
using circuits::Weight;

const char* to_string(MutationKind k) {
  switch (k) {
    case MutationKind::weight: return "weight";
    case MutationKind::threshold: return "threshold";
    case MutationKind::drop_fanin: return "drop_fanin";
  }
  return "?";
}

std::string Mutation::str() const {
  switch (kind) {
    case MutationKind::weight: return fmt::format("gate {} weight {} += {}", gate, fanin, int64_t(delta));
    case MutationKind::threshold: return fmt::format("gate {} theta += {}", gate, int64_t(delta));
    case MutationKind::drop_fanin: return fmt::format("gate {} drop fan-in {}", gate, fanin);
  }
  return "?";
}

Network apply_mutation(const Network& ntk, const Mutation& m) {
  Network out;
  std::vector<Signal> map(ntk.num_nodes(), circuits::kFalse);
  // Inputs: buses first (recreated with their names and formats), then loose inputs.
  std::vector<bool> done(ntk.num_nodes(), false);
  for (const circuits::Bus& b : ntk.input_buses()) {
    const circuits::Bus& nb = out.create_input_bus(b.name, b.fmt, b.is_signed);
    if (nb.bits.size() != b.bits.size()) throw std::logic_error("apply_mutation: bus width changed");
    for (size_t i = 0; i < b.bits.size(); ++i) {
      map[b.bits[i].index()] = b.bits[i].complemented() ? !nb.bits[i] : nb.bits[i];
      done[b.bits[i].index()] = true;
    }
  }
  for (uint32_t pos = 0; pos < ntk.num_inputs(); ++pos) {
    uint32_t node = ntk.inputs()[pos];
    if (!done[node]) map[node] = out.create_input(ntk.input_name(pos));
  }
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    circuits::GateView gv = ntk.gate(g);
    std::vector<Signal> f;
    std::vector<Weight> w;
    Weight theta = gv.theta;
    for (size_t i = 0; i < gv.size(); ++i) {
      if (g == m.gate && m.kind == MutationKind::drop_fanin && i == m.fanin) continue;
      Signal s = gv.fanins[i];
      f.push_back(s.complemented() ? !map[s.index()] : map[s.index()]);
      w.push_back(gv.weight(i) + (g == m.gate && m.kind == MutationKind::weight && i == m.fanin ? m.delta : 0));
    }
    if (g == m.gate && m.kind == MutationKind::threshold) theta += m.delta;
    map[ntk.gate_node(g)] = out.create_threshold(f, w, theta);
  }
  for (const circuits::Bus& b : ntk.output_buses()) {
    circuits::Bus nb = b;
    for (Signal& s : nb.bits) s = s.complemented() ? !map[s.index()] : map[s.index()];
    out.add_output_bus(nb);
  }
  return out;
}

Mutation random_mutation(const Network& ntk, uint64_t seed) {
  if (ntk.num_gates() == 0) throw std::invalid_argument("random_mutation: the network has no gates");
  std::mt19937_64 rng(seed);
  Mutation m;
  m.gate = uint32_t(rng() % ntk.num_gates());
  circuits::GateView gv = ntk.gate(m.gate);
  int kind = int(rng() % 3);
  m.kind = kind == 0 ? MutationKind::weight : kind == 1 ? MutationKind::threshold : MutationKind::drop_fanin;
  m.fanin = gv.size() ? size_t(rng() % gv.size()) : 0;
  if (gv.size() == 0) m.kind = MutationKind::threshold;
  // Small steps (+-1) are the subtle faults; a larger step changes the gate's meaning grossly.
  int64_t steps[] = {1, -1, 2, -2};
  m.delta = steps[rng() % 4];
  if (m.kind == MutationKind::weight && rng() % 4 == 0) m.delta = -2 * gv.weight(m.fanin);  // sign flip
  return m;
}

bool exhaustively_equivalent(const GadgetCase& gc, const Network& ntk) {
  auto ports = circuits::sim::input_ports(ntk);
  size_t bits = 0;
  for (auto& p : ports) bits += p.bits.size();
  if (bits > 20) throw std::invalid_argument(fmt::format("exhaustive check of {}: {} input bits, at most 20", gc.name, bits));
  uint64_t n = uint64_t(1) << bits;
  circuits::sim::BusBatch in(ports.size(), std::vector<int64_t>(n));
  for (uint64_t s = 0; s < n; ++s) {
    size_t shift = 0;
    for (size_t p = 0; p < ports.size(); ++p) {
      size_t w = ports[p].bits.size();
      int64_t raw = int64_t((s >> shift) & ((uint64_t(1) << w) - 1));
      in[p][s] = circuits::sim::wrap_to_bus(raw, w, ports[p].is_signed);
      shift += w;
    }
  }
  circuits::sim::SimOptions so;
  so.threads = 1;
  circuits::sim::BitSimulator sim(ntk, so);
  circuits::sim::BusBatch out = sim.run(in);
  std::vector<int64_t> v(ports.size());
  for (uint64_t s = 0; s < n; ++s) {
    for (size_t p = 0; p < ports.size(); ++p) v[p] = in[p][s];
    std::vector<int64_t> want = gc.reference(v);
    for (size_t o = 0; o < want.size(); ++o)
      if (out[o][s] != want[o]) return false;
  }
  return true;
}

MutationSummary run_mutation_campaign(const std::vector<GadgetCase>& cases, int count, uint64_t seed,
                                      const QueryOptions& opt) {
  MutationSummary sum;
  for (int i = 0; i < count; ++i) {
    const GadgetCase& base = cases[size_t(i) % cases.size()];
    Mutation m = random_mutation(base.ntk, seed * 1000003u + uint64_t(i));
    GadgetCase mutant{base.name, base.params, apply_mutation(base.ntk, m), base.encode, base.reference};
    EquivalenceResult e = prove_equivalence(mutant, opt);
    bool equal = exhaustively_equivalent(base, mutant.ntk);
    MutationOutcome mo{m, base.name, e.verdict, equal, false, e.seconds};
    ++sum.total;
    if (e.verdict == Verdict::refuted) {
      ++sum.refuted;
      mo.escape = equal;  // cannot happen: the counterexample was reproduced by simulation
    } else if (e.verdict == Verdict::proved) {
      ++sum.equivalent;
      mo.escape = !equal;
    } else {
      ++sum.inconclusive;
    }
    if (mo.escape) ++sum.escapes;
    sum.outcomes.push_back(mo);
  }
  return sum;
}

}  // namespace tc0::proofs
