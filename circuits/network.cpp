// Storage and canonical construction of threshold networks (contract: network.hpp).
#include "circuits/network.hpp"

#include "circuits/builder.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <numeric>

namespace tc0::circuits {

namespace {

inline void mix(uint64_t& h, uint64_t v) { h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); }

// Hash of a fan-in list (fan-ins and weights), then of a gate (its list and theta).
uint64_t hash_list(std::span<const Signal> fanins, std::span<const Weight> weights) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < fanins.size(); ++i) {
    mix(h, fanins[i].data);
    mix(h, uint64_t(weights[i]));
    mix(h, uint64_t(weights[i] >> 64));
  }
  return h;
}

uint64_t hash_gate(uint64_t list_hash, Weight theta) {
  uint64_t h = list_hash;
  mix(h, uint64_t(theta));
  mix(h, uint64_t(theta >> 64));
  // Final avalanche (splitmix64), so the low bits index the open-addressing table well.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

}  // namespace

Network::Network() {
  kinds_.push_back(Kind::constant);
  payload_.push_back(0);
  modules_.push_back("");
  module_ids_[""] = 0;
}

Signal Network::create_input(const std::string& name) {
  uint32_t node = num_nodes();
  kinds_.push_back(Kind::input);
  payload_.push_back(uint32_t(inputs_.size()));
  inputs_.push_back(node);
  input_names_.push_back(name);
  return Signal::make(node, false);
}

const Bus& Network::create_input_bus(const std::string& name, numerics::Format fmt, bool is_signed) {
  Bus bus{name, fmt, is_signed, {}};
  for (int i = 0; i < fmt.width(); ++i) bus.bits.push_back(create_input(fmt::format("{}[{}]", name, i)));
  input_buses_.push_back(std::move(bus));
  return input_buses_.back();
}

void Network::add_output_bus(Bus bus) {
  for (Signal s : bus.bits)
    if (s.index() >= num_nodes())
      throw CircuitError(fmt::format("output bus '{}' refers to node {} but the network has {} nodes",
                                     bus.name, s.index(), num_nodes()));
  output_buses_.push_back(std::move(bus));
}

Signal Network::create_threshold(std::span<const Signal> fanins, std::span<const Weight> weights, Weight theta) {
  canon_.prepare(fanins, weights, num_nodes());
  uint64_t family_hash = 0;
  return materialize(canon_.gate(theta), family_hash);
}

void Network::create_threshold_family(std::span<const Signal> fanins, std::span<const Weight> weights,
                                      std::span<const Weight> thetas, std::span<Signal> out) {
  if (out.size() != thetas.size())
    throw CircuitError(fmt::format("create_threshold_family: {} thresholds but {} outputs", thetas.size(), out.size()));
  canon_.prepare(fanins, weights, num_nodes());
  uint64_t family_hash = 0;  // of the regular list, computed on first use
  for (size_t j = 0; j < thetas.size(); ++j) out[j] = materialize(canon_.gate(thetas[j]), family_hash);
}

Signal Network::materialize(const Canonicalizer::Result& r, uint64_t& family_hash) {
  if (r.kind != Canonicalizer::Kind::gate) return r.signal;
  std::span<const Signal> ins = r.regular ? canon_.regular_fanins() : canon_.last_fanins();
  std::span<const Weight> ws = r.regular ? canon_.regular_weights() : canon_.last_weights();
  uint64_t lh;
  if (r.regular) {
    if (family_hash == 0) family_hash = hash_list(ins, ws) | 1;
    lh = family_hash;
  } else {
    lh = hash_list(ins, ws) | 1;
  }
  const uint64_t h = hash_gate(lh, r.theta);
  const uint32_t found = find_gate(h, ins, ws, r.theta);
  if (found != UINT32_MAX) return Signal::make(gate_nodes_[found], r.flip);
  const uint32_t gidx = append_gate(ins, ws, r.theta, module_stack_.empty() ? 0u : module_stack_.back(), lh, h);
  return Signal::make(gate_nodes_[gidx], r.flip);
}

