// Counting a compiled sampler (contract and the argument for exactness in count_arith.hpp).
#include "sampler/compile/count_arith.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <cstdlib>

#include "sampler/certified.hpp"
#include "sampler/compile/op_build.hpp"
#include "sampler/compile/wire_arith.hpp"
#include "sampler/samplers.hpp"

namespace tc0::sampler::compile {

namespace {

using circuits::CountTotals;
using circuits::GateCounter;
using circuits::ModuleCount;
using circuits::Signal;

// ---- bits, shapes and values ----
// A bit of a bus shape in one word: constant (with its value in the complement bit) or the local-th
// output bit of the operation that made the bus, complemented or not, at a level relative to the bus.
constexpr uint64_t kConstBit = 0, kOwnBit = 1;
uint64_t pack_bit(uint64_t kind, bool comp, uint32_t local, uint32_t level) {
  return kind | uint64_t(comp) << 1 | uint64_t(local) << 2 | uint64_t(level) << 34;
}
uint64_t bit_kind(uint64_t w) { return w & 1; }
bool bit_comp(uint64_t w) { return (w >> 1) & 1; }
uint32_t bit_local(uint64_t w) { return uint32_t((w >> 2) & 0xffffffffull); }
uint32_t bit_level(uint64_t w) { return uint32_t(w >> 34); }

// One bit of a value, resolved: which operation instance made it (0: none, a constant).
struct BitRef {
  uint64_t block = 0;
  uint32_t local = 0;
  uint32_t level = 0;
  bool constant = true;
  bool comp = false;  // for a constant: its value
};

struct Shape {
  std::vector<uint64_t> bits;
  bool any_node = false;
  uint32_t max_level = 0;  // of the non-constant bits (their minimum is 0)
};

using circuits::hash_words;

// Interns word sequences (shapes, input signatures): equal sequences get one id, compared in full.
class WordTable {
 public:
  uint32_t intern(const std::vector<uint64_t>& w) {
    const uint64_t h = hash_words(w.data(), w.size());
    const uint64_t found = index_.find(h, [&](uint64_t id) { return items_[id] == w; });
    if (found != UINT64_MAX) return uint32_t(found);
    const uint32_t id = uint32_t(items_.size());
    items_.push_back(w);
    index_.insert(h, id);
    return id;
  }
  const std::vector<uint64_t>& operator[](uint32_t id) const { return items_[id]; }

 private:
  std::vector<std::vector<uint64_t>> items_;
  circuits::HashIndex index_;
};

void append_int(std::vector<uint64_t>& key, const BigInt& v) {
  if (v >= INT64_MIN && v <= INT64_MAX) {
    key.push_back(0);
    key.push_back(uint64_t(static_cast<int64_t>(v)));
    return;
  }
  std::vector<uint64_t> limbs;
  const BigInt mag = boost::multiprecision::abs(v);
  boost::multiprecision::export_bits(mag, std::back_inserter(limbs), 64);
  key.push_back(v < 0 ? 2 : 1);
  key.push_back(limbs.size());
  key.insert(key.end(), limbs.begin(), limbs.end());
}

void append_rational(std::vector<uint64_t>& key, const Rational& q) {
  append_int(key, boost::multiprecision::numerator(q));
  append_int(key, boost::multiprecision::denominator(q));
}

void append_format(std::vector<uint64_t>& key, Format f) { key.push_back(uint64_t(uint32_t(f.width())) << 32 | uint32_t(f.frac() + 1024)); }

void append_const(std::vector<uint64_t>& key, const Const& c) {
  key.push_back(uint64_t(c.fixed.raw));
  append_format(key, c.fixed.fmt);
}

enum class OpKind : uint64_t { linear = 1, lincomb, dot, mul, mul_add, sum, max, unary, convert };

struct OutBit {
  enum Kind : uint8_t { constant, own, pass } kind = constant;
  bool comp = false;     // constant: its value; own / pass: complemented
  uint32_t local = 0;    // own: index among the operation's output gates
  uint32_t level = 0;    // own: relative to the operation's base level
  uint32_t input = 0, bit = 0;  // pass: the input value and bit it repeats
};

// What one distinct operation adds and hands on.
struct OpTemplate {
  std::vector<uint64_t> key;
  CountTotals totals;
  std::vector<std::pair<uint32_t, ModuleCount>> modules;  // relative module path id -> counts
  Format fmt{2, 0};
  std::vector<OutBit> out;
  uint32_t own = 0;                  // distinct output gates
  std::optional<uint32_t> shape;     // the output shape when no bit passes an input through
  uint32_t shape_level = 0;          // base level of that shape, relative to the operation's
  uint32_t max_gate_level = 0;       // deepest gate, relative to the operation's base level
  uint64_t replays = 0;              // operations of the graph with this template
};

}  // namespace

// The counting policy: Value is a bus shape + the operation instance that made it + a base level.
class CountArith {
 public:
  struct Value {
    Format fmt{2, 0};
    uint32_t shape = 0;                               // compact form
    uint64_t block = 0;                               // compact form: the operation instance
    uint32_t level = 0;                               // compact form: base level
    std::shared_ptr<const std::vector<BitRef>> bits;  // explicit form (bits of several instances)
  };

