// The counting builder (contract in gate_counter.hpp).
#include "circuits/gate_counter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace tc0::circuits {

namespace {

int bit_length(Weight v) {
  auto u = static_cast<unsigned __int128>(v < 0 ? -v : v);
  int n = 0;
  while (u) {
    u >>= 1;
    ++n;
  }
  return n;
}

uint64_t hash_list(std::span<const Signal> fanins, std::span<const Weight> weights) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  auto mix = [&h](uint64_t v) { h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); };
  for (size_t i = 0; i < fanins.size(); ++i) {
    mix(fanins[i].data);
    mix(uint64_t(weights[i]));
    mix(uint64_t(weights[i] >> 64));
  }
  return h;
}

numerics::BigInt to_big(unsigned __int128 v) {
  numerics::BigInt b = uint64_t(v >> 64);
  b <<= 64;
  b += uint64_t(v);
  return b;
}

}  // namespace

void CountTotals::add(const CountTotals& o, uint64_t times) {
  gates += o.gates * times;
  edges += o.edges * times;
  stored_edges += o.stored_edges * times;
  for (int k = 0; k < 4; ++k) by_kind[k] += o.by_kind[k] * times;
  max_fanin = std::max(max_fanin, o.max_fanin);
  weight_bits = std::max(weight_bits, o.weight_bits);
  theta_bits = std::max(theta_bits, o.theta_bits);
  if (times == 1) majority += o.majority;
  else majority += o.majority * times;
}

GateCounter::GateCounter() { reset(); }

void GateCounter::reset() {
  level_.assign(1, 0);  // node 0: the constant
  module_level_.assign(1, 0);
  node_module_.assign(1, UINT32_MAX);
  node_gate_.assign(1, kNotAGate);
  gates_.clear();
  num_lists_ = 0;
  fanins_.clear();
  weights_.clear();
  if (++stamp_ == 0) {  // the stamps wrapped: really clear the table once
    for (Slot& s : slots_) s.stamp = 0;
    stamp_ = 1;
  }
  slots_used_ = 0;
  std::fill(std::begin(recent_), std::end(recent_), UINT32_MAX);
  recent_next_ = 0;
  totals_ = CountTotals{};
  majority_pending_ = 0;
  lists_stored_ = 0;
  max_gate_level_ = 0;
  module_paths_.assign(1, "");
  module_ids_.clear();
  module_ids_[""] = 0;
  rel_module_cache_.clear();
  module_stack_.clear();
  module_counts_.assign(1, ModuleCount{});
}

Signal GateCounter::create_input(uint32_t level) {
  const uint32_t node = num_nodes();
  level_.push_back(level);
  module_level_.push_back(0);
  node_module_.push_back(UINT32_MAX);
  node_gate_.push_back(kNotAGate);
  return Signal::make(node, false);
}

Bus GateCounter::create_input_bus(const std::string& name, numerics::Format fmt, bool is_signed) {
  Bus b{name, fmt, is_signed, {}};
  for (int i = 0; i < fmt.width(); ++i) b.bits.push_back(create_input(0));
  return b;
}

void GateCounter::push_module(const std::string& name) {
  const std::string& parent = module_paths_[module_stack_.empty() ? 0 : module_stack_.back()];
  std::string path = parent.empty() ? name : parent + "/" + name;
  auto [it, fresh] = module_ids_.emplace(std::move(path), uint32_t(module_paths_.size()));
  if (fresh) {
    module_paths_.push_back(it->first);
    module_counts_.emplace_back();
  }
  module_stack_.push_back(it->second);
}

void GateCounter::pop_module() {
  if (module_stack_.empty()) throw CircuitError("pop_module: no module is pushed");
  module_stack_.pop_back();
}