void Network::reset_scope() {
  hash_scope_begin_ = num_gates();
  for (ListRef& r : recent_) r = ListRef{};
  recent_next_ = 0;
}

uint32_t Network::begin_op() {
  if (op_open_) throw std::logic_error("Network::begin_op: an operation is already open (operations do not nest)");
  op_open_ = true;
  reset_scope();
  ops_.push_back(OpRecord{num_gates(), num_gates(), op_outputs_.size(), 0});
  return uint32_t(ops_.size() - 1);
}

void Network::end_op(std::span<const Signal> outputs) {
  if (!op_open_) throw std::logic_error("Network::end_op: no operation is open");
  for (Signal s : outputs)
    if (s.index() >= num_nodes())
      throw CircuitError(fmt::format("end_op: output refers to node {} but the network has {} nodes", s.index(), num_nodes()));
  OpRecord& op = ops_.back();
  op.end_gate = num_gates();
  op_outputs_.insert(op_outputs_.end(), outputs.begin(), outputs.end());
  op.outputs_count = outputs.size();
  op_open_ = false;
  reset_scope();
}

Network::OpView Network::op(uint32_t k) const {
  const OpRecord& r = ops_.at(k);
  return OpView{r.first_gate, r.end_gate, std::span<const Signal>(op_outputs_.data() + r.outputs_begin, r.outputs_count)};
}

uint32_t Network::find_gate(uint64_t h, std::span<const Signal> ins, std::span<const Weight> ws, Weight theta) const {
  if (strash_slots_.empty()) return UINT32_MAX;
  const size_t mask = strash_slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const uint32_t slot = strash_slots_[i];
    if (slot == 0) return UINT32_MAX;
    const uint32_t g = slot - 1;
    if (gate_hash_[g] != h || g < hash_scope_begin_) continue;
    const GateView v = gate(g);
    if (v.theta != theta || v.size() != ins.size()) continue;
    bool same = true;
    for (size_t k = 0; k < ins.size() && same; ++k) same = v.fanins[k] == ins[k] && v.weight(k) == ws[k];
    if (same) return g;
  }
}

void Network::index_gate(uint32_t g) {
  // Gates are indexed in increasing order (append_gate, remove_dead_gates). Keep the load at most 1/2 so probes stay short; grow by rehashing the stored gate hashes.
  if (size_t(num_gates()) * 2 > strash_slots_.size()) {
    std::vector<uint32_t> slots(std::max<size_t>(1024, strash_slots_.size() * 2), 0);
    const size_t mask = slots.size() - 1;
    for (uint32_t k = 0; k < g; ++k) {  // gates are indexed in order: those before g are in
      size_t i = gate_hash_[k] & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = k + 1;
    }
    strash_slots_ = std::move(slots);
  }
  const size_t mask = strash_slots_.size() - 1;
  size_t i = gate_hash_[g] & mask;
  while (strash_slots_[i] != 0) i = (i + 1) & mask;
  strash_slots_[i] = g + 1;
}

