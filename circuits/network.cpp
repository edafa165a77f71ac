// Storage and canonical construction of threshold networks (contract: network.hpp).
#include "circuits/network.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <numeric>

namespace tc0::circuits {

namespace {

Weight abs_w(Weight w) { return w < 0 ? -w : w; }

Weight checked_add(Weight a, Weight b) {
  Weight r;
  if (__builtin_add_overflow(a, b, &r) || r >= kMaxMagnitude || r <= -kMaxMagnitude)
    throw CircuitError(
        "threshold gate: weights or threshold exceed 2^126 in magnitude; split the linear form into "
        "smaller blocks or lower the precision");
  return r;
}

Weight gcd_w(Weight a, Weight b) {
  a = abs_w(a);
  b = abs_w(b);
  while (b != 0) {
    Weight t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// Ceiling division for b > 0.
Weight ceil_div(Weight a, Weight b) {
  Weight q = a / b;
  if (a % b != 0 && a > 0) ++q;
  return q;
}

uint64_t hash_gate(std::span<const Signal> fanins, std::span<const Weight> weights, Weight theta) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  auto mix = [&h](uint64_t v) { h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); };
  for (size_t i = 0; i < fanins.size(); ++i) {
    mix(fanins[i].data);
    mix(uint64_t(weights[i]));
    mix(uint64_t(weights[i] >> 64));
  }
  mix(uint64_t(theta));
  mix(uint64_t(theta >> 64));
  return h;
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
  if (fanins.size() != weights.size())
    throw CircuitError(fmt::format("create_threshold: {} fan-ins but {} weights", fanins.size(), weights.size()));
  if (abs_w(theta) >= kMaxMagnitude) checked_add(theta, 0);
  // 1. Fold constants and complements: w * !x = w - w * x. Then merge duplicates per node.
  std::vector<std::pair<uint32_t, Weight>> merged;
  merged.reserve(fanins.size());
  for (size_t i = 0; i < fanins.size(); ++i) {
    Weight w = weights[i];
    if (w == 0) continue;
    if (abs_w(w) >= kMaxMagnitude) checked_add(w, 0);
    Signal s = fanins[i];
    if (s.index() >= num_nodes())
      throw CircuitError(fmt::format("create_threshold: fan-in node {} does not exist ({} nodes)", s.index(),
                                     num_nodes()));
    if (s.complemented()) {
      theta = checked_add(theta, -w);
      w = -w;
    }
    if (s.index() == 0) continue;  // constant false contributes nothing (true was folded above)
    merged.emplace_back(s.index(), w);
  }
  std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // 2. Make every weight positive: w * x with w < 0 is w + |w| * !x.
  std::vector<Signal> ins;
  std::vector<Weight> ws;
  for (size_t i = 0; i < merged.size();) {
    uint32_t node = merged[i].first;
    Weight w = 0;
    for (; i < merged.size() && merged[i].first == node; ++i) w = checked_add(w, merged[i].second);
    if (w == 0) continue;
    if (w < 0) {
      theta = checked_add(theta, -w);
      ins.push_back(Signal::make(node, true));
      ws.push_back(-w);
    } else {
      ins.push_back(Signal::make(node, false));
      ws.push_back(w);
    }
  }
  // 3. Constant over the whole input range? The sum lies in [0, sum w].
  Weight total = 0;
  for (Weight w : ws) total = checked_add(total, w);
  if (theta <= 0) return kTrue;
  if (theta > total) return kFalse;
  // 4. Shrink: a weight >= theta alone decides, so clamp it to theta; divide out the common factor
  //    (theta rounds up). Repeat until stable: each round only lowers numbers.
  auto shrink = [&ws, &theta] {
  for (bool changed = true; changed;) {
    changed = false;
    Weight g = 0;
    for (Weight& w : ws) {
      if (w > theta) {
        w = theta;
        changed = true;
      }
      g = gcd_w(g, w);
    }
    if (g > 1) {
      for (Weight& w : ws) w /= g;
      theta = ceil_div(theta, g);
      changed = true;
    }
  }
  };
  shrink();
  if (ins.size() == 1) return ins[0];  // [w x >= theta] with 0 < theta <= w is a buffer
  // 5. Polarity: a gate and its complement [sum w !x >= sum w - theta + 1] are the same node; store
  //    the form whose first fan-in is not complemented so that both spellings hash alike.
  bool flip = ins[0].complemented();
  if (flip) {
    total = 0;
    for (Weight w : ws) total += w;
    for (Signal& s : ins) s = !s;
    theta = total - theta + 1;
    shrink();
  }
  // 6. Structural hashing.
  uint64_t h = hash_gate(ins, ws, theta);
  auto it = strash_.find(h);
  if (it != strash_.end()) {
    for (uint32_t g : it->second) {
      GateView v = gate(g);
      if (v.theta != theta || v.size() != ins.size()) continue;
      bool same = true;
      for (size_t i = 0; i < ins.size() && same; ++i) same = v.fanins[i] == ins[i] && v.weight(i) == ws[i];
      if (same) return Signal::make(gate_nodes_[g], flip);
    }
  }
  // 7. Store.
  uint32_t node = num_nodes();
  uint32_t gidx = uint32_t(gates_.size());
  bool narrow = std::all_of(ws.begin(), ws.end(), [](Weight w) { return w <= INT64_MAX; });
  GateRecord rec{fanins_.size(), narrow ? UINT64_MAX : wide_weights_.size(), uint32_t(ins.size()),
                 module_stack_.empty() ? 0u : module_stack_.back(), theta};
  for (size_t i = 0; i < ins.size(); ++i) {
    fanins_.push_back(ins[i]);
    narrow_weights_.push_back(narrow ? int64_t(ws[i]) : 0);
    if (!narrow) wide_weights_.push_back(ws[i]);
  }
  gates_.push_back(rec);
  gate_nodes_.push_back(node);
  kinds_.push_back(Kind::gate);
  payload_.push_back(gidx);
  strash_[h].push_back(gidx);
  return Signal::make(node, flip);
}

Signal Network::create_and(std::span<const Signal> fanins) {
  std::vector<Weight> w(fanins.size(), 1);
  return create_threshold(fanins, w, Weight(fanins.size()));
}

Signal Network::create_or(std::span<const Signal> fanins) {
  std::vector<Weight> w(fanins.size(), 1);
  return create_threshold(fanins, w, 1);
}

Signal Network::create_maj(std::span<const Signal> fanins) {
  if (fanins.size() % 2 == 0)
    throw CircuitError(fmt::format("create_maj: needs an odd number of fan-ins, got {}", fanins.size()));
  std::vector<Weight> w(fanins.size(), 1);
  return create_threshold(fanins, w, Weight(fanins.size() / 2 + 1));
}

Signal Network::create_and(Signal a, Signal b) {
  Signal f[2] = {a, b};
  return create_and(f);
}

Signal Network::create_or(Signal a, Signal b) {
  Signal f[2] = {a, b};
  return create_or(f);
}

Signal Network::create_xor(Signal a, Signal b) {
  // a xor b = [a + b - 2 (a and b) >= 1].
  Signal both = create_and(a, b);
  Signal f[3] = {a, b, both};
  Weight w[3] = {1, 1, -2};
  return create_threshold(f, w, 1);
}

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

GateView Network::gate(uint32_t g) const {
  const GateRecord& r = gates_[g];
  GateView v{std::span<const Signal>(fanins_.data() + r.fanin_begin, r.fanin_count), {}, {}, r.theta, r.module};
  if (r.wide_begin == UINT64_MAX)
    v.narrow_weights = std::span<const int64_t>(narrow_weights_.data() + r.fanin_begin, r.fanin_count);
  else
    v.wide_weights = std::span<const Weight>(wide_weights_.data() + r.wide_begin, r.fanin_count);
  return v;
}

void Network::remove_dead_gates() {
  std::vector<char> live(num_nodes(), 0);
  live[0] = 1;
  for (uint32_t n : inputs_) live[n] = 1;
  for (const Bus& b : output_buses_)
    for (Signal s : b.bits) live[s.index()] = 1;
  // Gates are in topological order, so one backward sweep marks every transitive fan-in.
  for (uint32_t g = num_gates(); g-- > 0;) {
    if (!live[gate_nodes_[g]]) continue;
    for (Signal s : gate(g).fanins) live[s.index()] = 1;
  }
  Network out;
  out.modules_ = modules_;
  out.module_ids_ = module_ids_;
  std::vector<uint32_t> map(num_nodes(), 0);
  auto remap = [&map](Signal s) { return Signal::make(map[s.index()], s.complemented()); };
  for (uint32_t n = 1; n < num_nodes(); ++n) {
    if (!live[n]) continue;
    if (is_input(n)) {
      map[n] = out.create_input(input_names_[payload_[n]]).index();
      continue;
    }
    uint32_t g = payload_[n];
    GateView v = gate(g);
    uint32_t node = out.num_nodes();
    uint32_t gidx = uint32_t(out.gates_.size());
    GateRecord rec{out.fanins_.size(), v.wide_weights.empty() ? UINT64_MAX : out.wide_weights_.size(),
                   uint32_t(v.size()), v.module, v.theta};
    std::vector<Signal> ins;
    std::vector<Weight> ws;
    for (size_t i = 0; i < v.size(); ++i) {
      ins.push_back(remap(v.fanins[i]));
      ws.push_back(v.weight(i));
      out.fanins_.push_back(ins.back());
      out.narrow_weights_.push_back(v.narrow_weights.empty() ? 0 : v.narrow_weights[i]);
      if (!v.wide_weights.empty()) out.wide_weights_.push_back(v.wide_weights[i]);
    }
    out.gates_.push_back(rec);
    out.gate_nodes_.push_back(node);
    out.kinds_.push_back(Kind::gate);
    out.payload_.push_back(gidx);
    out.strash_[hash_gate(ins, ws, v.theta)].push_back(gidx);
    map[n] = node;
  }
  for (Bus b : input_buses_) {
    for (Signal& s : b.bits) s = remap(s);
    out.input_buses_.push_back(std::move(b));
  }
  for (Bus b : output_buses_) {
    for (Signal& s : b.bits) s = remap(s);
    out.output_buses_.push_back(std::move(b));
  }
  out.module_stack_ = module_stack_;
  *this = std::move(out);
}

}  // namespace tc0::circuits
