// Cross-checks of the exports with tools nobody here wrote (SPEC 6: tests use independent references):
//  - berkeley-abc `cec` proves our BLIF (table and lowered forms) and AIGER exports of gadgets
//    equivalent to a yosys-synthesised reference of the same arithmetic (`assign y = a + b;` ...),
//    and refutes a mutant, so the check can fail;
//  - yosys `stat` and `ltp` on the Verilog export agree with our gate count and depth;
//  - iverilog (-g2001: plain Verilog, no SystemVerilog) simulates the Verilog export to the same
//    outputs as our bit-parallel simulator on random patterns.
// A missing tool is a failure with the command that installs it, never a silent pass.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <regex>
#include <sstream>

#include "circuits/gadgets/arith.hpp"
#include "circuits/gadgets/linear_form.hpp"
#include "circuits/io/aig.hpp"
#include "circuits/io/blif.hpp"
#include "circuits/io/verilog.hpp"
#include "circuits/sim/bitsim.hpp"
#include "circuits/sim/random_network.hpp"
#include "circuits/stats.hpp"

namespace tc0::circuits {
namespace {

namespace fs = std::filesystem;

struct Result {
  int rc;
  std::string out;
};

Result run(const std::string& cmd) {
  std::array<char, 4096> buf;
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  const int rc = pclose(p);
  return {rc, out};
}

bool have_tool(const std::string& name) {
  if (run("command -v " + name).rc == 0) return true;
  ADD_FAILURE() << name << " is not installed; install it with `sudo tools/deps.sh` (Debian package "
                << (name == "berkeley-abc" ? "berkeley-abc" : name) << ")";
  return false;
}

fs::path scratch_dir(const std::string& name) {
  fs::path d = fs::path(::testing::TempDir()) / ("tc0_external_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

// ---- circuits ----
Network ripple_adder(int n) {  // hand-built: carries are MAJ gates, sums are [a + b + c - 2 carry >= 1]
  Network ntk;
  const Bus a = ntk.create_input_bus("a", numerics::Format(n, 0), false);
  const Bus b = ntk.create_input_bus("b", numerics::Format(n, 0), false);
  Bus y{"y", numerics::Format(n + 1, 0), false, {}};
  Signal c = kFalse;
  for (int i = 0; i < n; ++i) {
    const Signal m3[3] = {a.bits[i], b.bits[i], c};
    const Signal carry = ntk.create_maj(m3);
    const Signal s4[4] = {a.bits[i], b.bits[i], c, carry};
    const Weight w4[4] = {1, 1, 1, -2};
    y.bits.push_back(ntk.create_threshold(s4, w4, 1));
    c = carry;
  }
  y.bits.push_back(c);
  ntk.add_output_bus(y);
  return ntk;
}

Network two_operand(int n, const std::function<Bus(Network&, const Bus&, const Bus&)>& f) {
  Network ntk;
  const Bus a = ntk.create_input_bus("a", numerics::Format(n, 0), true);
  const Bus b = ntk.create_input_bus("b", numerics::Format(n, 0), true);
  Bus y = f(ntk, a, b);
  y.name = "y";
  ntk.add_output_bus(y);
  return ntk;
}

// A copy of ntk with the threshold of gate `victim` raised by one (a mutant for the negative control).
Network mutant(const Network& ntk, uint32_t victim) {
  Network m;
  std::vector<Signal> map(ntk.num_nodes(), kFalse);
  for (uint32_t i = 0; i < ntk.num_inputs(); ++i) map[ntk.inputs()[i]] = m.create_input(ntk.input_name(i));
  for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
    const GateView gv = ntk.gate(g);
    std::vector<Signal> ins;
    std::vector<Weight> ws;
    for (size_t i = 0; i < gv.size(); ++i) {
      const Signal s = map[gv.fanins[i].index()];
      ins.push_back(gv.fanins[i].complemented() ? !s : s);
      ws.push_back(gv.weight(i));
    }
    map[ntk.gate_node(g)] = m.create_threshold(ins, ws, gv.theta + (g == victim ? 1 : 0));
  }
  for (Bus b : ntk.output_buses()) {
    for (Signal& s : b.bits) s = s.complemented() ? !map[s.index()] : map[s.index()];
    m.add_output_bus(b);
  }
  return m;
}

struct Case {
  std::string name;
  Network ntk;
  std::string reference;  // Verilog module `ref` with ports a, b, (c, d), y
};

std::vector<Case> cases() {
  std::vector<Case> cs;
  cs.push_back({"ripple_adder6", ripple_adder(6),
                "module ref(input [5:0] a, input [5:0] b, output [6:0] y);\n  assign y = a + b;\nendmodule\n"});
  cs.push_back({"add_exact6", two_operand(6, [](Network& n, const Bus& a, const Bus& b) { return gadgets::add_exact(n, a, b); }),
                "module ref(input signed [5:0] a, input signed [5:0] b, output signed [6:0] y);\n  assign y = a + b;\nendmodule\n"});
  cs.push_back({"sub6", two_operand(6, [](Network& n, const Bus& a, const Bus& b) {
                  return gadgets::sub(n, a, b, numerics::Format(7, 0));
                }),
                "module ref(input signed [5:0] a, input signed [5:0] b, output signed [6:0] y);\n  assign y = a - b;\nendmodule\n"});
  cs.push_back({"multiply_full4", two_operand(4, [](Network& n, const Bus& a, const Bus& b) { return gadgets::multiply_full(n, a, b); }),
                "module ref(input signed [3:0] a, input signed [3:0] b, output signed [7:0] y);\n  assign y = a * b;\nendmodule\n"});
  cs.push_back({"compare_ge6", two_operand(6, [](Network& n, const Bus& a, const Bus& b) {
                  return Bus{"y", numerics::Format(2, 0), false, {gadgets::compare_ge(n, a, b), kFalse}};
                }),
                "module ref(input signed [5:0] a, input signed [5:0] b, output [1:0] y);\n  assign y = {1'b0, a >= b};\nendmodule\n"});
  {
    Network ntk;
    std::vector<Bus> xs;
    for (const char* nm : {"a", "b", "c", "d"}) xs.push_back(ntk.create_input_bus(nm, numerics::Format(4, 0), true));
    Bus y = gadgets::sum_buses(ntk, xs, numerics::Format(6, 0));
    y.name = "y";
    ntk.add_output_bus(y);
    cs.push_back({"sum4x4", std::move(ntk),
                  "module ref(input signed [3:0] a, input signed [3:0] b, input signed [3:0] c, input signed [3:0] d,\n"
                  "           output signed [5:0] y);\n  assign y = a + b + c + d;\nendmodule\n"});
  }
  return cs;
}

bool equivalent(const std::string& out) { return out.find("Networks are equivalent") != std::string::npos; }

TEST(ExternalTools, AbcCecProvesExportsEqualToYosysReference) {
  if (!have_tool("berkeley-abc") || !have_tool("yosys")) return;
  const fs::path dir = scratch_dir("cec");
  int proved = 0;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const fs::path base = dir / c.name;
    write_file(base.string() + "_ref.v", c.reference);
    const Result y = run(fmt::format("yosys -q -p 'read_verilog {0}_ref.v; synth -flatten -top ref; aigmap; write_blif {0}_ref.blif'",
                                     base.string()));
    ASSERT_EQ(y.rc, 0) << y.out;
    write_file(base.string() + "_table.blif", io::write_blif(c.ntk));
    write_file(base.string() + "_lowered.blif", io::write_blif(c.ntk, {.model = "tc0", .max_table_fanin = 0}));
    write_file(base.string() + ".aig", io::write_aiger(io::lower_to_aig(c.ntk), true));
    for (const char* ours : {"_table.blif", "_lowered.blif", ".aig"}) {
      const Result r = run(fmt::format("berkeley-abc -c 'cec {0}{1} {0}_ref.blif'", base.string(), ours));
      EXPECT_TRUE(equivalent(r.out)) << c.name << ours << ":\n" << r.out;
      proved += equivalent(r.out);
    }
  }
  EXPECT_EQ(proved, 18);
}

TEST(ExternalTools, AbcCecRefutesAMutant) {
  if (!have_tool("berkeley-abc")) return;
  const fs::path dir = scratch_dir("mutant");
  const Network good = ripple_adder(5);
  int refuted = 0;
  for (uint32_t victim = 0; victim < good.num_gates(); ++victim) {
    const Network bad = mutant(good, victim);
    write_file(dir / "good.blif", io::write_blif(good));
    write_file(dir / "bad.aig", io::write_aiger(io::lower_to_aig(bad), true));
    const Result r = run(fmt::format("berkeley-abc -c 'cec {} {}'", (dir / "good.blif").string(), (dir / "bad.aig").string()));
    EXPECT_FALSE(equivalent(r.out)) << "mutant of gate " << victim << " was proved equivalent:\n" << r.out;
    refuted += r.out.find("NOT EQUIVALENT") != std::string::npos;
  }
  EXPECT_EQ(refuted, int(good.num_gates()));
}

// Expected yosys figures: our gates are the tc0_* cells; a complemented output bit adds one $not.
TEST(ExternalTools, YosysStatAndLtpAgreeWithOurStats) {
  if (!have_tool("yosys")) return;
  const fs::path dir = scratch_dir("yosys");
  std::vector<std::pair<std::string, Network>> nets;
  for (Case& c : cases()) nets.emplace_back(c.name, std::move(c.ntk));
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    sim::RandomNetworkParams p;
    p.seed = seed;
    p.gates = 60;
    nets.emplace_back(fmt::format("random{}", seed), sim::random_network(p));
  }
  for (const auto& [name, ntk] : nets) {
    SCOPED_TRACE(name);
    const fs::path v = dir / (name + ".v");
    write_file(v, io::write_verilog(ntk));
    const Result r = run(fmt::format("yosys -p 'read_verilog {}; hierarchy -top tc0; stat; ltp -noff'", v.string()));
    ASSERT_EQ(r.rc, 0) << r.out;
    // Cells of the top module: the block after "=== tc0 ===" up to the next "===".
    const size_t at = r.out.find("=== tc0 ===");
    ASSERT_NE(at, std::string::npos) << r.out;
    const std::string top = r.out.substr(at, r.out.find("===", at + 11) - at);
    uint64_t gate_cells = 0, not_cells = 0;
    std::regex cell_re(R"(\n\s+(\S+)\s+(\d+))");
    for (std::sregex_iterator it(top.begin(), top.end(), cell_re), end; it != end; ++it) {
      const std::string type = (*it)[1];
      if (type.rfind("tc0_", 0) == 0) gate_cells += std::stoull((*it)[2]);
      if (type == "$not") not_cells += std::stoull((*it)[2]);
    }
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(Longest topological path in tc0 \(length=(\d+)\))"))) << r.out;
    const uint32_t ltp = uint32_t(std::stoul(m[1]));

    const CircuitStats st = compute_stats(ntk);
    EXPECT_EQ(gate_cells, st.gates);
    // Our depth, extended by one where an output bit inverts a node of the deepest level.
    std::vector<uint32_t> level(ntk.num_nodes(), 0);
    for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
      uint32_t l = 0;
      for (Signal s : ntk.gate(g).fanins) l = std::max(l, level[s.index()]);
      level[ntk.gate_node(g)] = l + 1;
    }
    uint32_t want = st.depth;
    uint64_t inverted = 0;
    for (const Bus& b : ntk.output_buses())
      for (Signal s : b.bits)
        if (s.complemented() && s.index() != 0) {
          want = std::max(want, level[s.index()] + 1);
          ++inverted;
        }
    EXPECT_EQ(not_cells, inverted);
    EXPECT_EQ(ltp, want) << "our depth " << st.depth;
  }
}

