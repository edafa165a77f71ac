#include "circuits/sim/program.hpp"

#include "circuits/sim/kernels.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace tc0::circuits::sim {

namespace {

using U128 = unsigned __int128;

// Non-adjacent form: w = pos - neg with no two adjacent non-zero digits (on average a third of the
// bits are non-zero, against half for binary).
struct Naf {
  U128 pos, neg;
};
Naf naf(U128 w) {
  const U128 half = w >> 1, three_half = w + half, c = half ^ three_half;
  return {three_half & c, half & c};
}
int popcount128(U128 v) { return std::popcount(uint64_t(v)) + std::popcount(uint64_t(v >> 64)); }
int bit_length(U128 v) {
  int n = 0;
  while (v) {
    v >>= 1;
    ++n;
  }
  return n;
}
Weight abs128(Weight w) { return w < 0 ? -w : w; }

// Cost model, in vector instructions per 512 samples (AVX-512; the portable kernels keep about the
// same ratios). A carry-save full adder is 3 loads, 3 ops and 2 stores, and about one happens per
// non-zero digit; resolving the counter costs a few ops per column. A lane edge is 8 words x (mask
// extraction + 8 masked adds). So the counter wins unless the weights average more than about 16
// non-zero digits; tools/bench/README.md has both kernels forced on the bench circuits.
constexpr double kCostPerDigit = 8.0;
constexpr double kCostPerColumn = 8.0;
constexpr double kCostPerLaneEdge = 136.0;

// One gate in the builder's terms: fan-in literals (value node << 1 | complement) and exact weights.
struct GateIn {
  uint32_t node;
  std::span<const uint32_t> lits;
  std::span<const int64_t> w64;  // set when every weight fits int64
  std::span<const Weight> w128;  // set otherwise
  Weight theta;
  uint64_t list;  // identity of the shared fan-in list
  Weight weight(size_t i) const { return w64.empty() ? w128[i] : Weight(w64[i]); }
};

class Builder {
 public:
  Builder(uint32_t num_nodes, std::vector<uint32_t> input_nodes, KernelPolicy policy)
      : policy_(policy), input_nodes_(std::move(input_nodes)) {
    node_lit_.resize(num_nodes);
    for (uint32_t v = 0; v < num_nodes; ++v) node_lit_[v] = v << 1;
  }

  void gate(const GateIn& g) {
    const size_t n = g.lits.size();
    lits_.clear();
    for (uint32_t lit : g.lits) lits_.push_back(node_lit_[lit >> 1] ^ (lit & 1));
    Weight sum = 0, min_w = 0;
    bool narrow = !g.w64.empty();
    for (size_t i = 0; i < n; ++i) {
      const Weight w = abs128(g.weight(i));
      sum += w;
      min_w = i == 0 ? w : std::min(min_w, w);
    }
    // Theta after moving negative weights onto complemented literals (w x = |w| !x - |w|).
    Weight theta_pos = g.theta;
    for (size_t i = 0; i < n; ++i)
      if (g.weight(i) < 0) theta_pos -= g.weight(i);
    if (theta_pos <= 0) return set_lit(g.node, 1);
    if (theta_pos > sum) return set_lit(g.node, 0);
    // int64 lanes are exact while sum |w| < 2^62 (|theta| <= sum here); the counter takes any width.
    if (sum >= (Weight(1) << 62)) narrow = false;

    if (policy_ == KernelPolicy::automatic) {
      if (n <= 3) return emit_lut3(g);
      if (theta_pos > sum - min_w) return emit_and(g, false);  // every fan-in needed: AND
      bool every_alone = true;                                  // any fan-in suffices: OR
      for (size_t i = 0; i < n && every_alone; ++i) every_alone = abs128(g.weight(i)) >= theta_pos;
      if (every_alone) return emit_and(g, true);
    }
    emit_sum(g, narrow);
  }

  Program finish(std::span<const uint32_t> outputs);

 private:
  struct Pending {
    OpKind kind;
    uint8_t imm = 0, wide = 0, columns = 0;
    uint32_t num_args = 0;
    uint64_t arg_begin = 0, weight_begin = 0;
  };
  struct RecentList {
    uint64_t list = UINT64_MAX;
    uint32_t count = 0;
    uint32_t instr = 0;
    Weight theta_offset = 0;
  };