uint32_t GateCounter::intern_list(std::span<const Signal> fanins, std::span<const Weight> weights) {
  const uint64_t h = hash_list(fanins, weights);
  if (2 * (slots_used_ + 1) > slots_.size()) {  // grow (rehashing the lists in use)
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(64, old.size() * 2), Slot{0, 0, 0});
    for (const Slot& s : old)
      if (s.stamp == stamp_) {
        size_t i = s.hash & (slots_.size() - 1);
        while (slots_[i].stamp == stamp_) i = (i + 1) & (slots_.size() - 1);
        slots_[i] = s;
      }
  }
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (; slots_[i].stamp == stamp_; i = (i + 1) & mask) {
    if (slots_[i].hash != h) continue;
    const ListRec& l = lists_[slots_[i].list];
    if (l.count == fanins.size() && std::equal(fanins.begin(), fanins.end(), fanins_.begin() + int64_t(l.begin)) &&
        std::equal(weights.begin(), weights.end(), weights_.begin() + int64_t(l.begin)))
      return slots_[i].list;
  }
  const uint32_t id = num_lists_++;
  if (id == lists_.size()) lists_.emplace_back();
  ListRec& l = lists_[id];
  l.begin = fanins_.size();
  l.count = uint32_t(fanins.size());
  l.hash = h;
  l.sum = 0;
  l.weight_bits = 0;
  l.all_ones = true;
  l.level = 0;
  l.gates.clear();
  l.sorted = true;
  l.ml_module = UINT32_MAX;
  for (size_t k = 0; k < fanins.size(); ++k) {
    l.sum += weights[k];
    l.weight_bits = std::max(l.weight_bits, bit_length(weights[k]));
    l.all_ones = l.all_ones && weights[k] == 1;
    l.level = std::max(l.level, level_[fanins[k].index()]);
  }
  ++l.level;
  fanins_.insert(fanins_.end(), fanins.begin(), fanins.end());
  weights_.insert(weights_.end(), weights.begin(), weights.end());
  slots_[i] = Slot{h, id, stamp_};
  ++slots_used_;
  return id;
}

CountTotals GateCounter::totals() const {
  CountTotals t = totals_;
  t.majority += to_big(majority_pending_);
  return t;
}

uint32_t GateCounter::module_level_of(uint32_t list, uint32_t module) {
  ListRec& l = lists_[list];
  if (l.ml_module == module) return l.ml_level;
  uint32_t ml = 0;
  for (uint64_t i = l.begin; i < l.begin + l.count; ++i) {
    const uint32_t f = fanins_[i].index();
    if (node_module_[f] == module) ml = std::max(ml, module_level_[f]);
  }
  if (l.ml_module == UINT32_MAX) l.ml_module = module, l.ml_level = ml + 1;
  return ml + 1;
}

Signal GateCounter::add_gate(uint32_t list, Weight theta, bool flip) {
  ListRec& l = lists_[list];
  const uint32_t module = module_stack_.empty() ? 0 : module_stack_.back();
  const uint32_t node = num_nodes();
  const uint32_t g = num_gates();
  gates_.push_back(GateRec{list, module, node, theta});
  level_.push_back(l.level);
  max_gate_level_ = std::max(max_gate_level_, l.level);
  const uint32_t ml = module_level_of(list, module);
  module_level_.push_back(ml);
  node_module_.push_back(module);
  node_gate_.push_back(g);
  // Stored fan-in entries: Network::append_gate shares one of the last 8 distinct lists stored.
  uint64_t stored = 0;
  if (std::find(std::begin(recent_), std::end(recent_), list) == std::end(recent_)) {
    stored = l.count;
    ++lists_stored_;
    recent_[recent_next_] = list;
    recent_next_ = (recent_next_ + 1) % std::size(recent_);
  }
  totals_.gates += 1;
  totals_.edges += l.count;
  totals_.stored_edges += stored;
  totals_.max_fanin = std::max(totals_.max_fanin, l.count);
  totals_.weight_bits = std::max(totals_.weight_bits, l.weight_bits);
  totals_.theta_bits = std::max(totals_.theta_bits, bit_length(theta));
  int kind = 3;  // GateKind::threshold, classified as stats.cpp classify_gate does
  if (l.all_ones) {
    if (theta == Weight(l.count)) kind = 0;
    else if (theta == 1) kind = 1;
    else if (l.count % 2 == 1 && theta == Weight((l.count + 1) / 2)) kind = 2;
  }
  ++totals_.by_kind[kind];
  const unsigned __int128 mag = static_cast<unsigned __int128>(l.sum) + static_cast<unsigned __int128>(theta < 0 ? -theta : theta);
  if (majority_pending_ + mag < majority_pending_) {  // would wrap: move the pending sum into the big one
    totals_.majority += to_big(majority_pending_);
    majority_pending_ = 0;
  }
  majority_pending_ += mag;
  ModuleCount& mc = module_counts_[module];
  mc.gates += 1;
  mc.edges += l.count;
  mc.stored_edges += stored;
  mc.depth = std::max(mc.depth, ml);
  l.gates.emplace_back(theta, g);
  if (l.gates.size() > 1 && l.gates[l.gates.size() - 2].first > theta) l.sorted = false;
  return Signal::make(node, flip);
}

