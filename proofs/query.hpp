#pragma once
// One solver query with a timeout, and its verdict. A query asserts the NEGATION of a claim:
// unsat = proved, sat = refuted (the model is a candidate counterexample, which callers must
// reproduce outside the solver before reporting it), unknown or timeout = inconclusive, never
// "proved". Every query can be written as SMT-LIB2 (QF_BV) so that a second solver re-checks it.
#include <z3++.h>

#include <optional>
#include <string>
#include <vector>

namespace tc0::proofs {

enum class Verdict { proved, refuted, inconclusive };
const char* to_string(Verdict v);

struct QueryOptions {
  unsigned timeout_ms = 60000;
  // When set, every query is also written to smt2_dir/<name>.smt2, with Z3's answer as its status.
  std::string smt2_dir;
};

struct SolverOutcome {
  z3::check_result status = z3::unknown;
  double seconds = 0;
  std::string reason;  // Z3's reason for unknown
  std::optional<z3::model> model;
};

// Checks the conjunction of `assertions` (the negated claim and its domain) with a timeout. Every
// query is QF_BV except the linear accumulator bounds of the no-wrap analysis, which are QF_LIA
// (exact integers: bit-blasted sums of more than ~16 bounded terms take seconds, simplex takes ms).
SolverOutcome check(z3::context& ctx, const std::vector<z3::expr>& assertions, const QueryOptions& opt,
                    const std::string& name, const char* logic = "QF_BV");

// Creates the folder of --smt2 if needed and checks that it can be written; throws fileio::FileError.
// A query that cannot be written is an error of the run, never an inconclusive verdict.
void prepare_smt2_folder(const std::string& dir);

// The query as an SMT-LIB2 script (set-info :status, set-logic, declarations, asserts, check-sat);
// `status` is the expected answer (sat, unsat or unknown).
std::string to_smt2(z3::context& ctx, const std::vector<z3::expr>& assertions, const char* logic = "QF_BV",
                    const char* status = "unknown");
// File-system safe form of an obligation name.
std::string file_stem(const std::string& name);

}  // namespace tc0::proofs
