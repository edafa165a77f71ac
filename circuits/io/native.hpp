#pragma once
// The native circuit file (.tc0c): an exact, versioned, checksummed binary image of a Network.
//
//   offset  size  field
//   0       8     magic "tc0circ\n"
//   8       4     file format version (kNativeFormatVersion), little-endian
//   12      4     semantics version of SPEC section 2 (tc0::kSemanticsVersion)
//   16      8     body size in bytes
//   24      8     FNV-1a 64 of the body
//   32      ...   body: LEB128 varints (zigzag for signed values), see native.cpp
//
// The body lists the module table, the operation map (format 3: per operation its gate range and
// output bits, see Network::begin_op), then the nodes in node order (loose input, input bus, gate),
// then the output buses, so reading rebuilds the same node numbering, the same buses and modules
// and the same 128-bit weights. A file with another magic, format or semantics version, a wrong
// checksum, a truncated body or a gate that is not in canonical form is refused with a
// CircuitError saying what is wrong and where.
#include <cstdint>
#include <string>
#include <string_view>

#include "circuits/network.hpp"

namespace tc0::circuits::io {

// Version 2 stores a fan-in list shared by several gates once (kSharedGate records); version 3 adds
// the operation map and the order-independent polarity rule of canonical.hpp.
inline constexpr uint32_t kNativeFormatVersion = 3;

std::string to_native(const Network& ntk);
// `source` names the data in error messages (a file path, or "<memory>").
Network from_native(std::string_view bytes, const std::string& source = "<memory>");

// Through the atomic writer (fileio/): the old file survives any failure or interruption.
void save_native(const Network& ntk, const std::string& path);
// Only a regular file of at most kMaxNativeFileBytes is read (fileio/input_file.hpp).
Network load_native(const std::string& path);
inline constexpr uint64_t kMaxNativeFileBytes = uint64_t(64) << 30;

uint64_t fnv1a64(std::string_view bytes);

}  // namespace tc0::circuits::io