  void set_lit(uint32_t node, uint32_t lit) { node_lit_[node] = lit; }

  void add_output(uint32_t node, uint32_t instr, Weight theta) {
    gate_node_.push_back(node);
    gate_instr_.push_back(instr);
    gate_theta_.push_back(theta);
  }

  void emit_lut3(const GateIn& g) {
    // Truth table over the resolved literals' registers, complements folded in.
    uint8_t imm = 0;
    for (int m = 0; m < 8; ++m) {
      Weight s = 0;
      for (size_t i = 0; i < g.lits.size(); ++i) {
        const bool reg_value = (m >> (2 - i)) & 1;
        if (reg_value != bool(lits_[i] & 1)) s += g.weight(i);
      }
      if (s >= g.theta) imm |= uint8_t(1u << m);
    }
    Pending p{OpKind::lut3};
    p.imm = imm;
    p.num_args = 3;
    p.arg_begin = args_.size();
    for (size_t i = 0; i < 3; ++i) args_.push_back(i < lits_.size() ? (lits_[i] & ~1u) : 0u);
    code_.push_back(p);
    add_output(g.node, uint32_t(code_.size() - 1), 0);
  }

  // AND of the literals (positive weights) or of the literals with negative weights complemented;
  // an OR is the complement of the AND of the complements.
  void emit_and(const GateIn& g, bool is_or) {
    Pending p{OpKind::and_n};
    p.num_args = uint32_t(lits_.size());
    p.arg_begin = args_.size();
    for (size_t i = 0; i < lits_.size(); ++i)
      args_.push_back(lits_[i] ^ uint32_t(g.weight(i) < 0) ^ uint32_t(is_or));
    code_.push_back(p);
    add_output(g.node, uint32_t(code_.size() - 1), 0);
    if (is_or) node_lit_[g.node] ^= 1;
  }

  void emit_sum(const GateIn& g, bool narrow) {
    for (const RecentList& r : recent_) {
      if (r.list == g.list && r.count == g.lits.size()) {
        add_output(g.node, r.instr, code_[r.instr].kind == OpKind::tree ? g.theta + r.theta_offset : g.theta);
        return;
      }
    }
    // Tree: weights made positive (negative ones complement the literal and raise theta), then each
    // non-zero NAF digit is one counter entry; negative digits likewise raise theta.
    Weight offset = 0;
    U128 digit_sum = 0;
    uint64_t digits = 0;
    for (size_t i = 0; i < g.lits.size(); ++i) {
      const Weight w = g.weight(i);
      if (w < 0) offset -= w;
      const Naf d = naf(U128(abs128(w)));
      offset += Weight(d.neg);
      digit_sum += d.pos + d.neg;
      digits += uint64_t(popcount128(d.pos) + popcount128(d.neg));
    }
    const int columns = bit_length(digit_sum);
    bool tree = !narrow || policy_ == KernelPolicy::tree;
    if (!tree && policy_ == KernelPolicy::automatic)
      tree = kCostPerDigit * double(digits) + kCostPerColumn * columns < kCostPerLaneEdge * double(g.lits.size());
    Pending p{tree ? OpKind::tree : OpKind::lanes};
    p.num_args = uint32_t(g.lits.size());
    p.arg_begin = args_.size();
    p.wide = !narrow;
    p.columns = uint8_t(columns);
    if (!narrow) {
      p.weight_begin = wide_weights_.size();
      for (size_t i = 0; i < g.lits.size(); ++i) {
        const Weight w = g.weight(i);
        args_.push_back(lits_[i] ^ uint32_t(w < 0));
        wide_weights_.push_back(abs128(w));
      }
    } else {
      p.weight_begin = weights_.size();
      for (size_t i = 0; i < g.lits.size(); ++i) {
        const int64_t w = int64_t(g.weight(i));
        // The tree takes magnitudes on complemented literals; the lanes add signed weights.
        args_.push_back(lits_[i] ^ uint32_t(tree && w < 0));
        weights_.push_back(tree ? (w < 0 ? -w : w) : w);
      }
    }
    code_.push_back(p);
    const uint32_t instr = uint32_t(code_.size() - 1);
    recent_[recent_next_] = RecentList{g.list, uint32_t(g.lits.size()), instr, tree ? offset : 0};
    recent_next_ = (recent_next_ + 1) % kRecent;
    add_output(g.node, instr, tree ? g.theta + offset : g.theta);
  }