  CountArith(const Model& m, const circuits::gadgets::LinearFormParams& ps) : m_(m), ps_(ps) {
    counter_.enable_reuse(true);
    shapes_.emplace_back();  // shape ids start at 1; 0 is unused
    blocks_.push_back(0);
    prefix_paths_.push_back("");
    prefix_ids_[""] = 0;
  }

  // ---- the policy ----
  Value input(const Fixed& x) const { return constant_value(x); }
  Value constant(const Const& c) const { return constant_value(c.fixed); }
  Value trig(Trig fn, const Rational& q, Format out) const { return constant_value(Fixed{trig_rounded(fn, q, out), out}); }
  Value linear(std::span<const Const> w, std::span<const Value> x, std::span<const Const> bias, const Rational& offset,
               Format out) const {
    const Inputs& in = inputs_of(x);
    for (const Value* v : in) consume(*v);
    const uint32_t base = op_base(in);
    return linear_row(w, bias, offset, out, in, base, signature_id(in, base), row_key_tail(offset, out));
  }
  // The rows of a layer: x is read once (its pattern, its instances) for all of them.
  std::vector<Value> linear_rows(const WeightTensor& w, const WeightTensor& b, std::span<const Value> x, Format out,
                                 size_t row0, size_t n, const Rational& offset, const Const* extra) const {
    const Inputs& in = inputs_of(x);
    for (const Value* v : in) consume(*v);
    const uint32_t base = op_base(in);
    const uint32_t xsig = signature_id(in, base);
    const std::vector<uint64_t> tail = row_key_tail(offset, out);  // the same for every row
    std::vector<Value> y;
    y.reserve(n);
    for (size_t j = row0; j < row0 + n; ++j) {
      const std::array<Const, 2> bias{b.at(j), extra ? extra[j - row0] : Const{}};
      y.push_back(
          linear_row(w.row(j), std::span<const Const>(bias.data(), extra ? 2 : 1), offset, out, in, base, xsig, tail));
    }
    return y;
  }
  Value lincomb(const Rational& offset, std::span<const Rational> c, std::span<const Value> x, Format out) const {
    std::vector<uint64_t>& key = key_;
    key.assign({uint64_t(OpKind::lincomb)});
    append_rational(key, offset);
    for (const Rational& q : c) append_rational(key, q);
    append_format(key, out);
    return run(key, inputs_of(x), [&](GateCounter& g, std::span<const Bus> s) {
      return build_lincomb(g, offset, c, s, out, ps_);
    });
  }
  Value dot(std::span<const Value> x, std::span<const Value> y, const Rational& scale, const Rational& offset,
            Format out) const {
    std::vector<uint64_t>& key = key_;
    key.assign({uint64_t(OpKind::dot), x.size()});
    append_rational(key, scale);
    append_rational(key, offset);
    append_format(key, out);
    Inputs& in = inputs_of(x);
    for (const Value& v : y) in.push_back(&v);
    return run(key, in, [&](GateCounter& g, std::span<const Bus> s) {
      return build_dot(g, s.first(x.size()), s.subspan(x.size()), scale, offset, out, ps_);
    });
  }
  Value mul(const Value& a, const Value& b, Format out) const {
    std::vector<uint64_t>& key = key_;
    key.assign({uint64_t(OpKind::mul)});
    append_format(key, out);
    in_.assign({&a, &b});
    return run(key, in_, [&](GateCounter& g, std::span<const Bus> s) { return build_mul(g, s[0], s[1], out, ps_); });
  }
  Value mul_add(const Value& a, const Value& b, const Value& c, Format out) const {
    std::vector<uint64_t>& key = key_;
    key.assign({uint64_t(OpKind::mul_add)});
    append_format(key, out);
    in_.assign({&a, &b, &c});
    return run(key, in_, [&](GateCounter& g, std::span<const Bus> s) {
      return build_mul_add(g, s[0], s[1], s[2], out, ps_);
    });
  }
  Value sum(std::span<const Value> x, Format out) const {
    std::vector<uint64_t>& key = key_;
    key.assign({uint64_t(OpKind::sum)});
    append_format(key, out);
    return run(key, inputs_of(x), [&](GateCounter& g, std::span<const Bus> s) { return build_sum(g, s, out, ps_); });
  }
  Value max(std::span<const Value> x, Format out) const {
    std::vector<uint64_t>& key = key_;
    key.assign({uint64_t(OpKind::max)});
    append_format(key, out);
    return run(key, inputs_of(x), [&](GateCounter& g, std::span<const Bus> s) { return build_max(g, s, out, ps_); });
  }
  Value unary(UnaryFn fn, const Value& x, Format out) const {
    std::vector<uint64_t>& key = key_;
    key.assign({uint64_t(OpKind::unary), uint64_t(fn)});
    append_format(key, out);
    in_.assign({&x});
    return run(key, in_, [&](GateCounter& g, std::span<const Bus> s) { return build_unary(g, fn, s[0], out); });
  }
  Value convert(const Value& x, Format out) const {
    std::vector<uint64_t>& key = key_;
    key.assign({uint64_t(OpKind::convert)});
    append_format(key, out);
    in_.assign({&x});
    return run(key, in_, [&](GateCounter& g, std::span<const Bus> s) { return build_convert(g, s[0], out, ps_); });
  }
  double to_double(const Value&) const {
    throw std::logic_error("CountArith::to_double: a counted value has no number");
  }