TEST(ExternalTools, IverilogSimulationAgreesWithBitSimulator) {
  if (!have_tool("iverilog") || !have_tool("vvp")) return;
  const fs::path dir = scratch_dir("iverilog");
  std::vector<std::pair<std::string, Network>> nets;
  for (Case& c : cases()) nets.emplace_back(c.name, std::move(c.ntk));
  for (uint64_t seed = 11; seed <= 16; ++seed) {
    sim::RandomNetworkParams p;
    p.seed = seed;
    p.gates = 120;
    p.max_output_width = seed == 16 ? 64 : 20;
    nets.emplace_back(fmt::format("random{}", seed), sim::random_network(p));
  }
  size_t compared = 0;
  for (const auto& [name, ntk] : nets) {
    SCOPED_TRACE(name);
    sim::BitSimulator simulator(ntk, {.threads = 2, .block_words = 2});
    const auto& ports = simulator.inputs();
    const size_t n = 300;
    std::mt19937_64 rng(42);
    sim::BusBatch in(ports.size(), std::vector<int64_t>(n));
    for (size_t p = 0; p < ports.size(); ++p)
      for (size_t s = 0; s < n; ++s) in[p][s] = sim::wrap_to_bus(int64_t(rng()), ports[p].bits.size(), ports[p].is_signed);
    const sim::BusBatch want = simulator.run(in);

    // Testbench: positional connection in the export's port order (input ports, then output buses).
    std::string tb = "module tb;\n";
    std::string conn;
    for (size_t p = 0; p < ports.size(); ++p) {
      tb += fmt::format("  reg [{}:0] i{};\n", ports[p].bits.size() - 1, p);
      conn += fmt::format("{}i{}", conn.empty() ? "" : ", ", p);
    }
    for (size_t o = 0; o < ntk.output_buses().size(); ++o) {
      tb += fmt::format("  wire [{}:0] o{};\n", ntk.output_buses()[o].bits.size() - 1, o);
      conn += fmt::format(", o{}", o);
    }
    tb += fmt::format("  tc0 dut({});\n  initial begin\n", conn);
    for (size_t s = 0; s < n; ++s) {
      for (size_t p = 0; p < ports.size(); ++p) {
        const size_t w = ports[p].bits.size();
        const uint64_t mask = w >= 64 ? ~uint64_t(0) : (uint64_t(1) << w) - 1;
        tb += fmt::format("    i{} = {}'h{:x};\n", p, w, uint64_t(in[p][s]) & mask);
      }
      tb += "    #1 $display(\"";
      for (size_t o = 0; o < ntk.output_buses().size(); ++o) tb += o ? " %h" : "%h";
      tb += "\"";
      for (size_t o = 0; o < ntk.output_buses().size(); ++o) tb += fmt::format(", o{}", o);
      tb += ");\n";
    }
    tb += "  end\nendmodule\n";
    write_file(dir / (name + ".v"), io::write_verilog(ntk));
    write_file(dir / (name + "_tb.v"), tb);
    const std::string exe = (dir / (name + ".vvp")).string();
    const Result c = run(fmt::format("iverilog -g2001 -o {} {} {}", exe, (dir / (name + ".v")).string(),
                                     (dir / (name + "_tb.v")).string()));
    ASSERT_EQ(c.rc, 0) << c.out;
    const Result r = run("vvp -n " + exe);
    ASSERT_EQ(r.rc, 0) << r.out;
    std::istringstream lines(r.out);
    std::string line;
    size_t s = 0;
    while (std::getline(lines, line) && s < n) {
      std::istringstream fields(line);
      for (size_t o = 0; o < want.size(); ++o) {
        std::string hex;
        fields >> hex;
        const Bus& b = ntk.output_buses()[o];
        const uint64_t mask = b.bits.size() >= 64 ? ~uint64_t(0) : (uint64_t(1) << b.bits.size()) - 1;
        ASSERT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << "x/z in iverilog output: " << line;
        EXPECT_EQ(std::stoull(hex, nullptr, 16), uint64_t(want[o][s]) & mask) << "sample " << s << " output " << b.name;
        ++compared;
      }
      ++s;
    }
    EXPECT_EQ(s, n) << r.out.substr(0, 2000);
  }
  EXPECT_GT(compared, 3000u);
}

}  // namespace
}  // namespace tc0::circuits