  KernelPolicy policy_;
  std::vector<uint32_t> input_nodes_;
  std::vector<uint32_t> node_lit_;  // per node: the literal that holds its value
  std::vector<uint32_t> lits_;
  std::vector<Pending> code_;
  std::vector<uint32_t> args_;  // value literals until finish() turns them into registers
  std::vector<int64_t> weights_;
  std::vector<Weight> wide_weights_;
  std::vector<uint32_t> gate_node_, gate_instr_;
  std::vector<Weight> gate_theta_;
  // Gates of one list need not be adjacent: the Network shares one of its last 8 distinct lists, so
  // a window of the last 16 sum instructions finds every family (a miss only costs a second sum).
  static constexpr size_t kRecent = 16;
  RecentList recent_[kRecent];
  size_t recent_next_ = 0;
};

Program Builder::finish(std::span<const uint32_t> outputs) {
  const uint32_t num_nodes = uint32_t(node_lit_.size());
  const uint32_t num_instr = uint32_t(code_.size());
  constexpr uint32_t kPinned = UINT32_MAX;
  // Gates of each instruction, in creation order (CSR).
  std::vector<uint64_t> first(num_instr + 1, 0);
  for (uint32_t i : gate_instr_) ++first[i + 1];
  for (uint32_t i = 0; i < num_instr; ++i) first[i + 1] += first[i];
  std::vector<uint32_t> gates(gate_node_.size());
  {
    std::vector<uint64_t> next(first.begin(), first.end() - 1);
    for (uint32_t k = 0; k < gate_instr_.size(); ++k) gates[next[gate_instr_[k]]++] = k;
  }
  // Liveness, backwards: a value is needed when an output or a live instruction reads it.
  std::vector<uint32_t> last_use(num_nodes, 0);  // 0: never read
  std::vector<uint8_t> needed(num_nodes, 0);
  std::vector<uint32_t> out_lits;
  for (uint32_t lit : outputs) {
    const uint32_t v = node_lit_[lit >> 1] ^ (lit & 1);
    out_lits.push_back(v);
    needed[v >> 1] = 1;
    last_use[v >> 1] = kPinned;
  }
  std::vector<uint8_t> live(num_instr, 0);
  for (uint32_t i = num_instr; i-- > 0;) {
    for (uint64_t k = first[i]; k < first[i + 1] && !live[i]; ++k) live[i] = needed[gate_node_[gates[k]]];
    if (!live[i]) continue;
    const Pending& p = code_[i];
    for (uint64_t a = p.arg_begin; a < p.arg_begin + p.num_args; ++a) needed[args_[a] >> 1] = 1;
  }
  for (uint32_t i = 0; i < num_instr; ++i) {
    if (!live[i]) continue;
    const Pending& p = code_[i];
    for (uint64_t a = p.arg_begin; a < p.arg_begin + p.num_args; ++a) {
      uint32_t& u = last_use[args_[a] >> 1];
      if (u != kPinned) u = i + 1;  // instruction i read it (0 stays "never")
    }
  }

  // Registers, forwards: freed after the last reader, reused last-freed-first.
  Program prog;
  std::vector<uint32_t> reg(num_nodes, 0);
  std::vector<uint32_t> free_regs;
  uint32_t next_reg = 1;
  auto allocate = [&]() -> uint32_t {
    if (!free_regs.empty()) {
      const uint32_t r = free_regs.back();
      free_regs.pop_back();
      return r;
    }
    return next_reg++;
  };
  prog.input_registers.assign(input_nodes_.size(), 0);
  for (size_t i = 0; i < input_nodes_.size(); ++i) {
    const uint32_t v = input_nodes_[i];
    if (needed[v] && v != 0) prog.input_registers[i] = reg[v] = allocate();
  }
  prog.code.reserve(num_instr);
  std::vector<uint32_t> dying;
  for (uint32_t i = 0; i < num_instr; ++i) {
    if (!live[i]) continue;
    const Pending& p = code_[i];
    Instr ins{p.kind};
    ins.imm = p.imm;
    ins.wide = p.wide;
    ins.columns = p.columns;
    ins.num_args = p.num_args;
    ins.weight_begin = p.weight_begin;
    ins.arg_begin = p.arg_begin;  // rewritten in place: args_ becomes prog.args
    dying.clear();
    for (uint64_t a = p.arg_begin; a < p.arg_begin + p.num_args; ++a) {
      const uint32_t v = args_[a] >> 1;
      const uint32_t r = reg[v];
      args_[a] = p.kind == OpKind::lut3 ? r : (r << 1 | (args_[a] & 1));
      if (v != 0 && last_use[v] == i + 1) dying.push_back(v);
    }
    // Inputs are read before outputs are written in every kernel, so an output may take the
    // register of an input that dies here.
    for (uint32_t v : dying) {
      if (reg[v] == 0) continue;  // listed twice
      free_regs.push_back(reg[v]);
      reg[v] = 0;
    }
    ins.out_begin = prog.outs.size();
    for (uint64_t k = first[i]; k < first[i + 1]; ++k) {
      const uint32_t gk = gates[k];
      const uint32_t node = gate_node_[gk];
      if (!needed[node]) continue;
      reg[node] = allocate();
      prog.outs.push_back(reg[node]);
      prog.thetas.push_back(gate_theta_[gk]);
      prog.gates_per_kind[size_t(p.kind)]++;
      prog.edges_per_kind[size_t(p.kind)] += p.num_args;
    }
    ins.num_outs = uint32_t(prog.outs.size() - ins.out_begin);
    prog.code.push_back(ins);
  }
  prog.num_registers = next_reg;
  for (uint32_t v : out_lits) prog.output_literals.push_back(reg[v >> 1] << 1 | (v & 1));
  prog.args = std::move(args_);
  prog.weights = std::move(weights_);
  prog.wide_weights = std::move(wide_weights_);
  return prog;
}

}  // namespace