uint32_t Network::append_gate(std::span<const Signal> ins, std::span<const Weight> ws, Weight theta, uint32_t module,
                              uint64_t list_hash, uint64_t gate_hash) {
  const uint32_t node = num_nodes();
  const uint32_t gidx = uint32_t(gates_.size());
  const bool narrow = std::all_of(ws.begin(), ws.end(), [](Weight w) { return w <= INT64_MAX; });
  // Share the fan-in list of a recent gate when it is identical (thermometer gates of one form).
  const ListRef* shared = nullptr;
  for (const ListRef& r : recent_) {
    if (r.hash != list_hash || r.count != ins.size() || r.count == 0 || (r.wide_begin == UINT64_MAX) != narrow)
      continue;
    bool same = std::equal(ins.begin(), ins.end(), fanins_.begin() + int64_t(r.fanin_begin));
    for (size_t i = 0; same && i < ws.size(); ++i)
      same = (narrow ? Weight(narrow_weights_[r.fanin_begin + i]) : wide_weights_[r.wide_begin + i]) == ws[i];
    if (same) {
      shared = &r;
      break;
    }
  }
  GateRecord rec{fanins_.size(), narrow ? UINT64_MAX : wide_weights_.size(), uint32_t(ins.size()), module, theta};
  if (shared) {
    rec.fanin_begin = shared->fanin_begin;
    rec.wide_begin = shared->wide_begin;
  } else {
    for (size_t i = 0; i < ins.size(); ++i) {
      fanins_.push_back(ins[i]);
      narrow_weights_.push_back(narrow ? int64_t(ws[i]) : 0);
      if (!narrow) wide_weights_.push_back(ws[i]);
    }
    recent_[recent_next_] = ListRef{list_hash, rec.fanin_begin, rec.wide_begin, rec.fanin_count};
    recent_next_ = (recent_next_ + 1) % kRecentLists;
  }
  num_edges_ += ins.size();
  gates_.push_back(rec);
  gate_nodes_.push_back(node);
  kinds_.push_back(Kind::gate);
  payload_.push_back(gidx);
  gate_hash_.push_back(gate_hash);
  index_gate(gidx);
  return gidx;
}

void Network::reserve(uint64_t gates, uint64_t stored_edges) {
  kinds_.reserve(kinds_.size() + gates);
  payload_.reserve(payload_.size() + gates);
  gates_.reserve(gates_.size() + gates);
  gate_nodes_.reserve(gate_nodes_.size() + gates);
  gate_hash_.reserve(gate_hash_.size() + gates);
  fanins_.reserve(fanins_.size() + stored_edges);
  narrow_weights_.reserve(narrow_weights_.size() + stored_edges);
}

uint64_t Network::memory_bytes() const {
  return kinds_.capacity() * sizeof(Kind) + payload_.capacity() * 4 + gate_nodes_.capacity() * 4 +
         gates_.capacity() * sizeof(GateRecord) + fanins_.capacity() * sizeof(Signal) +
         narrow_weights_.capacity() * 8 + wide_weights_.capacity() * sizeof(Weight) + gate_hash_.capacity() * 8 +
         strash_slots_.capacity() * 4;
}

Signal Network::create_and(std::span<const Signal> fanins) { return make_and(*this, fanins); }
Signal Network::create_or(std::span<const Signal> fanins) { return make_or(*this, fanins); }
Signal Network::create_maj(std::span<const Signal> fanins) { return make_maj(*this, fanins); }
Signal Network::create_and(Signal a, Signal b) { return make_and(*this, a, b); }
Signal Network::create_or(Signal a, Signal b) { return make_or(*this, a, b); }
Signal Network::create_xor(Signal a, Signal b) { return make_xor(*this, a, b); }

void Network::push_module(const std::string& name) {
  std::string parent = module_stack_.empty() ? std::string() : modules_[module_stack_.back()];
  std::string path = parent.empty() ? name : parent + "/" + name;
  auto [it, fresh] = module_ids_.emplace(path, uint32_t(modules_.size()));
  if (fresh) modules_.push_back(path);
  module_stack_.push_back(it->second);
}

void Network::pop_module() {
  if (module_stack_.empty()) throw CircuitError("pop_module: no module is pushed");
  module_stack_.pop_back();
}

void Network::retag_modules(uint32_t first_gate, const std::function<std::string(const std::string&)>& rename) {
  std::unordered_map<uint32_t, uint32_t> renamed;  // old module id -> new
  for (uint32_t g = first_gate; g < num_gates(); ++g) {
    const uint32_t old = gates_[g].module;
    auto it = renamed.find(old);
    if (it == renamed.end()) {
      const std::string path = rename(modules_[old]);
      auto [mit, fresh] = module_ids_.emplace(path, uint32_t(modules_.size()));
      if (fresh) modules_.push_back(path);
      it = renamed.emplace(old, mit->second).first;
    }
    gates_[g].module = it->second;
  }
}

