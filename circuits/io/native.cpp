#include "circuits/io/native.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <iterator>

#include "fileio/atomic_file.hpp"
#include "fileio/input_file.hpp"
#include "tc0/version.hpp"

namespace tc0::circuits::io {

namespace {

constexpr char kMagic[8] = {'t', 'c', '0', 'c', 'i', 'r', 'c', '\n'};
constexpr size_t kHeaderSize = 32;
// kSharedGate: a gate with the fan-in list of the gate `distance` gate indices before it (format 2).
enum Tag : uint8_t { kLooseInput = 1, kInputBus = 2, kGate = 3, kSharedGate = 4 };

using U128 = unsigned __int128;

// ---- writing ----
// The body is produced in pieces of about 1 MiB that go to `sink` with their FNV-1a folded into
// `hash`, so that a circuit is written to disk without a second copy of it in memory.
struct Writer {
  std::string out;
  std::function<void(std::string_view)> sink;
  uint64_t hash = 0xcbf29ce484222325ull, size = 0;
  void flush() {
    for (char c : out) {
      hash ^= uint8_t(c);
      hash *= 0x100000001b3ull;
    }
    size += out.size();
    sink(out);
    out.clear();
  }
  void maybe_flush() {
    if (out.size() >= (1u << 20)) flush();
  }
  void u(U128 v) {
    do {
      uint8_t byte = uint8_t(v & 0x7f);
      v >>= 7;
      if (v) byte |= 0x80;
      out.push_back(char(byte));
    } while (v);
  }
  void s(Weight v) { u(v < 0 ? ((~U128(v)) << 1) | 1 : U128(v) << 1); }  // zigzag
  void str(const std::string& t) {
    u(t.size());
    out += t;
  }
  void bus(const Bus& b) {
    str(b.name);
    s(b.fmt.width());
    s(b.fmt.frac());
    u(b.is_signed ? 1 : 0);
    u(b.bits.size());
    for (Signal x : b.bits) u(x.data);
  }
};

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}
uint64_t get_le(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t(uint8_t(in[at + i])) << (8 * i);
  return v;
}

// ---- reading: every read is bounds-checked and names the byte offset ----
struct Reader {
  std::string_view in;
  size_t pos = 0;
  const std::string& source;

  [[noreturn]] void fail(const std::string& what) const {
    throw CircuitError(fmt::format("circuit file '{}': {} (body byte {}); the file is corrupt or was not written "
                                   "by tc0flow: regenerate it",
                                   source, what, pos));
  }
  U128 u(int max_bits = 128) {
    U128 v = 0;
    for (int shift = 0;; shift += 7) {
      if (pos >= in.size()) fail("truncated inside a number");
      const uint8_t byte = uint8_t(in[pos++]);
      if (shift >= max_bits || (shift > 0 && max_bits - shift < 7 && (byte & 0x7f) >> (max_bits - shift)))
        fail(fmt::format("number wider than {} bits", max_bits));
      v |= U128(byte & 0x7f) << shift;
      if (!(byte & 0x80)) {
        // One encoding per number, so that a file that parses is byte-identical to its rewrite.
        if (byte == 0 && shift > 0) fail("number with a redundant zero byte");
        return v;
      }
    }
  }
  uint64_t u64() { return uint64_t(u(64)); }
  uint32_t u32() { return uint32_t(u(32)); }
  Weight s() {
    const U128 z = u(128);
    return (z & 1) ? Weight(~(z >> 1)) : Weight(z >> 1);
  }
  // A count of items that each take at least one byte cannot exceed what is left.
  uint64_t count(const char* what) {
    const uint64_t n = u64();
    if (n > in.size() - pos) fail(fmt::format("{} count {} exceeds the remaining {} bytes", what, n, in.size() - pos));
    return n;
  }
  std::string str(const char* what) {
    const uint64_t n = count(what);
    std::string t(in.substr(pos, n));
    pos += n;
    return t;
  }
  numerics::Format format() {
    const Weight w = s(), f = s();
    if (w < numerics::Format::kMinWidth || w > numerics::Format::kMaxWidth || f < numerics::Format::kMinFrac ||
        f > numerics::Format::kMaxFrac)
      fail("bus format out of range");
    return numerics::Format(int(w), int(f));
  }
  bool flag() {
    const uint32_t v = u32();
    if (v > 1) fail(fmt::format("flag value {} (expected 0 or 1)", v));
    return v == 1;
  }
  Signal signal(uint32_t num_nodes) {
    const uint32_t d = u32();
    if ((d >> 1) >= num_nodes) fail(fmt::format("signal refers to node {} but only {} nodes exist", d >> 1, num_nodes));
    return Signal{d};
  }
};

}  // namespace

