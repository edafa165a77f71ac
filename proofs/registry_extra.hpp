#pragma once
// Obligations defined outside registry.cpp (interval analyses, the compositional multiplier), kept
// apart so that each stays in its own file.
#include <vector>

#include "proofs/registry.hpp"

namespace tc0::proofs {

void append_extra_obligations(std::vector<Obligation>& obs);

}  // namespace tc0::proofs
