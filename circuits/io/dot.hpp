#pragma once
// Graphviz export: one logic level per rank (inputs on rank 0), gates labelled with their kind,
// theta and node number, edges labelled with weights (complemented fan-ins dashed, with an "o"
// arrow tail), one cluster per module. Big circuits are cut down first: `cone` keeps only the
// transitive fan-in of one output bus ("y") or bit ("y[3]"), `max_depth` keeps only gates within
// that many levels of the drawn outputs (cut fan-ins end in a small "..." node), `module` keeps only
// the gates of one module subtree (e.g. "step0/blocks.0.attn.q"), and a drawing of
// more than `max_gates` gates is refused with a message saying how to cut it down.
#include <cstdint>
#include <string>

#include "circuits/network.hpp"

namespace tc0::circuits::io {

struct DotOptions {
  std::string cone;        // empty: every output
  std::string module;      // non-empty: only gates of this module or its sub-modules (path prefix)
  int max_depth = -1;      // < 0: no limit
  uint64_t max_gates = 500;
  bool clusters = true;    // one subgraph per module
  uint64_t max_bytes = UINT64_MAX;  // refuse a DOT text estimated larger than this (before building it)
};

std::string write_dot(const Network& ntk, const DotOptions& options = {});

// Lays out DOT text with Graphviz's dot engine (libgvc) and writes `path` in `format` ("svg",
// "png", ...; empty: taken from the file extension).
void render_dot(const std::string& dot, const std::string& path, std::string format = "");

}  // namespace tc0::circuits::io
