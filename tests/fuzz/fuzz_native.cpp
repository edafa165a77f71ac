// libFuzzer harness of the native circuit parser (circuits/io/native.cpp). Every input must either
// parse or be refused with CircuitError: no crash, no hang, no sanitizer report, no other exception.
// The checksum would stop almost every mutation at the header, so inputs whose first byte is even
// are taken as a body and wrapped in a valid header (size and checksum fixed up); odd ones are
// parsed raw, header included.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "circuits/io/native.hpp"
#include "tc0/version.hpp"

using namespace tc0::circuits;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes;
  if (data[0] & 1) {
    bytes.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    bytes = std::string("tc0circ\n", 8);
    auto put = [&bytes](uint64_t v, int n) {
      for (int i = 0; i < n; ++i) bytes.push_back(char((v >> (8 * i)) & 0xff));
    };
    put(io::kNativeFormatVersion, 4);
    put(uint32_t(tc0::kSemanticsVersion), 4);
    put(body.size(), 8);
    put(io::fnv1a64(body), 8);
    bytes += body;
  }
  try {
    const Network ntk = io::from_native(bytes, "<fuzz>");
    // What parses must serialise back to the same bytes (the format is canonical).
    if (io::to_native(ntk) != bytes) __builtin_trap();
  } catch (const CircuitError&) {
  }
  return 0;
}
