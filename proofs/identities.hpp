#pragma once
// The bounded-precision identities of SPEC section 5 over parameterised formats, as bit-vector
// queries over every raw value of the formats (fixed_spec.hpp), each answered with the smallest
// bound k that holds and, when k > 0, a witness of k (a refutation of k - 1) recomputed with numerics/.
//
// Notation: z the sampler state, u the average velocity, v the velocity, abar the average
// acceleration, each a free raw value of its format; step sizes are exact dyadic constants
// h1 = s - r... folded into the exact sums (SPEC 2), h = h1 + h2 the whole step.
#include <string>
#include <vector>

#include "numerics/format.hpp"
#include "numerics/rounding.hpp"
#include "proofs/result.hpp"

namespace tc0::proofs {

struct Dyadic {
  int64_t num;
  int frac;  // value num * 2^-frac
  numerics::Rational rational() const;
  std::string str() const;
};

struct IdentityFormats {
  std::string name;  // e.g. "q8"
  int bits;          // the state width, for --bits selection
  numerics::Format z, u, v, a;
  Dyadic h1, h2;     // two consecutive step sizes; one step is h = h1 + h2
  std::string str() const;
};

const std::vector<IdentityFormats>& identity_format_sets();

// round(z - h1 u) to z's format is within 1/2 LSB of the exact value (k counts half LSBs: k = 1),
// refuted at k = 0, and an exact tie rounds to an even raw value. Inputs whose rounding saturates
// are excluded (saturation is not rounding).
ObligationResult prove_round_once(const IdentityFormats& f, const QueryOptions& opt);
// d = round(h1 A1 + h2 A2) vs round(h1 A1) + round(h2 A2), A1, A2 of u's format, to z's format.
// saturate = false restricts to inputs where no rounding saturates.
ObligationResult prove_additivity(const IdentityFormats& f, bool saturate, const QueryOptions& opt);
// With r = t (h = 0, a free step-size variable constrained to 0) MF1 and MF2 return z exactly.
ObligationResult prove_boundary(const IdentityFormats& f, const QueryOptions& opt);
// MF1 round(z - h u) vs MF2 round(z - h v + h^2/2 abar): with u = v - h/2 abar exactly (u free,
// constrained) or with u = round(v - h/2 abar) to u's format (rounded_u = true). saturate = false
// restricts to inputs where neither update nor u saturates.
ObligationResult prove_mf1_mf2(const IdentityFormats& f, bool rounded_u, const QueryOptions& opt, bool saturate = true);
// Two MF1 steps (h1 then h2, state rounded in between) vs one step with (h1+h2) u = h1 u1 + h2 u2.
ObligationResult prove_two_step(const IdentityFormats& f, bool saturate, const QueryOptions& opt);

}  // namespace tc0::proofs
