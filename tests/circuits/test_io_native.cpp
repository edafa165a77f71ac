// Native circuit file: exact round trip (checked structurally, field by field, not through the
// serializer), and refusal of every corrupted, truncated or wrong-version file.
#include <gtest/gtest.h>

#include <cstring>
#include <fmt/format.h>

#include "circuits/io/native.hpp"
#include "circuits/sim/random_network.hpp"
#include "tc0/version.hpp"

namespace tc0::circuits::io {
namespace {

void expect_same_network(const Network& a, const Network& b) {
  ASSERT_EQ(a.num_nodes(), b.num_nodes());
  ASSERT_EQ(a.num_inputs(), b.num_inputs());
  ASSERT_EQ(a.num_gates(), b.num_gates());
  ASSERT_EQ(a.num_edges(), b.num_edges());
  EXPECT_EQ(a.num_stored_edges(), b.num_stored_edges()) << "shared fan-in lists must stay shared";
  EXPECT_EQ(a.modules(), b.modules());
  EXPECT_EQ(a.inputs(), b.inputs());
  for (uint32_t i = 0; i < a.num_inputs(); ++i) EXPECT_EQ(a.input_name(i), b.input_name(i));
  for (uint32_t g = 0; g < a.num_gates(); ++g) {
    ASSERT_EQ(a.gate_node(g), b.gate_node(g));
    const GateView x = a.gate(g), y = b.gate(g);
    ASSERT_EQ(x.size(), y.size()) << "gate " << g;
    EXPECT_TRUE(x.theta == y.theta) << "gate " << g;
    EXPECT_EQ(x.module, y.module) << "gate " << g;
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(x.fanins[i], y.fanins[i]);
      EXPECT_TRUE(x.weight(i) == y.weight(i)) << "gate " << g << " fan-in " << i;
    }
  }
  auto same_buses = [](const std::vector<Bus>& p, const std::vector<Bus>& q) {
    ASSERT_EQ(p.size(), q.size());
    for (size_t i = 0; i < p.size(); ++i) {
      EXPECT_EQ(p[i].name, q[i].name);
      EXPECT_EQ(p[i].fmt, q[i].fmt);
      EXPECT_EQ(p[i].is_signed, q[i].is_signed);
      EXPECT_EQ(p[i].bits, q[i].bits);
    }
  };
  same_buses(a.input_buses(), b.input_buses());
  same_buses(a.output_buses(), b.output_buses());
}

TEST(NativeFormat, RoundTripIsExact) {
  size_t wide = 0, shared = 0;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    sim::RandomNetworkParams p;
    p.seed = seed;
    p.gates = 20 + uint32_t(seed * 31 % 300);
    p.max_weight_class = int(seed % 4);
    const Network ntk = sim::random_network(p);
    for (uint32_t g = 0; g < ntk.num_gates(); ++g) wide += !ntk.gate(g).wide_weights.empty();
    shared += ntk.num_edges() - ntk.num_stored_edges();
    const std::string bytes = to_native(ntk);
    const Network back = from_native(bytes);
    expect_same_network(ntk, back);
    EXPECT_EQ(to_native(back), bytes) << "seed " << seed;
  }
  EXPECT_GT(wide, 50u);     // 128-bit weights were part of the round trip
  EXPECT_GT(shared, 500u);  // and shared fan-in lists (kSharedGate records)
}

TEST(NativeFormat, InterleavedInputsAndGatesKeepTheirNodeNumbers) {
  Network ntk;
  const Signal a = ntk.create_input("a");
  const Signal b = ntk.create_input("b");
  const Signal g = ntk.create_and(a, !b);
  const Bus& c = ntk.create_input_bus("c", numerics::Format(3, 1), true);
  ntk.push_module("m");
  const Signal h = ntk.create_or(g, c.bits[2]);
  ntk.pop_module();
  ntk.add_output_bus(Bus{"y", numerics::Format(2, 0), false, {h, !g}});
  const Network back = from_native(to_native(ntk));
  expect_same_network(ntk, back);
}