const char* op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::lut3: return "lut3";
    case OpKind::and_n: return "and";
    case OpKind::tree: return "tree";
    case OpKind::lanes: return "lanes";
  }
  return "?";
}

uint64_t Program::memory_bytes() const {
  return code.size() * sizeof(Instr) + args.size() * 4 + weights.size() * 8 + wide_weights.size() * 16 +
         outs.size() * 4 + thetas.size() * 16;
}

Program build_program(const Network& ntk, std::span<const uint32_t> outputs, KernelPolicy policy) {
  Builder b(ntk.num_nodes(), ntk.inputs(), policy);
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const GateView gv = ntk.gate(g);
    static_assert(sizeof(Signal) == sizeof(uint32_t));
    const std::span<const uint32_t> lits(reinterpret_cast<const uint32_t*>(gv.fanins.data()), gv.fanins.size());
    b.gate(GateIn{ntk.gate_node(g), lits, gv.narrow_weights, gv.wide_weights, gv.theta, ntk.fanin_list(g)});
  }
  return b.finish(outputs);
}

Program build_program(const FlatNetwork& f, std::span<const uint32_t> outputs, KernelPolicy policy) {
  std::vector<uint32_t> inputs(f.num_inputs);
  for (uint32_t i = 0; i < f.num_inputs; ++i) inputs[i] = 1 + i;
  Builder b(f.num_slots(), std::move(inputs), policy);
  for (uint32_t g = 0; g < f.num_gates; ++g) {
    const uint64_t e0 = f.fanin_begin[g];
    const uint32_t n = f.fanin_count[g];
    const std::span<const uint32_t> lits(f.fanin.data() + e0, n);
    GateIn in{f.gate_slot(g), lits, {}, {}, f.theta[g], e0};
    if (f.kernel[g] == GateKernel::lanes128) in.w128 = std::span<const Weight>(f.weight128.data() + f.weight128_begin[g], n);
    else in.w64 = std::span<const int64_t>(f.weight64.data() + e0, n);
    b.gate(in);
  }
  return b.finish(outputs);
}

void run_program(const Program& p, uint64_t* regs, uint32_t stride, KernelScratch& scratch, bool avx512) {
  if (stride == 0 || stride % 8 != 0) throw std::invalid_argument("run_program: the register stride must be a positive multiple of 8 words");
  if (avx512) run_program_avx512(p, regs, stride, scratch);
  else run_program_portable(p, regs, stride, scratch);
}

}  // namespace tc0::circuits::sim