Signal GateCounter::gate_on(uint32_t list, Weight theta, bool flip) {
  ListRec& l = lists_[list];
  // Structural hashing: is (list, theta) made already? Families append thresholds in order, so the
  // common case is a comparison with the last one.
  if (!l.gates.empty()) {
    if (l.gates.back().first == theta) return Signal::make(gates_[l.gates.back().second].node, flip);
    if (!l.sorted) {
      std::sort(l.gates.begin(), l.gates.end());
      l.sorted = true;
    }
    auto it = std::lower_bound(l.gates.begin(), l.gates.end(), std::make_pair(theta, uint32_t(0)));
    if (it != l.gates.end() && it->first == theta) return Signal::make(gates_[it->second].node, flip);
  }
  return add_gate(list, theta, flip);
}

Signal GateCounter::create_threshold(std::span<const Signal> fanins, std::span<const Weight> weights, Weight theta) {
  Signal out;
  const Weight t[1] = {theta};
  create_threshold_family(fanins, weights, t, std::span<Signal>(&out, 1));
  return out;
}

void GateCounter::create_threshold_family(std::span<const Signal> fanins, std::span<const Weight> weights,
                                          std::span<const Weight> thetas, std::span<Signal> out) {
  if (out.size() != thetas.size())
    throw CircuitError(fmt::format("create_threshold_family: {} thresholds but {} outputs", thetas.size(), out.size()));
  canon_.prepare(fanins, weights, num_nodes());
  uint32_t regular = UINT32_MAX;  // the family's shared list, interned on first use
  for (size_t j = 0; j < thetas.size(); ++j) {
    const Canonicalizer::Result r = canon_.gate(thetas[j]);
    if (r.kind != Canonicalizer::Kind::gate) {
      out[j] = r.signal;
      continue;
    }
    uint32_t list;
    if (r.regular) {
      if (regular == UINT32_MAX) regular = intern_list(canon_.regular_fanins(), canon_.regular_weights());
      list = regular;
    } else {
      list = intern_list(canon_.last_fanins(), canon_.last_weights());
    }
    out[j] = gate_on(list, r.theta, r.flip);
  }
}

GateView GateCounter::gate(uint32_t g) const {
  if (g >= gates_.size())
    throw CircuitError("GateCounter::gate: the gate was counted by a reused sub-gadget and has no fan-in list here");
  const GateRec& r = gates_[g];
  const ListRec& l = lists_[r.list];
  return GateView{std::span<const Signal>(fanins_.data() + l.begin, l.count),
                  {},
                  std::span<const Weight>(weights_.data() + l.begin, l.count),
                  r.theta,
                  r.module};
}

// ---- reuse of sub-gadget counts (see gate_counter.hpp) ----

uint32_t GateCounter::module_id(const std::string& rel) {
  const std::string& cur = current_module_path();
  std::string path = rel.empty() ? cur : cur.empty() ? rel : cur + "/" + rel;
  auto [it, fresh] = module_ids_.emplace(std::move(path), uint32_t(module_paths_.size()));
  if (fresh) {
    module_paths_.push_back(it->first);
    module_counts_.emplace_back();
  }
  return it->second;
}

uint32_t GateCounter::rel_id(const std::string& rel) {
  auto [it, fresh] = rel_ids_.try_emplace(rel, uint32_t(rel_paths_.size()));
  if (fresh) rel_paths_.push_back(rel);
  return it->second;
}

uint32_t GateCounter::module_id(uint32_t rel) {
  const uint64_t cur = module_stack_.empty() ? 0 : module_stack_.back();
  auto [it, fresh] = rel_module_cache_.try_emplace(cur << 32 | rel, 0);
  if (fresh) it->second = module_id(rel_paths_[rel]);
  return it->second;
}

void GateCounter::scope_break() {
  if (++stamp_ == 0) {
    for (Slot& s : slots_) s.stamp = 0;
    stamp_ = 1;
  }
  slots_used_ = 0;
  std::fill(std::begin(recent_), std::end(recent_), UINT32_MAX);
  recent_next_ = 0;
}