TEST(NativeFormat, FileRoundTrip) {
  sim::RandomNetworkParams p;
  const Network ntk = sim::random_network(p);
  const std::string path = ::testing::TempDir() + "tc0_native_roundtrip.tc0c";
  save_native(ntk, path);
  expect_same_network(ntk, load_native(path));
  EXPECT_THROW(load_native(path + ".missing"), CircuitError);
}

std::string small_file() {
  sim::RandomNetworkParams p;
  p.gates = 12;
  p.seed = 9;
  return to_native(sim::random_network(p));
}

TEST(NativeFormat, EverySingleByteCorruptionIsRefused) {
  const std::string good = small_file();
  ASSERT_NO_THROW(from_native(good));
  size_t cases = 0;
  for (size_t i = 0; i < good.size(); ++i)
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::string bad = good;
      bad[i] = char(uint8_t(bad[i]) ^ mask);
      EXPECT_THROW(from_native(bad), CircuitError) << "byte " << i << " mask " << int(mask);
      ++cases;
    }
  EXPECT_GT(cases, 300u);
}

TEST(NativeFormat, EveryTruncationAndExtensionIsRefused) {
  const std::string good = small_file();
  for (size_t n = 0; n < good.size(); ++n) EXPECT_THROW(from_native(good.substr(0, n)), CircuitError) << n;
  EXPECT_THROW(from_native(good + '\0'), CircuitError);
}

TEST(NativeFormat, WrongVersionsAreRefusedWithAClearMessage) {
  const std::string good = small_file();
  auto message = [](const std::string& bytes) {
    try {
      from_native(bytes, "x.tc0c");
    } catch (const CircuitError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string v = good;
  v[8] = char(kNativeFormatVersion + 1);
  EXPECT_NE(message(v).find(fmt::format("file format version {}", kNativeFormatVersion + 1)), std::string::npos) << message(v);
  std::string s = good;
  s[12] = char(kSemanticsVersion + 1);
  EXPECT_NE(message(s).find("semantics version"), std::string::npos) << message(s);
  EXPECT_NE(message("hello world, this is not a circuit file").find("bad magic"), std::string::npos);
  std::string c = good;
  c.back() = char(c.back() ^ 4);
  EXPECT_NE(message(c).find("checksum"), std::string::npos) << message(c);
  EXPECT_NE(message(c).find("x.tc0c"), std::string::npos);
}

TEST(NativeFormat, ValidChecksumButNonCanonicalGateIsRefused) {
  // Rebuild a body by hand with a gate whose weight exceeds theta (not canonical): the reader must
  // refuse it even though the checksum matches.
  Network ntk;
  const Signal a = ntk.create_input("a");
  const Signal b = ntk.create_input("b");
  ntk.add_output_bus(Bus{"y", numerics::Format(2, 0), false, {ntk.create_and(a, b), kFalse}});
  std::string bytes = to_native(ntk);
  // Body: modules(1) nodes(3) [1 'a'] [1 'b'] [3 module theta=2 n=2 sig w sig w] ...
  std::string body = bytes.substr(32);
  const size_t gate_at = body.find('\x03', 6);
  ASSERT_NE(gate_at, std::string::npos);
  ASSERT_EQ(body[gate_at + 2], char(4));  // zigzag(theta = 2)
  body[gate_at + 5] = char(6);            // zigzag(weight 3) for the first fan-in: 3a + b >= 2
  const uint64_t h = fnv1a64(body);
  for (int i = 0; i < 8; ++i) bytes[24 + i] = char((h >> (8 * i)) & 0xff);
  bytes = bytes.substr(0, 32) + body;
  try {
    from_native(bytes);
    FAIL() << "accepted a non-canonical gate";
  } catch (const CircuitError& e) {
    EXPECT_NE(std::string(e.what()).find("canonical"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tc0::circuits::io
