#pragma once
// The second solver of the proof tests: cvc5 on one SMT-LIB2 file written by proofs/query.cpp, and
// the answer Z3 gave, which query.cpp records in the file as (set-info :status ...).
//
// cvc5 1.0.3 (Debian 12) runs with eager bit-blasting into CaDiCaL. Its default (lazy: the Boolean
// structure in the core SAT solver, the bit-vector atoms in a separate one) took 516 s, three
// queries past 60 s, on the 74 per-operation queries of test_proofs_verify_cvc5, which Z3 answers in
// 6 s; eager bit-blasting answers them in 34 s (proofs/README.md, "Second solver").
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tc0::proofs::testing {

inline constexpr const char* kCvc5Options = "--lang smt2 --bitblast=eager --bv-sat-solver=cadical";

struct SolverRun {
  std::string answer;  // sat, unsat, unknown (cvc5's own time limit), or the output when neither
  double seconds = 0;
};

// cvc5 on `file` with a time limit per query (cvc5 answers "unknown" past it; `timeout` guards
// against a solver that does not stop).
inline SolverRun run_cvc5(const std::filesystem::path& file, int timeout_s) {
  const std::string f = file.string();
  if (f.find('\'') != std::string::npos) throw std::invalid_argument("a query path with a quote: " + f);
  const std::string cmd = "timeout -k 5 " + std::to_string(timeout_s + 10) + " cvc5 " + kCvc5Options +
                          " --tlimit-per=" + std::to_string(timeout_s * 1000) + " '" + f + "' 2>&1";
  const auto t0 = std::chrono::steady_clock::now();
  SolverRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {"popen failed", 0};
  std::array<char, 256> buf{};
  while (fgets(buf.data(), int(buf.size()), p)) r.answer += buf.data();
  const int status = pclose(p);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  while (!r.answer.empty() && (r.answer.back() == '\n' || r.answer.back() == '\r')) r.answer.pop_back();
  if (status != 0 && r.answer.empty()) r.answer = "cvc5 exited with status " + std::to_string(WEXITSTATUS(status));
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
