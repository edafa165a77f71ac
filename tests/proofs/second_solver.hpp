#pragma once
// The second solver of the proof tests: tools/smt2_recheck.sh (cvc5, with the options chosen there)
// on one SMT-LIB2 file written by proofs/query.cpp, and the answer Z3 gave, which query.cpp records
// in the file as (set-info :status ...). The tests run from the source folder (ctest's working
// directory), where the script is.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace tc0::proofs::testing {

inline constexpr const char* kRecheckScript = "tools/smt2_recheck.sh";

struct SolverRun {
  std::string answer;  // cvc5's: sat, unsat, unknown (past the time limit), or its last line otherwise
  double seconds = 0;
  std::string line;    // the script's line for the file
};

// cvc5 on `file` through the script, with a time limit per query.
inline SolverRun run_cvc5(const std::filesystem::path& file, int timeout_s) {
  const std::string f = file.string();
  if (f.find('\'') != std::string::npos) throw std::invalid_argument("a query path with a quote: " + f);
  if (!std::filesystem::exists(kRecheckScript))
    throw std::runtime_error(std::string(kRecheckScript) + " not found: run the test from the source folder");
  const std::string cmd =
      std::string(kRecheckScript) + " --timeout " + std::to_string(timeout_s) + " '" + f + "' 2>&1";
  SolverRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed: " + cmd);
  std::array<char, 512> buf{};
  if (fgets(buf.data(), int(buf.size()), p)) r.line = buf.data();
  while (fgets(buf.data(), int(buf.size()), p)) {
  }
  pclose(p);
  while (!r.line.empty() && r.line.back() == '\n') r.line.pop_back();
  // "<file>: Z3 <status>, cvc5 <answer> (<seconds> s) ok|DIFFERS"
  const size_t a = r.line.rfind(", cvc5 "), b = r.line.rfind(" (");
  if (a == std::string::npos || b == std::string::npos || b < a) return {"", 0, r.line};
  r.answer = r.line.substr(a + 7, b - a - 7);
  r.seconds = std::stod(r.line.substr(b + 2));
  return r;
}

// The answer recorded in a query file: the word after (set-info :status, or "" when there is none.
inline std::string recorded_status(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  const std::string key = "(set-info :status ";
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return line.substr(key.size(), line.find(')') - key.size());
  return "";
}

}  // namespace tc0::proofs::testing
