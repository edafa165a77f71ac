#pragma once
// Sizes of an export before it is made, so that `tc0flow export` can refuse a file or a lowering
// that would not fit before spending minutes and gigabytes on it. One pass over the gates (and
// their weights' bits), no text and no AIG is built:
// - AIGER/BLIF: the AND count of the adder-comparator lowering (aig.hpp) computed from the column
//   heights alone: adders once per shared fan-in list (gates that share one, like the thermometer
//   gates of a linear form, share their adder tree through structural hashing), a comparator per
//   gate. Structural hashing and constant folding only remove ANDs, so this is an upper bound.
// - Verilog: the exact number of gate types (hashed) and per-gate line lengths from node numbers.
// Bytes of text are estimates (Verilog within 25%, BLIF within 2x, tested against real exports); memory is what
// the writer holds while it writes (the AIG and its hash table for AIGER; per-type records for
// Verilog; one gate's lowering at a time for BLIF).
#include <cstdint>
#include <string>

#include "circuits/io/blif.hpp"
#include "circuits/network.hpp"

namespace tc0::circuits::io {

struct ExportSize {
  uint64_t bytes = 0;         // estimated size of the file
  uint64_t memory_bytes = 0;  // estimated memory of the writer, beyond the network itself
  uint64_t and_nodes = 0;     // AIGER and wide BLIF gates: upper bound on the AND count
  std::string basis;          // what the estimate counted, for messages
};

// format: "blif", "aiger", "aag" or "verilog".
ExportSize estimate_export_size(const Network& ntk, const std::string& format, const BlifOptions& blif = {});

// Upper bound on the ANDs that lower_threshold adds for one gate: the adders of its sum (counted
// when with_adders) and the comparator.
uint64_t aig_and_bound(const GateView& gate, bool with_adders);

}  // namespace tc0::circuits::io
