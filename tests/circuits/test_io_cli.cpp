// The tc0flow subcommands end to end: gadget -> stats / export / draw / simulate, checked against
// exhaustive integer arithmetic (a*b, a+b) computed here, and the one-line errors of bad input.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#ifndef TC0FLOW_BIN
#error "TC0FLOW_BIN must name the tc0flow executable"
#endif

namespace {

namespace fs = std::filesystem;

struct Result {
  int rc;
  std::string out;
};

Result run(const std::string& args, bool merge_stderr = true) {
  std::array<char, 4096> buf;
  std::string out;
  FILE* p = popen((std::string(TC0FLOW_BIN) + " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

fs::path dir() {
  static const fs::path d = [] {
    fs::path p = fs::path(::testing::TempDir()) / "tc0_cli";
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
  }();
  return d;
}

std::string path(const std::string& name) { return (dir() / name).string(); }

TEST(Cli, MultiplyExhaustivelyThroughSimulate) {
  ASSERT_EQ(run(fmt::format("gadget multiply --bits 4 -o {}", path("mul4.tc0c"))).rc, 0);
  std::ofstream in(path("mul4.in"));
  in << "b a   # any column order\n";
  for (int a = -8; a < 8; ++a)
    for (int b = -8; b < 8; ++b) in << b << " " << a << "\n";
  in.close();
  const Result r = run(fmt::format("simulate {} --inputs {} --threads 2 --json {}", path("mul4.tc0c"), path("mul4.in"),
                                   path("mul4.json")),
                       false);
  ASSERT_EQ(r.rc, 0) << r.out;
  std::istringstream lines(r.out);
  std::string header;
  std::getline(lines, header);
  EXPECT_EQ(header, "y");
  int count = 0;
  for (int a = -8; a < 8; ++a)
    for (int b = -8; b < 8; ++b) {
      long long y;
      ASSERT_TRUE(lines >> y);
      EXPECT_EQ(y, a * b) << a << " * " << b;
      ++count;
    }
  EXPECT_EQ(count, 256);
  const auto j = nlohmann::json::parse(std::ifstream(path("mul4.json")));
  EXPECT_EQ(j["samples"], 256);
  EXPECT_EQ(j["outputs_first_1000"][5]["y"], -8 * -3);
}

TEST(Cli, RandomSimulationIsSeededAndThreadIndependent) {
  ASSERT_EQ(run(fmt::format("gadget add --bits 6 -o {}", path("add6.tc0c"))).rc, 0);
  const Result a = run(fmt::format("simulate {} --random 1000 --seed 7 --threads 1", path("add6.tc0c")), false);
  const Result b = run(fmt::format("simulate {} --random 1000 --seed 7 --threads 2 --block-words 3", path("add6.tc0c")), false);
  const Result c = run(fmt::format("simulate {} --random 1000 --seed 8", path("add6.tc0c")), false);
  ASSERT_EQ(a.rc, 0);
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  // Every result is a sum of two 6-bit signed numbers.
  std::istringstream lines(a.out);
  std::string header;
  std::getline(lines, header);
  long long y;
  int n = 0;
  while (lines >> y) {
    EXPECT_GE(y, -64);
    EXPECT_LE(y, 62);
    ++n;
  }
  EXPECT_EQ(n, 1000);
}

TEST(Cli, StatsExportDraw) {
  ASSERT_EQ(run(fmt::format("gadget max --bits 4 --terms 3 -o {}", path("max.tc0c"))).rc, 0);
  const Result s = run(fmt::format("stats {} --path --modules --json {}", path("max.tc0c"), path("max.json")));
  ASSERT_EQ(s.rc, 0) << s.out;
  EXPECT_NE(s.out.find("i/o = 12/"), std::string::npos) << s.out;
  const auto j = nlohmann::json::parse(std::ifstream(path("max.json")));
  EXPECT_EQ(j["stats"]["depth"], 3);
  EXPECT_EQ(j["semantics_version"].is_number(), true);
  for (const char* f : {"blif", "aiger", "aag", "verilog", "dot"}) {
    const Result e = run(fmt::format("export {} --format {} -o {}", path("max.tc0c"), f, path(std::string("max.") + f)));
    EXPECT_EQ(e.rc, 0) << e.out;
    EXPECT_GT(fs::file_size(path(std::string("max.") + f)), 100u) << f;
  }
  std::ifstream aag(path("max.aag"));
  std::string magic;
  aag >> magic;
  EXPECT_EQ(magic, "aag");
  for (const char* ext : {"svg", "png"}) {
    const Result d = run(fmt::format("draw {} -o {}", path("max.tc0c"), path(std::string("max.") + ext)));
    EXPECT_EQ(d.rc, 0) << d.out;
  }
  std::ifstream svg(path("max.svg"));
  std::stringstream ss;
  ss << svg.rdbuf();
  EXPECT_NE(ss.str().find("<svg"), std::string::npos);
  std::ifstream png(path("max.png"), std::ios::binary);
  char sig[4] = {};
  png.read(sig, 4);
  EXPECT_EQ(std::string(sig + 1, 3), "PNG");
  const Result limited = run(fmt::format("draw {} -o {} --max-gates 3", path("max.tc0c"), path("big.svg")));
  EXPECT_EQ(limited.rc, 1);
  EXPECT_NE(limited.out.find("--cone"), std::string::npos) << limited.out;
}

TEST(Cli, BadInputIsOneLineAndExitOne) {
  std::ofstream(path("junk.tc0c")) << "this is not a circuit";
  ASSERT_EQ(run(fmt::format("gadget add --bits 3 -o {}", path("add3.tc0c"))).rc, 0);
  std::ofstream(path("bad.in")) << "a b\n1 2\n100 0\n";
  std::ofstream(path("badname.in")) << "a q\n1 2\n";
  const std::string cases[] = {
      fmt::format("stats {}", path("junk.tc0c")),
      fmt::format("stats {}", path("missing.tc0c")),
      fmt::format("gadget nosuch -o {}", path("x.tc0c")),
      fmt::format("simulate {} --inputs {}", path("add3.tc0c"), path("bad.in")),
      fmt::format("simulate {} --inputs {}", path("add3.tc0c"), path("badname.in")),
      fmt::format("simulate {}", path("add3.tc0c")),
      fmt::format("draw {} -o {} --cone nosuch", path("add3.tc0c"), path("x.svg")),
  };
  for (const std::string& c : cases) {
    const Result r = run(c);
    EXPECT_EQ(r.rc, 1) << c << "\n" << r.out;
    EXPECT_EQ(r.out.rfind("tc0flow ", 0), 0u) << c << "\n" << r.out;
    EXPECT_NE(r.out.find("error:"), std::string::npos) << r.out;
  }
  // The offending line of an input file is named.
  EXPECT_NE(run(fmt::format("simulate {} --inputs {}", path("add3.tc0c"), path("bad.in"))).out.find("bad.in:3"),
            std::string::npos);
}

}  // namespace
