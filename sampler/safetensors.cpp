#include "sampler/safetensors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "fileio/atomic_file.hpp"
#include "fileio/input_file.hpp"

namespace tc0::sampler {

namespace {

constexpr uint64_t kMaxHeader = 100u << 20;  // 100 MiB: far above any real header
constexpr int kMaxRank = 8;

uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& what, uint64_t max_bytes) {
  try {
    return fileio::read_regular_file_bytes(path, what, max_bytes);
  } catch (const fileio::FileError& e) {
    throw ModelError(e.what());
  }
}

std::map<std::string, TensorData> parse_safetensors(std::span<const uint8_t> bytes, const std::string& where) {
  auto fail = [&](const std::string& what) {
    throw ModelError(fmt::format("{}: {}; re-export the weights (tools/train/export.py writes valid files)", where, what));
  };
  if (bytes.size() < 8) fail(fmt::format("file of {} bytes is too short for a safetensors header", bytes.size()));
  uint64_t n = load_le64(bytes.data());
  if (n > kMaxHeader || n > bytes.size() - 8)
    fail(fmt::format("header length {} exceeds the file ({} bytes) or the 100 MiB limit: truncated or not safetensors",
                     n, bytes.size()));
  const char* hp = reinterpret_cast<const char*>(bytes.data() + 8);
  nlohmann::json h;
  try {
    h = nlohmann::json::parse(hp, hp + n);
  } catch (const nlohmann::json::exception& e) {
    fail(fmt::format("header is not valid JSON ({})", e.what()));
  }
  if (!h.is_object()) fail("header is not a JSON object");
  const uint64_t data_size = bytes.size() - 8 - n;
  const uint8_t* data = bytes.data() + 8 + n;
  std::map<std::string, TensorData> out;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto it = h.begin(); it != h.end(); ++it) {
    const std::string& name = it.key();
    const auto& e = it.value();
    if (name == "__metadata__") {
      if (!e.is_object()) fail("__metadata__ is not an object");
      for (auto m = e.begin(); m != e.end(); ++m)
        if (!m.value().is_string()) fail(fmt::format("__metadata__ entry '{}' is not a string", m.key()));
      continue;
    }
    if (!e.is_object()) fail(fmt::format("entry '{}' is not an object", name));
    if (!e.contains("dtype") || !e["dtype"].is_string()) fail(fmt::format("tensor '{}' has no string dtype", name));
    if (!e.contains("shape") || !e["shape"].is_array()) fail(fmt::format("tensor '{}' has no shape array", name));
    if (!e.contains("data_offsets") || !e["data_offsets"].is_array() || e["data_offsets"].size() != 2)
      fail(fmt::format("tensor '{}' has no [begin, end] data_offsets", name));
    TensorData t;
    t.dtype = e["dtype"].get<std::string>();
    size_t esize = t.dtype == "F32" ? 4 : t.dtype == "F64" ? 8 : 0;
    if (esize == 0) fail(fmt::format("tensor '{}' has dtype {}; only F32 and F64 are supported", name, t.dtype));
    if (e["shape"].size() > kMaxRank) fail(fmt::format("tensor '{}' has rank {} > {}", name, e["shape"].size(), kMaxRank));
    uint64_t numel = 1;
    for (const auto& d : e["shape"]) {
      if (!d.is_number_unsigned()) fail(fmt::format("tensor '{}' has a shape entry that is not a non-negative integer", name));
      uint64_t v = d.get<uint64_t>();
      if (v > data_size || (v != 0 && numel > data_size / v))
        fail(fmt::format("tensor '{}' has a shape larger than the file's data", name));
      numel *= v;
      t.shape.push_back(static_cast<int64_t>(v));
    }
    const auto& off = e["data_offsets"];
    if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      fail(fmt::format("tensor '{}' has data_offsets that are not non-negative integers", name));
    uint64_t b = off[0].get<uint64_t>(), en = off[1].get<uint64_t>();
    if (b > en || en > data_size)
      fail(fmt::format("tensor '{}' has data_offsets [{}, {}] outside the {} data bytes (truncated file?)", name, b, en,
                       data_size));
    if (en - b != numel * esize)
      fail(fmt::format("tensor '{}' has {} data bytes but its shape and dtype need {}", name, en - b, numel * esize));
    ranges.emplace_back(b, en);
    t.values.resize(numel);
    for (uint64_t i = 0; i < numel; ++i) {
      const uint8_t* p = data + b + i * esize;
      double v;
      if (esize == 4) {
        uint32_t u = 0;
        for (int k = 3; k >= 0; --k) u = (u << 8) | p[k];
        v = std::bit_cast<float>(u);
      } else {
        v = std::bit_cast<double>(load_le64(p));
      }
      if (!std::isfinite(v)) fail(fmt::format("tensor '{}' holds a non-finite value at index {}", name, i));
      t.values[i] = v;
    }
    out.emplace(name, std::move(t));
  }
  // Non-empty ranges must be disjoint: sorted by start, each must begin after every earlier end.
  std::sort(ranges.begin(), ranges.end());
  uint64_t reach = 0;
  for (const auto& [b, en] : ranges) {
    if (b == en) continue;
    if (b < reach) fail(fmt::format("two tensors overlap in the data (a tensor at bytes {}..{} starts before byte {})", b, en, reach));
    reach = std::max(reach, en);
  }
  return out;
}

std::map<std::string, TensorData> read_safetensors(const std::string& path) {
  auto bytes = read_file_bytes(path, "safetensors weights", kMaxWeightsFileBytes);
  return parse_safetensors(bytes, path);
}

void write_safetensors(const std::string& path, const std::map<std::string, TensorData>& tensors) {
  nlohmann::json h = nlohmann::json::object();
  uint64_t off = 0;
  for (const auto& [name, t] : tensors) {
    h[name] = {{"dtype", "F64"}, {"shape", t.shape}, {"data_offsets", {off, off + 8 * t.values.size()}}};
    off += 8 * t.values.size();
  }
  std::string hs = h.dump();
  while (hs.size() % 8) hs += ' ';
  std::string bytes;
  bytes.reserve(8 + hs.size() + off);
  auto put64 = [&](uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put64(hs.size());
  bytes += hs;
  for (const auto& [name, t] : tensors)
    for (double v : t.values) put64(std::bit_cast<uint64_t>(v));
  try {
    fileio::write_file(path, bytes, "safetensors weights");
  } catch (const fileio::FileError& e) {
    throw ModelError(e.what());
  }
}

}  // namespace tc0::sampler
