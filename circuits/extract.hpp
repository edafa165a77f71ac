#pragma once
// One module of a large circuit as a stand-alone circuit, e.g. one tensor of a compiled sampler
// ("step0/blocks.0.attn.q"), so that tools that cannot take the whole sampler (berkeley-abc,
// Verilator, a gate-level picture) can still run on a real piece of it. The module's gates (path
// prefix match) are copied in order; every signal they read from outside becomes a primary input
// ("cut[k]"), and every module gate read from outside the module or by an output bus becomes an
// output bit (buses "out<j>" of at most 64 bits).
#include <string>

#include "circuits/network.hpp"

namespace tc0::circuits {

// Throws CircuitError when no gate lies in the module.
Network extract_module(const Network& ntk, const std::string& module_path);

}  // namespace tc0::circuits