  // Module tags, as WireArith names them (tensor_module_path): the operations since the previous
  // observation move under the tensor's name.
  void observe(std::string_view name, std::span<const Value>) const {
    if (pending_.empty()) return;
    auto [nit, fresh] = name_ids_.try_emplace(std::string(name), uint32_t(name_ids_.size()));
    const uint64_t name_id = nit->second;
    for (const Pending& p : pending_)
      for (const auto& [rel, mc] : templates_[p.tmpl].modules) {
        const uint64_t key = uint64_t(p.prefix) << 44 | uint64_t(rel) << 22 | name_id;
        auto it = module_of_.find(key);
        if (it == module_of_.end()) {
          const std::string path = join(prefix_paths_[p.prefix], rel_paths_[rel]);
          it = module_of_.emplace(key, module_index(tensor_module_path(prefix_paths_[prefix_], name, path))).first;
        }
        add_module(it->second, mc, p.count);
      }
    pending_.clear();
  }
  void push_module(const std::string& name) {
    prefix_stack_.push_back(prefix_);
    prefix_ = prefix_id(join(prefix_paths_[prefix_], name));
  }
  void pop_module() {
    prefix_ = prefix_stack_.back();
    prefix_stack_.pop_back();
  }

  // ---- driving a count ----
  Value primary_input(Format f) const {
    std::vector<uint64_t> bits;
    for (int i = 0; i < f.width(); ++i) bits.push_back(pack_bit(kOwnBit, false, uint32_t(i), 0));
    return Value{f, intern_shape(bits), new_block(false), 0, nullptr};
  }
  // Closes the count: the outputs are consumed; every other value with gates must have been.
  SamplerCount finish(std::span<const Value> outputs) const {
    SamplerCount r;
    for (const Value& v : outputs) {
      consume(v);
      for (size_t i = 0; i < size_t(v.fmt.width()); ++i) {
        const BitRef b = bit(v, i);
        if (!b.constant) r.depth = std::max(r.depth, b.level);
      }
    }
    for (uint64_t blk = 1; blk < blocks_.size(); ++blk)
      if ((blocks_[blk] & kHasGates) && !(blocks_[blk] & kConsumed))
        throw std::logic_error(fmt::format(
            "count: operation instance {} made gates that nothing reads (the model code computes an unused value, "
            "which a compiled circuit would keep and the counter cannot follow)",
            blk));
    observe_remaining();
    for (const OpTemplate& t : templates_) r.totals.add(t.totals, t.replays);
    r.gate_depth = gate_depth_;
    r.operations = operations_;
    r.distinct_operations = templates_.size();
    for (size_t i = 0; i < module_counts_.size(); ++i)
      if (module_counts_[i].gates > 0) r.modules[module_paths_[i]] = module_counts_[i];
    return r;
  }