size_t GateCounter::find_reusable(std::span<const Signal> inputs, std::span<const Weight> numbers) {
  const uint32_t module = module_stack_.empty() ? 0 : module_stack_.back();
  uint32_t base = UINT32_MAX;
  for (Signal s : inputs)
    if (s.index() != 0) base = std::min(base, level_[s.index()]);
  reuse_base_ = base == UINT32_MAX ? 0 : base;
  // Five words per input: its number, its complement (or constant value), level, module level.
  std::vector<std::array<uint64_t, 5>>& d = reuse_desc_;
  d.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Signal s = inputs[i];
    const uint32_t n = s.index();
    const bool same_module = n != 0 && node_module_[n] == module;
    d[i] = {uint64_t(numbers[i] >> 64), uint64_t(numbers[i]), uint64_t(n == 0 ? 2 + s.complemented() : s.complemented()),
            n == 0 ? 0 : uint64_t(level_[n] - reuse_base_), same_module ? module_level_[n] : 0};
  }
  reuse_perm_.resize(inputs.size());
  for (uint32_t i = 0; i < reuse_perm_.size(); ++i) reuse_perm_[i] = i;
  std::sort(reuse_perm_.begin(), reuse_perm_.end(), [&d](uint32_t a, uint32_t b) { return d[a] < d[b]; });
  reuse_key_.clear();
  for (uint32_t i : reuse_perm_) reuse_key_.insert(reuse_key_.end(), d[i].begin(), d[i].end());
  // A signal given twice would be merged by the sub-gadget: such an instance is not reused.
  std::vector<uint32_t>& nodes = reuse_nodes_;
  nodes.clear();
  for (Signal s : inputs)
    if (s.index() != 0) nodes.push_back(s.index());
  std::sort(nodes.begin(), nodes.end());
  if (std::adjacent_find(nodes.begin(), nodes.end()) != nodes.end()) {
    reuse_key_.clear();
    return SIZE_MAX;
  }
  const uint64_t h = hash_words(reuse_key_.data(), reuse_key_.size());
  const uint64_t found = reusable_index_.find(h, [&](uint64_t id) { return reusables_[id].key == reuse_key_; });
  if (found != UINT64_MAX) return size_t(found);
  reuse_key_.push_back(h);  // kept for record_reusable (removed there)
  return SIZE_MAX;
}

GateCounter::ReuseMark GateCounter::reuse_mark() const {
  return ReuseMark{uint64_t(gates_.size()), totals_.edges, totals_.stored_edges, uint64_t(level_.size()), lists_stored_,
                   module_counts_};
}

