#pragma once
// Structural Verilog-2001 export (read by iverilog, yosys and verilator; no SystemVerilog). One
// module per gate type: gates with the same fan-in count, weights, theta and complemented fan-ins
// share a module (tc0_and3, tc0_or2_n1 with fan-in 0 inverted, tc0_maj5, tc0_th7, ...) whose body is
// the exact comparison `sum >= theta` in unsigned arithmetic wide enough for the sum. The top
// module instantiates one module per gate, so `stat` counts gates and `ltp` sees the gate depth.
// Ports: every input bus is a vector `input [w-1:0] name`, a loose input a scalar, every output bus
// a vector; names are made legal identifiers (other characters become '_').
#include <ostream>
#include <string>

#include "circuits/network.hpp"

namespace tc0::circuits::io {

// Streams the text (memory: one small record per gate type, none per gate's text).
void write_verilog(std::ostream& out, const Network& ntk, const std::string& top = "tc0");
std::string write_verilog(const Network& ntk, const std::string& top = "tc0");

// A legal Verilog/C identifier made from `name` (used for port names).
std::string verilog_identifier(const std::string& name);

}  // namespace tc0::circuits::io