 private:
  using Inputs = std::vector<const Value*>;
  static constexpr uint8_t kHasGates = 1, kConsumed = 2;
  // A run of operations with one template since the previous observation.
  struct Pending {
    uint32_t prefix, tmpl;
    uint64_t count;
  };

  static std::string join(const std::string& a, const std::string& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    return a + "/" + b;
  }

  // The inputs as pointers, in a buffer reused by every operation (operations do not nest).
  Inputs& inputs_of(std::span<const Value> x) const {
    in_.clear();
    for (const Value& v : x) in_.push_back(&v);
    return in_;
  }

  Value constant_value(const Fixed& x) const {
    std::vector<uint64_t> bits;
    for (int i = 0; i < x.fmt.width(); ++i) {
      const bool one = i >= 63 ? x.raw < 0 : ((x.raw >> i) & 1) != 0;
      bits.push_back(pack_bit(kConstBit, one, 0, 0));
    }
    return Value{x.fmt, intern_shape(bits), 0, 0, nullptr};
  }

  uint32_t intern_shape(const std::vector<uint64_t>& bits) const {
    const uint32_t id = shape_table_.intern(bits);
    if (id + 1 >= shapes_.size()) {
      Shape s;
      s.bits = bits;
      for (uint64_t w : bits)
        if (bit_kind(w) == kOwnBit) s.any_node = true, s.max_level = std::max(s.max_level, bit_level(w));
      shapes_.resize(id + 2);
      shapes_[id + 1] = std::move(s);
    }
    return id + 1;
  }

  uint64_t new_block(bool has_gates) const {
    blocks_.push_back(has_gates ? kHasGates : 0);
    return blocks_.size() - 1;
  }

  BitRef bit(const Value& v, size_t i) const {
    if (v.bits) return (*v.bits)[i];
    const uint64_t w = shapes_[v.shape].bits[i];
    if (bit_kind(w) == kConstBit) return BitRef{0, 0, 0, true, bit_comp(w)};
    return BitRef{v.block, bit_local(w), v.level + bit_level(w), false, bit_comp(w)};
  }

  void consume(const Value& v) const {
    if (v.bits) {
      for (const BitRef& b : *v.bits)
        if (!b.constant) blocks_[b.block] |= kConsumed;
    } else if (v.block) {
      blocks_[v.block] |= kConsumed;
    }
  }

