// The size estimates of circuits/io/export_size.hpp against the real exports: the AND count is an
// upper bound of the lowering's, and the bytes of every format are within a small factor of the
// file the writer produces (what `tc0flow export` refuses past --max-output-gib is what it would write).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <streambuf>

#include "circuits/gadgets/arith.hpp"
#include "circuits/io/aig.hpp"
#include "circuits/io/blif.hpp"
#include "circuits/io/export_size.hpp"
#include "circuits/io/verilog.hpp"
#include "circuits/sim/random_network.hpp"

namespace {

using namespace tc0::circuits;

// Counts the bytes a writer produces without keeping them.
struct CountingBuf : std::streambuf {
  uint64_t n = 0;
  int_type overflow(int_type c) override {
    n += c != traits_type::eof();
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char*, std::streamsize k) override {
    n += uint64_t(k);
    return k;
  }
};

template <class Write>
uint64_t bytes_of(Write w) {
  CountingBuf buf;
  std::ostream os(&buf);
  w(os);
  return buf.n;
}

std::vector<std::pair<std::string, Network>> circuits() {
  std::vector<std::pair<std::string, Network>> v;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    sim::RandomNetworkParams p;
    p.seed = seed;
    p.gates = 300;
    p.max_fanin = seed % 2 ? 12 : 24;
    p.max_weight_class = int(seed % 4);
    v.emplace_back(fmt::format("random seed {}", seed), sim::random_network(p));
  }
  for (int bits : {4, 8, 12}) {
    Network n;
    const auto a = n.create_input_bus("a", tc0::numerics::Format(bits, 0), true);
    const auto b = n.create_input_bus("b", tc0::numerics::Format(bits, 0), true);
    n.add_output_bus(gadgets::multiply_full(n, a, b));
    v.emplace_back(fmt::format("multiply {} bits", bits), std::move(n));
  }
  return v;
}

TEST(ExportSize, EstimatesTrackTheRealExports) {
  for (const auto& [name, ntk] : circuits()) {
    const io::LoweredAig lowered = io::lower_to_aig(ntk);
    for (const char* format : {"aiger", "aag"}) {
      const io::ExportSize e = io::estimate_export_size(ntk, format);
      const uint64_t real = bytes_of([&](std::ostream& os) { io::write_aiger(os, lowered, std::string(format) == "aiger"); });
      EXPECT_GE(e.and_nodes, lowered.aig.num_ands()) << name << ": the AND count must be an upper bound";
      // from an upper bound of the AND count: up to about 6x where gates share partial sums (multipliers)
      EXPECT_GE(double(e.bytes), 0.5 * double(real)) << name << " " << format;
      EXPECT_LE(double(e.bytes), 8.0 * double(real)) << name << " " << format;
    }
    const io::ExportSize v = io::estimate_export_size(ntk, "verilog");
    const uint64_t real_v = bytes_of([&](std::ostream& os) { io::write_verilog(os, ntk); });
    EXPECT_GE(double(v.bytes), 0.8 * double(real_v)) << name;
    EXPECT_LE(double(v.bytes), 1.25 * double(real_v)) << name;
    for (unsigned table : {4u, 10u}) {
      const io::ExportSize b = io::estimate_export_size(ntk, "blif", {"tc0", table});
      const uint64_t real_b = bytes_of([&](std::ostream& os) { io::write_blif(os, ntk, {"tc0", table}); });
      EXPECT_GE(double(b.bytes), 0.7 * double(real_b)) << name << " table " << table;
      EXPECT_LE(double(b.bytes), 2.0 * double(real_b)) << name << " table " << table;
    }
  }
}

}  // namespace