void GateCounter::record_reusable(const ReuseMark& m, std::span<const Signal> inputs, std::span<const Signal> outs) {
  if (reuse_key_.empty()) return;  // not reusable (a repeated input)
  Reusable r;
  const uint64_t h = reuse_key_.back();
  reuse_key_.pop_back();
  r.key = reuse_key_;
  unsigned __int128 majority = 0;
  for (size_t g = m.gates; g < gates_.size(); ++g) {
    const GateRec& rec = gates_[g];
    const ListRec& l = lists_[rec.list];
    ++r.totals.gates;
    r.totals.edges += l.count;
    r.totals.max_fanin = std::max(r.totals.max_fanin, l.count);
    r.totals.weight_bits = std::max(r.totals.weight_bits, l.weight_bits);
    r.totals.theta_bits = std::max(r.totals.theta_bits, bit_length(rec.theta));
    int kind = 3;
    if (l.all_ones) {
      if (rec.theta == Weight(l.count)) kind = 0;
      else if (rec.theta == 1) kind = 1;
      else if (l.count % 2 == 1 && rec.theta == Weight((l.count + 1) / 2)) kind = 2;
    }
    ++r.totals.by_kind[kind];
    majority += static_cast<unsigned __int128>(l.sum) + static_cast<unsigned __int128>(rec.theta < 0 ? -rec.theta : rec.theta);
    r.max_level = std::max(r.max_level, level_[rec.node] - reuse_base_);
  }
  r.totals.majority = to_big(majority);
  r.totals.stored_edges = totals_.stored_edges - m.stored;
  r.window_pushes = lists_stored_ - m.lists_stored;
  const std::string& cur = current_module_path();
  auto relative = [&cur](const std::string& path) {
    if (path == cur) return std::string();
    if (cur.empty()) return path;
    if (path.size() > cur.size() && path.compare(0, cur.size(), cur) == 0 && path[cur.size()] == '/')
      return path.substr(cur.size() + 1);
    throw std::logic_error("GateCounter::reuse: a sub-gadget made gates outside the current module");
  };
  std::vector<uint32_t> module_depth(module_counts_.size(), 0);
  for (size_t g = m.gates; g < gates_.size(); ++g)
    module_depth[gates_[g].module] = std::max(module_depth[gates_[g].module], module_level_[gates_[g].node]);
  for (size_t id = 0; id < module_counts_.size(); ++id) {
    const ModuleCount before = id < m.modules.size() ? m.modules[id] : ModuleCount{};
    ModuleCount d;
    d.gates = module_counts_[id].gates - before.gates;
    d.edges = module_counts_[id].edges - before.edges;
    d.stored_edges = module_counts_[id].stored_edges - before.stored_edges;
    d.depth = module_depth[id];
    if (d.gates > 0) r.modules.emplace_back(rel_id(relative(module_paths_[id])), d);
  }
  std::unordered_map<uint32_t, uint32_t> own;  // node -> own index
  for (Signal s : outs) {
    Reusable::Out o{0, s.complemented(), 0, 0, 0, 0};
    const uint32_t n = s.index();
    if (n == 0) {
      o.kind = 0;
    } else if (n < m.nodes) {
      size_t p = 0;
      while (p < reuse_perm_.size() && inputs[reuse_perm_[p]].index() != n) ++p;
      if (p == reuse_perm_.size()) return;  // an output that is not an input of the instance: not reused
      o.kind = 1;
      o.index = uint32_t(p);
      o.comp = s.complemented() != inputs[reuse_perm_[p]].complemented();
    } else {
      if (node_gate_[n] == kOpaqueGate) return;  // nested reuse is not recorded
      o.kind = 2;
      o.index = own.try_emplace(n, uint32_t(own.size())).first->second;
      o.level = level_[n] - reuse_base_;
      o.module_level = module_level_[n];
      o.module = rel_id(relative(module_paths_[node_module_[n]]));
    }
    r.outs.push_back(std::move(o));
  }
  reusables_.push_back(std::move(r));
  reusable_index_.insert(h, reusables_.size() - 1);
}

std::vector<Signal> GateCounter::replay_reusable(size_t index, std::span<const Signal> inputs) {
  const Reusable& r = reusables_[index];
  const CountTotals& t = r.totals;
  totals_.gates += t.gates;
  totals_.edges += t.edges;
  totals_.stored_edges += t.stored_edges;
  for (int k = 0; k < 4; ++k) totals_.by_kind[k] += t.by_kind[k];
  totals_.max_fanin = std::max(totals_.max_fanin, t.max_fanin);
  totals_.weight_bits = std::max(totals_.weight_bits, t.weight_bits);
  totals_.theta_bits = std::max(totals_.theta_bits, t.theta_bits);
  totals_.majority += t.majority;
  if (t.gates > 0) max_gate_level_ = std::max(max_gate_level_, reuse_base_ + r.max_level);
  for (const auto& [rel, mc] : r.modules) {
    ModuleCount& c = module_counts_[module_id(rel)];
    c.gates += mc.gates;
    c.edges += mc.edges;
    c.stored_edges += mc.stored_edges;
    c.depth = std::max(c.depth, mc.depth);
  }
  lists_stored_ += r.window_pushes;
  std::vector<Signal> out;
  std::vector<uint32_t> own_node;
  for (const Reusable::Out& o : r.outs) {
    if (o.kind == 0) {
      out.push_back(Signal{uint32_t(o.comp)});
    } else if (o.kind == 1) {
      const Signal s = inputs[reuse_perm_[o.index]];
      out.push_back(o.comp ? !s : s);
    } else {
      if (o.index == own_node.size()) {
        const uint32_t node = num_nodes();
        level_.push_back(reuse_base_ + o.level);
        module_level_.push_back(o.module_level);
        node_module_.push_back(module_id(o.module));
        node_gate_.push_back(kOpaqueGate);
        own_node.push_back(node);
      }
      out.push_back(Signal::make(own_node[o.index], o.comp));
    }
  }
  return out;
}

}  // namespace tc0::circuits