  // A value from resolved bits: compact when every non-constant bit comes from one instance.
  Value make_value(Format fmt, std::vector<BitRef> refs) const {
    uint64_t block = 0;
    bool one_block = true;
    uint32_t lo = UINT32_MAX;
    for (const BitRef& b : refs) {
      if (b.constant) continue;
      if (block == 0) block = b.block;
      one_block = one_block && b.block == block;
      lo = std::min(lo, b.level);
    }
    if (!one_block) return Value{fmt, 0, 0, 0, std::make_shared<const std::vector<BitRef>>(std::move(refs))};
    std::vector<uint64_t> bits;
    for (const BitRef& b : refs)
      bits.push_back(b.constant ? pack_bit(kConstBit, b.comp, 0, 0) : pack_bit(kOwnBit, b.comp, b.local, b.level - lo));
    return Value{fmt, intern_shape(bits), block, block ? lo : 0, nullptr};
  }

  // The lowest logic level among the inputs' non-constant bits (0 when there is none).
  uint32_t op_base(const Inputs& in) const {
    uint32_t lo = UINT32_MAX;
    for (const Value* v : in) {
      if (v->bits) {
        for (const BitRef& b : *v->bits)
          if (!b.constant) lo = std::min(lo, b.level);
      } else if (shapes_[v->shape].any_node) {
        lo = std::min(lo, v->level);
      }
    }
    return lo == UINT32_MAX ? 0 : lo;
  }

  // True when the inputs' instances are pairwise distinct (the common case, checked in O(n) for
  // inputs that come as a few increasing runs of instances).
  bool distinct_blocks(const Inputs& in) const {
    constexpr size_t kRuns = 16;
    std::pair<uint64_t, uint64_t> runs[kRuns];  // [first, last] of each increasing run
    size_t n = 0;
    uint64_t prev = 0;
    for (const Value* v : in) {
      if (v->bits) return false;
      if (!v->block) continue;
      if (n > 0 && v->block > prev) {
        runs[n - 1].second = v->block;
      } else if (n < kRuns) {
        runs[n++] = {v->block, v->block};
      } else {  // many runs: sort all instances
        std::vector<uint64_t> all;
        for (const Value* w : in)
          if (w->block) all.push_back(w->block);
        std::sort(all.begin(), all.end());
        return std::adjacent_find(all.begin(), all.end()) == all.end();
      }
      prev = v->block;
    }
    std::sort(runs, runs + n);
    for (size_t i = 1; i < n; ++i)
      if (runs[i].first <= runs[i - 1].second) return false;
    return true;
  }

  // One word for an input in the common case: its shape, format and level above the base.
  static uint64_t input_word(const Value& v, uint32_t base) {
    const uint64_t level = v.block ? v.level - base : 0;
    const uint64_t fmt = uint64_t(v.fmt.width()) << 9 | uint64_t(v.fmt.frac() + 256);
    return uint64_t(v.shape) << 32 | fmt << 16 | level;
  }

  // The input pattern of an operation: formats, shapes, levels relative to the operation's base,
  // and which inputs come from the same instance.
  void append_signature(std::vector<uint64_t>& key, const Inputs& in, uint32_t base) const {
    bool small_levels = true;
    for (const Value* v : in) small_levels = small_levels && (!v->block || v->level - base < 65536);
    if (small_levels && distinct_blocks(in)) {
      key.push_back(0);
      for (const Value* v : in) key.push_back(input_word(*v, base));
      return;
    }
    key.push_back(1);
    std::unordered_map<uint64_t, uint64_t> cls;
    auto cls_of = [&cls](uint64_t block) { return cls.try_emplace(block, cls.size()).first->second; };
    for (const Value* v : in) {
      append_format(key, v->fmt);
      if (!v->bits) {
        key.push_back(v->shape);
        key.push_back(v->block ? cls_of(v->block) : UINT64_MAX);
        key.push_back(v->block ? v->level - base : 0);
        continue;
      }
      key.push_back(0);  // explicit bits follow
      key.push_back(v->bits->size());
      for (const BitRef& b : *v->bits) {
        if (b.constant) {
          key.push_back(b.comp ? 1 : 0);
          continue;
        }
        key.push_back(2 | uint64_t(b.comp));  // 2 or 3: a wire, and whether it is complemented
        key.push_back(cls_of(b.block));
        key.push_back(uint64_t(b.local) << 32 | (b.level - base));
      }
    }
  }

