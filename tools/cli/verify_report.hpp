#pragma once
// What `tc0flow verify` and `tc0flow demo` say about a translation validation
// (proofs/translation.hpp), written once for both: the structure line, the per-kind table, the
// operations not proved, the exit status and the commands that run the full proof.
#include <nlohmann/json.hpp>
#include <string>

#include "proofs/translation.hpp"

namespace tc0::cli {

// 0 proved (or the structure is fine and only the structure was asked for), 2 the circuit is not
// the sampler (a structural mismatch or a refuted operation), 3 not everything proved (inconclusive
// or not attempted operations).
int verify_status(const proofs::VerifyReport& r, bool structure_only);

// "structure: ok (N operations, G gates, every gate in one operation, S s); C classes of identical
// operations (S s)", or "structure: FAIL: <the first violation>".
std::string structure_line(const proofs::VerifyReport& r);

// The per-kind table of VerifyReport::to_json's "kinds" (ops, classes, proved, refuted,
// inconclusive, not attempted, seconds, methods), a header and one line per kind.
void print_kind_table(const nlohmann::json& kinds, const std::string& indent = "");

// One line for each of the first `limit` attempted classes that were not proved.
void print_unproved(const proofs::VerifyReport& r, const proofs::SamplerGraph& g, int limit,
                    const std::string& indent = "");

// `tc0flow compile --model M [--sampler S] [--steps N] [--depth-budget B] -o FILE` (empty sampler,
// steps 0 and depth budget 0 are left out: compile's defaults).
std::string compile_command(const std::string& model, const std::string& sampler, int steps, int depth_budget,
                            const std::string& file);

}  // namespace tc0::cli