uint64_t fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : bytes) {
    h ^= uint8_t(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

namespace {

std::string header(uint64_t body_size, uint64_t checksum) {
  std::string file(kMagic, sizeof(kMagic));
  put_le(file, kNativeFormatVersion, 4);
  put_le(file, uint32_t(kSemanticsVersion), 4);
  put_le(file, body_size, 8);
  put_le(file, checksum, 8);
  return file;
}

// Writes the body through w.sink (in pieces) and returns its header.
std::string write_body(const Network& ntk, Writer& w) {
  w.u(ntk.modules().size());
  for (size_t m = 1; m < ntk.modules().size(); ++m) w.str(ntk.modules()[m]);
  // The operation map (format 3): per operation the gates since the previous one ended that belong
  // to no operation, its gate count, and its output bits.
  if (ntk.in_op()) throw CircuitError("cannot store a network while an operation is open");
  w.u(ntk.num_ops());
  uint32_t prev_end = 0;
  for (uint32_t k = 0; k < ntk.num_ops(); ++k) {
    const Network::OpView op = ntk.op(k);
    w.u(op.first_gate - prev_end);
    w.u(op.end_gate - op.first_gate);
    w.u(op.outputs.size());
    for (Signal s : op.outputs) w.u(s.data);
    prev_end = op.end_gate;
  }
  // Input buses are made by create_input_bus, i.e. consecutive fresh inputs: store the bus once.
  std::vector<int> bus_at(ntk.num_nodes(), -1);
  std::vector<bool> in_bus(ntk.num_nodes(), false);
  for (size_t b = 0; b < ntk.input_buses().size(); ++b) {
    const Bus& bus = ntk.input_buses()[b];
    if (bus.bits.empty()) throw CircuitError(fmt::format("input bus '{}' has no bits", bus.name));
    bus_at[bus.bits[0].index()] = int(b);
    for (size_t i = 0; i < bus.bits.size(); ++i) {
      if (bus.bits[i] != Signal::make(bus.bits[0].index() + uint32_t(i), false))
        throw CircuitError(fmt::format("input bus '{}' is not a run of consecutive inputs; cannot be stored", bus.name));
      in_bus[bus.bits[i].index()] = true;
    }
  }
  w.u(ntk.num_nodes() - 1);
  // A gate can only share one of the last few lists (Network::append_gate), so a small ring of
  // (list, last gate reading it) finds every sharing gate without a table over all lists.
  std::pair<uint64_t, uint32_t> recent[8];
  std::fill(std::begin(recent), std::end(recent), std::pair<uint64_t, uint32_t>{UINT64_MAX, 0});
  size_t recent_next = 0;
  for (uint32_t n = 1; n < ntk.num_nodes();) {
    if (ntk.is_input(n)) {
      if (bus_at[n] >= 0) {
        const Bus& bus = ntk.input_buses()[bus_at[n]];
        w.u(kInputBus);
        w.str(bus.name);
        w.s(bus.fmt.width());
        w.s(bus.fmt.frac());
        w.u(bus.is_signed ? 1 : 0);
        n += uint32_t(bus.bits.size());
      } else {
        w.u(kLooseInput);
        w.str(ntk.input_name(ntk.input_index(n)));
        ++n;
      }
      continue;
    }
    const uint32_t gi = ntk.gate_index(n);
    const GateView g = ntk.gate(gi);
    const uint64_t list = ntk.fanin_list(gi);
    auto it = std::find_if(std::begin(recent), std::end(recent), [list](const auto& e) { return e.first == list; });
    if (it != std::end(recent)) {  // the list is stored once: refer back to the last gate that read it
      w.u(kSharedGate);
      w.u(g.module);
      w.s(g.theta);
      w.u(gi - it->second);
      it->second = gi;
    } else {
      recent[recent_next] = {list, gi};
      recent_next = (recent_next + 1) % std::size(recent);
      w.u(kGate);
      w.u(g.module);
      w.s(g.theta);
      w.u(g.size());
      for (size_t i = 0; i < g.size(); ++i) {
        w.u(g.fanins[i].data);
        w.s(g.weight(i));
      }
    }
    ++n;
    w.maybe_flush();
  }
  w.u(ntk.output_buses().size());
  for (const Bus& b : ntk.output_buses()) w.bus(b);
  w.flush();
  return header(w.size, w.hash);
}

}  // namespace

std::string to_native(const Network& ntk) {
  std::string body;
  Writer w;
  w.sink = [&body](std::string_view piece) { body += piece; };
  std::string file = write_body(ntk, w);
  return file + body;
}

Network from_native(std::string_view bytes, const std::string& source) {
  auto fail = [&](const std::string& what) -> void {
    throw CircuitError(fmt::format("circuit file '{}': {}", source, what));
  };
  if (bytes.size() < kHeaderSize || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    if (bytes.size() >= sizeof(kMagic) && std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) == 0)
      fail(fmt::format("truncated header ({} of {} bytes)", bytes.size(), kHeaderSize));
    fail("not a tc0flow circuit file (bad magic); expected a file written by `tc0flow gadget` or save_native()");
  }
  const uint32_t version = uint32_t(get_le(bytes, 8, 4));
  const uint32_t semantics = uint32_t(get_le(bytes, 12, 4));
  const uint64_t size = get_le(bytes, 16, 8);
  const uint64_t checksum = get_le(bytes, 24, 8);
  if (version != kNativeFormatVersion)
    fail(fmt::format("file format version {}, this tc0flow reads version {}; regenerate the file", version,
                     kNativeFormatVersion));
  if (semantics != uint32_t(kSemanticsVersion))
    fail(fmt::format("made under semantics version {}, this tc0flow implements version {}; rebuild the circuit",
                     semantics, kSemanticsVersion));
  if (size != bytes.size() - kHeaderSize)
    fail(fmt::format("body is {} bytes but the header says {}: the file is truncated or has trailing data",
                     bytes.size() - kHeaderSize, size));
  const std::string_view body = bytes.substr(kHeaderSize);
  if (fnv1a64(body) != checksum) fail("checksum mismatch: the file is corrupt; regenerate it");

  Reader r{body, 0, source};
  Network ntk;
  const uint64_t num_modules = r.count("module");
  if (num_modules == 0) r.fail("module table must contain the top module");
  std::vector<std::string> modules{""};
  for (uint64_t m = 1; m < num_modules; ++m) {
    modules.push_back(r.str("module name"));
    ntk.push_module(modules.back());
    ntk.pop_module();
  }
  if (ntk.modules().size() != num_modules) r.fail("duplicate or empty module path");
  struct PendingOp {
    uint64_t first_gate, end_gate;
    std::vector<Signal> outputs;
  };
  std::vector<PendingOp> ops(r.count("operation"));
  uint64_t prev_end = 0;
  for (PendingOp& op : ops) {
    op.first_gate = prev_end + r.u64();
    op.end_gate = op.first_gate + r.u64();
    if (op.end_gate >= (uint64_t(1) << 32)) r.fail("operation gate range past 2^32");
    const uint64_t n = r.count("operation output");
    for (uint64_t i = 0; i < n; ++i) op.outputs.push_back(Signal{r.u32()});  // checked by end_op
    prev_end = op.end_gate;
  }
  size_t next_op = 0;
  bool op_open = false;
  // Opens every operation that starts at the current gate count and closes those that end there.
  auto sync_ops = [&] {
    while (true) {
      if (op_open && ops[next_op - 1].end_gate == ntk.num_gates()) {
        try {
          ntk.end_op(ops[next_op - 1].outputs);
        } catch (const CircuitError& e) {
          r.fail(fmt::format("operation {}: {}", next_op - 1, e.what()));
        }
        op_open = false;
      } else if (!op_open && next_op < ops.size() && ops[next_op].first_gate == ntk.num_gates()) {
        ntk.begin_op();
        ++next_op;
        op_open = true;
      } else {
        return;
      }
    }
  };
  const uint64_t num_nodes = r.count("node");
  uint32_t pushed = 0;  // module currently pushed (0: none)
  std::vector<Signal> fanins;
  std::vector<Weight> weights;
  // The writer's ring of recent fan-in lists, replayed: a list the ring holds must be stored as a
  // reference to its last reader, and only such a list, so that every file that parses is the one
  // the writer would write for its network (Network::append_gate may share a list the record repeats).
  std::pair<uint64_t, uint32_t> recent[8];
  std::fill(std::begin(recent), std::end(recent), std::pair<uint64_t, uint32_t>{UINT64_MAX, 0});
  size_t recent_next = 0;
  while (ntk.num_nodes() - 1 < num_nodes) {
    const uint32_t tag = r.u32();
    if (tag == kLooseInput) {
      ntk.create_input(r.str("input name"));
    } else if (tag == kInputBus) {
      std::string name = r.str("bus name");
      const numerics::Format f = r.format();
      const bool sgn = r.flag();
      if (ntk.num_nodes() - 1 + uint64_t(f.width()) > num_nodes) r.fail("input bus runs past the node count");
      ntk.create_input_bus(name, f, sgn);
    } else if (tag == kGate || tag == kSharedGate) {
      const uint32_t module = r.u32();
      if (module >= num_modules) r.fail(fmt::format("gate module id {} outside the module table", module));
      const Weight theta = r.s();
      fanins.clear();
      weights.clear();
      uint64_t distance = 0;  // kSharedGate: how many gates back the list's last reader is
      if (tag == kGate) {
        const uint64_t n = r.count("fan-in");
        for (uint64_t i = 0; i < n; ++i) {
          fanins.push_back(r.signal(ntk.num_nodes()));
          weights.push_back(r.s());
        }
      } else {
        distance = r.u32();
        if (distance == 0 || distance > ntk.num_gates())
          r.fail(fmt::format("shared gate refers {} gates back, but {} gates precede it", distance, ntk.num_gates()));
        const GateView ref = ntk.gate(uint32_t(ntk.num_gates() - distance));
        fanins.assign(ref.fanins.begin(), ref.fanins.end());
        for (size_t i = 0; i < ref.size(); ++i) weights.push_back(ref.weight(i));
      }
      if (module != pushed) {
        if (pushed) ntk.pop_module();
        if (module) ntk.push_module(modules[module]);
        pushed = module;
      }
      sync_ops();
      const uint32_t expected = ntk.num_nodes();
      Signal got;
      try {
        got = ntk.create_threshold(fanins, weights, theta);
      } catch (const CircuitError& e) {
        r.fail(fmt::format("gate node {}: {}", expected, e.what()));
      }
      bool same = got == Signal::make(expected, false);
      if (same) {  // canonicalisation must have left the gate exactly as stored
        const GateView g = ntk.gate(ntk.gate_index(expected));
        same = g.theta == theta && g.size() == fanins.size();
        for (size_t i = 0; same && i < fanins.size(); ++i) same = g.fanins[i] == fanins[i] && g.weight(i) == weights[i];
      }
      if (!same) r.fail(fmt::format("gate node {} is not in canonical form", expected));
      const uint32_t gi = ntk.gate_index(expected);
      const uint64_t list = ntk.fanin_list(gi);
      auto it = std::find_if(std::begin(recent), std::end(recent), [list](const auto& e) { return e.first == list; });
      if (tag == kGate) {
        if (it != std::end(recent))
          r.fail(fmt::format("gate node {} repeats a recent fan-in list in full instead of referring to it", expected));
        recent[recent_next] = {list, gi};
        recent_next = (recent_next + 1) % std::size(recent);
      } else {
        if (it == std::end(recent) || it->second != gi - distance)
          r.fail(fmt::format("gate node {} refers to a fan-in list other than the last reader of a recent one", expected));
        it->second = gi;
      }
    } else {
      r.fail(fmt::format("unknown node record tag {}", tag));
    }
  }
  if (pushed) ntk.pop_module();
  if (ntk.num_nodes() - 1 != num_nodes) r.fail("node records do not add up to the node count");
  sync_ops();
  if (op_open || next_op != ops.size()) r.fail("the operation map does not match the gates");
  const uint64_t num_outputs = r.count("output bus");
  for (uint64_t o = 0; o < num_outputs; ++o) {
    Bus b;
    b.name = r.str("bus name");
    b.fmt = r.format();
    b.is_signed = r.flag();
    const uint64_t nb = r.count("bus bit");
    for (uint64_t i = 0; i < nb; ++i) b.bits.push_back(r.signal(ntk.num_nodes()));
    ntk.add_output_bus(std::move(b));
  }
  if (r.pos != body.size()) r.fail("trailing bytes after the output buses");
  return ntk;
}

void save_native(const Network& ntk, const std::string& path) {
  fileio::AtomicFile file(path, "circuit file");
  file.write(header(0, 0));  // placeholder: sizes and checksum are known at the end
  Writer w;
  w.sink = [&file](std::string_view piece) { file.write(piece); };
  file.write_at(0, write_body(ntk, w));
  file.commit();
}

Network load_native(const std::string& path) {
  std::string bytes;
  try {
    bytes = fileio::read_regular_file(path, "circuit file", kMaxNativeFileBytes);
  } catch (const fileio::FileError& e) {
    throw CircuitError(e.what());
  }
  return from_native(bytes, path);
}

}  // namespace tc0::circuits::io