  uint32_t signature_id(const Inputs& in, uint32_t base) const {
    std::vector<uint64_t> sig;
    append_signature(sig, in, base);
    return signature_table_.intern(sig);
  }

  static std::vector<uint64_t> row_key_tail(const Rational& offset, Format out) {
    std::vector<uint64_t> tail;
    append_rational(tail, offset);
    append_format(tail, out);
    return tail;
  }

  // tail: row_key_tail(offset, out)
  Value linear_row(std::span<const Const> w, std::span<const Const> bias, const Rational& offset, Format out,
                   const Inputs& in, uint32_t base, uint32_t xsig, const std::vector<uint64_t>& tail) const {
    std::vector<uint64_t>& key = key_;
    key.assign({uint64_t(OpKind::linear), uint64_t(reinterpret_cast<uintptr_t>(w.data())), w.size(), xsig});
    for (const Const& b : bias) append_const(key, b);
    key.insert(key.end(), tail.begin(), tail.end());
    return run_keyed(key, in, base, [&](GateCounter& g, std::span<const Bus> s) {
      return build_linear(g, w, s, bias, offset, out, ps_);
    });
  }

  template <class Build>
  Value run(std::vector<uint64_t>& key, const Inputs& in, Build&& build) const {
    for (const Value* v : in) consume(*v);
    const uint32_t base = op_base(in);
    append_signature(key, in, base);
    return run_keyed(key, in, base, std::forward<Build>(build));
  }

  // key holds the parameters and the input pattern (inputs already consumed); finds or builds the
  // template, then replays it.
  template <class Build>
  Value run_keyed(const std::vector<uint64_t>& key, const Inputs& in, uint32_t base, Build&& build) const {
    ++operations_;
    const uint64_t h = hash_words(key.data(), key.size());
    size_t t = SIZE_MAX;
    const uint64_t found = template_index_.find(h, [&](uint64_t id) { return templates_[id].key == key; });
    if (found != UINT64_MAX) {
      t = size_t(found);
    } else {
      templates_.push_back(make_template(key, in, base, build));
      t = templates_.size() - 1;
      template_index_.insert(h, t);
    }
    return replay(t, in, base);
  }

