#pragma once
// BLIF export (readable by berkeley-abc and yosys). A gate with at most `max_table_fanin` fan-ins is
// one `.names` table listing its on-set (every input pattern enumerated, the exact sum compared with
// theta); a wider gate is lowered exactly to 2-input ANDs with inverters (aig.hpp) written as
// `.names` of two inputs. Nets: primary inputs keep their names (bus bits "a[3]"), gate outputs are
// "n<node>", output bits "bus[k]".
#include <ostream>
#include <string>

#include "circuits/network.hpp"

namespace tc0::circuits::io {

struct BlifOptions {
  std::string model = "tc0";
  unsigned max_table_fanin = 10;  // 2^10 rows at most per table
};

// The stream version writes in pieces of about 1 MiB.
void write_blif(std::ostream& out, const Network& ntk, const BlifOptions& options = {});
std::string write_blif(const Network& ntk, const BlifOptions& options = {});

}  // namespace tc0::circuits::io
