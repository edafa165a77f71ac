#include "proofs/query.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "fileio/atomic_file.hpp"

namespace tc0::proofs {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::proved: return "proved";
    case Verdict::refuted: return "refuted";
    case Verdict::inconclusive: return "inconclusive";
  }
  return "?";
}

std::string to_smt2(z3::context& ctx, const std::vector<z3::expr>& assertions, const char* logic, const char* status) {
  z3::expr_vector v(ctx);
  for (const auto& a : assertions) v.push_back(a);
  // The benchmark printer takes the last formula separately.
  z3::expr last = v.empty() ? ctx.bool_val(true) : v.back();
  std::vector<Z3_ast> rest;
  for (unsigned i = 0; i + 1 < v.size(); ++i) rest.push_back(v[i]);
  std::string body = Z3_benchmark_to_smtlib_string(ctx, "tc0flow proof obligation", logic, status, "",
                                                   unsigned(rest.size()), rest.data(), last);
  return body;
}

std::string file_stem(const std::string& name) {
  std::string s;
  for (char c : name) s.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '_');
  return s;
}

void prepare_smt2_folder(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw fileio::FileError(fmt::format("cannot create the --smt2 folder '{}': {}", dir, ec.message()));
  if (!std::filesystem::is_directory(dir, ec))
    throw fileio::FileError(fmt::format("--smt2 '{}' is not a folder", dir));
  fileio::check_writable(dir + "/query.smt2", "SMT-LIB2 query");
}

SolverOutcome check(z3::context& ctx, const std::vector<z3::expr>& assertions, const QueryOptions& opt,
                    const std::string& name, const char* logic) {
  if (!opt.smt2_dir.empty()) prepare_smt2_folder(opt.smt2_dir);  // an unwritable folder fails before the solver runs
  z3::solver s(ctx, logic);  // QF_BV: Z3 simplifies, then bit-blasts
  z3::params p(ctx);
  p.set("timeout", opt.timeout_ms);
  // Z3 would catch Ctrl-C itself and answer "unknown" (an inconclusive obligation, and the run goes
  // on); the user asked the run to stop, so the signal goes to tc0flow's handler instead.
  p.set("ctrl_c", false);
  s.set(p);
  for (const auto& a : assertions) s.add(a);
  auto t0 = std::chrono::steady_clock::now();
  SolverOutcome out;
  try {
    out.status = s.check();
  } catch (const z3::exception& e) {
    out.status = z3::unknown;
    out.reason = e.msg();
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (out.status == z3::sat) out.model = s.get_model();
  if (out.status == z3::unknown && out.reason.empty()) out.reason = s.reason_unknown();
  if (!opt.smt2_dir.empty()) {
    // Written after the check so that the file records Z3's answer as its (set-info :status ...):
    // unsat for every query a proof rests on; a second solver must give the same answer.
    const char* status = out.status == z3::unsat ? "unsat" : out.status == z3::sat ? "sat" : "unknown";
    fileio::write_file(opt.smt2_dir + "/" + file_stem(name) + ".smt2", to_smt2(ctx, assertions, logic, status),
                       "SMT-LIB2 query");
  }
  return out;
}

}  // namespace tc0::proofs