  template <class Build>
  OpTemplate make_template(const std::vector<uint64_t>& key, const Inputs& in, uint32_t base, Build& build) const {
    GateCounter& g = counter_;
    g.reset();
    // One scratch input per distinct input bit, at its level relative to the operation.
    // (block, local) -> scratch node: per input in the common case of distinct instances (bits of
    // one bus may repeat: sign extension), through a hash map otherwise
    const bool distinct = distinct_blocks(in);
    node_of_.clear();
    std::vector<uint32_t> local_node;
    std::vector<std::pair<uint32_t, uint32_t>> source;  // scratch input node -> (input, bit), first occurrence
    std::vector<bool> source_comp;
    std::vector<Bus> scratch(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      Bus& s = scratch[i];
      s.name = "in";
      s.fmt = in[i]->fmt;
      local_node.assign(size_t(in[i]->fmt.width()) + 1, 0);
      for (size_t j = 0; j < size_t(in[i]->fmt.width()); ++j) {
        const BitRef r = bit(*in[i], j);
        if (r.constant) {
          s.bits.push_back(r.comp ? circuits::kTrue : circuits::kFalse);
          continue;
        }
        uint32_t* slot;
        if (distinct && r.local < local_node.size()) {
          slot = &local_node[r.local];
        } else {
          slot = &node_of_.try_emplace(r.block << 32 | r.local, 0).first->second;
        }
        if (*slot == 0) {
          *slot = g.create_input(r.level - base).index();
          source.resize(*slot + 1, {UINT32_MAX, 0});
          source_comp.resize(*slot + 1, false);
          source[*slot] = {uint32_t(i), uint32_t(j)};
          source_comp[*slot] = r.comp;
        }
        s.bits.push_back(Signal::make(*slot, r.comp));
      }
    }
    const Bus out = build(g, std::span<const Bus>(scratch));
    OpTemplate t;
    t.key = key;
    t.totals = g.totals();
    t.max_gate_level = g.max_gate_level();
    for (size_t m = 0; m < g.modules().size(); ++m)
      if (g.module_counts()[m].gates > 0) t.modules.push_back({rel_id(g.modules()[m]), g.module_counts()[m]});
    t.fmt = out.fmt;
    std::unordered_map<uint32_t, uint32_t> own_of;  // gate node -> local index
    bool pass = false;
    for (Signal s : out.bits) {
      OutBit o;
      if (s.index() == 0) {
        o.kind = OutBit::constant;
        o.comp = s.complemented();
      } else if (!g.is_gate(s.index())) {
        o.kind = OutBit::pass;
        o.input = source[s.index()].first;
        o.bit = source[s.index()].second;
        o.comp = s.complemented() != source_comp[s.index()];
        pass = true;
      } else {
        o.kind = OutBit::own;
        o.comp = s.complemented();
        o.local = own_of.try_emplace(s.index(), uint32_t(own_of.size())).first->second;
        o.level = g.level(s);
      }
      t.out.push_back(o);
    }
    t.own = uint32_t(own_of.size());
    if (!pass) {
      uint32_t lo = UINT32_MAX;
      for (const OutBit& o : t.out)
        if (o.kind == OutBit::own) lo = std::min(lo, o.level);
      if (lo == UINT32_MAX) lo = 0;
      std::vector<uint64_t> bits;
      for (const OutBit& o : t.out)
        bits.push_back(o.kind == OutBit::constant ? pack_bit(kConstBit, o.comp, 0, 0)
                                                  : pack_bit(kOwnBit, o.comp, o.local, o.level - lo));
      t.shape = intern_shape(bits);
      t.shape_level = lo;
    }
    return t;
  }

  Value replay(size_t index, const Inputs& in, uint32_t base) const {
    OpTemplate& t = templates_[index];
    ++t.replays;
    if (t.totals.gates > 0) gate_depth_ = std::max(gate_depth_, base + t.max_gate_level);
    if (!t.modules.empty()) {
      if (!pending_.empty() && pending_.back().prefix == prefix_ && pending_.back().tmpl == index) ++pending_.back().count;
      else pending_.push_back(Pending{prefix_, uint32_t(index), 1});
    }
    const uint64_t block = t.own ? new_block(t.totals.gates > 0) : 0;
    if (t.shape) return Value{t.fmt, *t.shape, block, block ? base + t.shape_level : 0, nullptr};
    std::vector<BitRef> refs;
    for (const OutBit& o : t.out) {
      if (o.kind == OutBit::constant) {
        refs.push_back(BitRef{0, 0, 0, true, o.comp});
      } else if (o.kind == OutBit::own) {
        refs.push_back(BitRef{block, o.local, base + o.level, false, o.comp});
      } else {
        BitRef r = bit(*in[o.input], o.bit);
        r.comp = r.comp != o.comp;
        refs.push_back(r);
      }
    }
    return make_value(t.fmt, std::move(refs));
  }

  uint32_t rel_id(const std::string& path) const {
    auto [it, fresh] = rel_ids_.try_emplace(path, uint32_t(rel_paths_.size()));
    if (fresh) rel_paths_.push_back(path);
    return it->second;
  }
  uint32_t prefix_id(const std::string& path) const {
    auto [it, fresh] = prefix_ids_.try_emplace(path, uint32_t(prefix_paths_.size()));
    if (fresh) prefix_paths_.push_back(path);
    return it->second;
  }

  size_t module_index(const std::string& path) const {
    auto [it, fresh] = module_ids_.try_emplace(path, module_paths_.size());
    if (fresh) {
      module_paths_.push_back(path);
      module_counts_.emplace_back();
    }
    return it->second;
  }