uint64_t Network::count_unreached_gates() const {
  std::vector<char> live(num_nodes(), 0);
  for (const Bus& b : output_buses_)
    for (Signal s : b.bits) live[s.index()] = 1;
  uint64_t unreached = 0;
  for (uint32_t g = num_gates(); g-- > 0;) {
    if (!live[gate_nodes_[g]]) {
      ++unreached;
      continue;
    }
    for (Signal s : gate(g).fanins) live[s.index()] = 1;
  }
  return unreached;
}

GateView Network::gate(uint32_t g) const {
  const GateRecord& r = gates_[g];
  GateView v{std::span<const Signal>(fanins_.data() + r.fanin_begin, r.fanin_count), {}, {}, r.theta, r.module};
  if (r.wide_begin == UINT64_MAX)
    v.narrow_weights = std::span<const int64_t>(narrow_weights_.data() + r.fanin_begin, r.fanin_count);
  else
    v.wide_weights = std::span<const Weight>(wide_weights_.data() + r.wide_begin, r.fanin_count);
  return v;
}

// In place, so that a large network is not held twice. Stored fan-in lists are kept in creation
// order and only dropped, so every kept list moves to a lower offset (copying forward is safe).
// A gate shares only one of the last kRecentLists lists created before it (append_gate), so a
// ring of that size maps any gate's list to the list's creator and to its new offset.
void Network::remove_dead_gates() {
  if (!ops_.empty())
    throw std::logic_error("remove_dead_gates: the network has an operation map; operations keep all their gates");
  const uint32_t nodes = num_nodes(), gates = num_gates();
  std::vector<char> live(nodes, 0);
  live[0] = 1;
  for (uint32_t n : inputs_) live[n] = 1;
  for (const Bus& b : output_buses_)
    for (Signal s : b.bits) live[s.index()] = 1;
  // Gates are in topological order, so one backward sweep marks every transitive fan-in.
  for (uint32_t g = gates; g-- > 0;) {
    if (!live[gate_nodes_[g]]) continue;
    for (Signal s : gate(g).fanins) live[s.index()] = 1;
  }
  // Which stored lists does a live gate read? (indexed by the creating gate)
  std::vector<char> list_live(gates, 0);
  {
    std::pair<uint64_t, uint32_t> ring[kRecentLists];  // list offset -> creator
    std::fill(std::begin(ring), std::end(ring), std::pair<uint64_t, uint32_t>{UINT64_MAX, 0});
    size_t next = 0;
    uint64_t end = 0;
    for (uint32_t g = 0; g < gates; ++g) {
      const GateRecord& r = gates_[g];
      uint32_t creator = g;
      if (r.fanin_begin == end) {
        end += r.fanin_count;
        ring[next] = {r.fanin_begin, g};
        next = (next + 1) % kRecentLists;
      } else {
        auto it = std::find_if(std::begin(ring), std::end(ring), [&](const auto& e) { return e.first == r.fanin_begin; });
        if (it == std::end(ring)) throw std::logic_error("remove_dead_gates: a gate shares a list outside the window");
        creator = it->second;
      }
      if (live[gate_nodes_[g]]) list_live[creator] = 1;
    }
  }
  std::vector<uint32_t> map(nodes, 0);
  auto remap = [&map](Signal s) { return Signal::make(map[s.index()], s.complemented()); };
  ListRef moved[kRecentLists];  // old offset in .hash's place until the pass ends
  uint64_t old_of[kRecentLists];
  std::fill(std::begin(old_of), std::end(old_of), UINT64_MAX);
  size_t moved_next = 0;
  uint64_t old_end = 0, edge_w = 0, wide_w = 0;
  uint32_t node_w = 1, gate_w = 0;
  num_edges_ = 0;
  for (uint32_t n = 1; n < nodes; ++n) {
    if (kinds_[n] == Kind::input) {
      map[n] = node_w;
      kinds_[node_w] = Kind::input;
      payload_[node_w] = payload_[n];
      inputs_[payload_[n]] = node_w;
      ++node_w;
      continue;
    }
    const uint32_t g = payload_[n];
    GateRecord r = gates_[g];
    if (r.fanin_begin == old_end) {  // g created this list
      old_end += r.fanin_count;
      if (list_live[g]) {
        for (uint32_t i = 0; i < r.fanin_count; ++i) {
          fanins_[edge_w + i] = remap(fanins_[r.fanin_begin + i]);
          narrow_weights_[edge_w + i] = narrow_weights_[r.fanin_begin + i];
        }
        uint64_t new_wide = UINT64_MAX;
        if (r.wide_begin != UINT64_MAX) {
          for (uint32_t i = 0; i < r.fanin_count; ++i) wide_weights_[wide_w + i] = wide_weights_[r.wide_begin + i];
          new_wide = wide_w;
          wide_w += r.fanin_count;
        }
        const GateView v{std::span<const Signal>(fanins_.data() + edge_w, r.fanin_count),
                         new_wide == UINT64_MAX ? std::span<const int64_t>(narrow_weights_.data() + edge_w, r.fanin_count)
                                                : std::span<const int64_t>(),
                         new_wide == UINT64_MAX ? std::span<const Weight>()
                                                : std::span<const Weight>(wide_weights_.data() + new_wide, r.fanin_count),
                         0, 0};
        std::vector<Weight> ws(v.size());
        for (size_t i = 0; i < v.size(); ++i) ws[i] = v.weight(i);
        moved[moved_next] = ListRef{hash_list(v.fanins, ws) | 1, edge_w, new_wide, r.fanin_count};
        old_of[moved_next] = r.fanin_begin;
        moved_next = (moved_next + 1) % kRecentLists;
        edge_w += r.fanin_count;
      }
    }
    if (!live[n]) continue;
    const size_t k = size_t(std::find(std::begin(old_of), std::end(old_of), r.fanin_begin) - std::begin(old_of));
    if (k == kRecentLists) throw std::logic_error("remove_dead_gates: a live gate's list was not kept");
    r.fanin_begin = moved[k].fanin_begin;
    r.wide_begin = moved[k].wide_begin;
    num_edges_ += r.fanin_count;
    gates_[gate_w] = r;
    gate_nodes_[gate_w] = node_w;
    gate_hash_[gate_w] = hash_gate(moved[k].hash, r.theta);
    kinds_[node_w] = Kind::gate;
    payload_[node_w] = gate_w;
    map[n] = node_w;
    ++gate_w;
    ++node_w;
  }
  kinds_.resize(node_w);
  payload_.resize(node_w);
  gates_.resize(gate_w);
  gate_nodes_.resize(gate_w);
  gate_hash_.resize(gate_w);
  fanins_.resize(edge_w);
  narrow_weights_.resize(edge_w);
  wide_weights_.resize(wide_w);
  // Future gates share with the most recent kept lists, in their creation order.
  for (size_t i = 0; i < kRecentLists; ++i) recent_[i] = old_of[i] == UINT64_MAX ? ListRef{} : moved[i];
  recent_next_ = moved_next;
  strash_slots_.clear();
  hash_scope_begin_ = 0;
  for (uint32_t g = 0; g < gate_w; ++g) index_gate(g);
  for (Bus& b : input_buses_)
    for (Signal& s : b.bits) s = remap(s);
  for (Bus& b : output_buses_)
    for (Signal& s : b.bits) s = remap(s);
}

static_assert(ThresholdBuilder<Network>);

}  // namespace tc0::circuits