  void add_module(size_t index, const ModuleCount& mc, uint64_t times) const {
    ModuleCount& c = module_counts_[index];
    c.gates += mc.gates * times;
    c.edges += mc.edges * times;
    c.stored_edges += mc.stored_edges * times;
    c.depth = std::max(c.depth, mc.depth);
  }

  // Gates made after the last observation keep their module path (as in WireArith).
  void observe_remaining() const {
    for (const Pending& p : pending_)
      for (const auto& [rel, mc] : templates_[p.tmpl].modules)
        add_module(module_index(join(prefix_paths_[p.prefix], rel_paths_[rel])), mc, p.count);
    pending_.clear();
  }

  const Model& m_;
  circuits::gadgets::LinearFormParams ps_;
  mutable GateCounter counter_;
  mutable std::vector<uint64_t> key_;
  mutable Inputs in_;
  mutable std::unordered_map<uint64_t, uint32_t> node_of_;
  mutable WordTable shape_table_, signature_table_;
  mutable std::vector<Shape> shapes_;
  mutable std::vector<uint8_t> blocks_;  // per operation instance: kHasGates | kConsumed
  mutable std::vector<OpTemplate> templates_;
  mutable circuits::HashIndex template_index_;
  mutable uint64_t operations_ = 0;
  mutable uint32_t gate_depth_ = 0;
  // module paths: the pushed prefix (the step) + the path inside the operation, renamed by observe
  mutable std::vector<std::string> rel_paths_, prefix_paths_, module_paths_;
  mutable std::unordered_map<std::string, uint32_t> rel_ids_, prefix_ids_;
  mutable std::unordered_map<std::string, size_t> module_ids_;
  mutable std::vector<ModuleCount> module_counts_;
  mutable std::vector<Pending> pending_;
  mutable std::unordered_map<std::string, uint32_t> name_ids_;  // observed tensor names
  mutable std::unordered_map<uint64_t, size_t> module_of_;      // (prefix, rel, name) -> module index
  uint32_t prefix_ = 0;
  std::vector<uint32_t> prefix_stack_;
};

static_assert(ArithPolicy<CountArith>);

SamplerCount count_sampler(const Model& m, const SamplerSpec& spec, const circuits::gadgets::LinearFormParams& ps) {
  if (spec.grid.size() < 2) throw std::invalid_argument("count_sampler: the time grid needs at least two points");
  CountArith a(m, ps);
  const Format fz = m.act("state");
  std::vector<CountArith::Value> z;
  for (int i = 0; i < m.config().data_dim; ++i) z.push_back(a.primary_input(fz));
  for (size_t k = 0; k + 1 < spec.grid.size(); ++k) {
    a.push_module(fmt::format("step{}", k));
    z = sampler_step(a, m, spec.kind, spec.c, z, spec.grid[k], spec.grid[k + 1]);
    a.pop_module();
  }
  return a.finish(z);
}

std::string component_of(const std::string& module_path) {
  // "step0/<tensor>/<op>/...": the tensor name says what the gates compute.
  const size_t a = module_path.find('/');
  const std::string rest = a == std::string::npos ? module_path : module_path.substr(a + 1);
  const std::string tensor = rest.substr(0, rest.find('/'));
  auto ends_with = [&tensor](std::string_view s) {
    return tensor.size() >= s.size() && tensor.compare(tensor.size() - s.size(), s.size(), s) == 0;
  };
  auto has = [&tensor](std::string_view s) { return tensor.find(s) != std::string::npos; };
  if (has(".attn.") && !ends_with(".attn.q") && !ends_with(".attn.k") && !ends_with(".attn.v") &&
      !ends_with(".attn.proj"))
    return "attention";
  if (has(".ln") || tensor.rfind("final.ln", 0) == 0) return "norm";
  if (ends_with(".act") || tensor == "cond_act") return "nonlinear";
  if (has("resid")) return "residual";
  if (tensor == "state") return "update";
  return "linear";
}

}  // namespace tc0::sampler::compile
