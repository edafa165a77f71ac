// The model loader refuses every malformed input with one clear ModelError (what, where, how to
// fix), never a crash or a silently wrong model: exhaustive truncations and byte corruptions of a
// real file, and one test per validation rule of the safetensors header and the config.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "random_model.hpp"
#include "sampler/model.hpp"
#include "sampler/safetensors.hpp"

using namespace tc0::sampler;
using namespace tc0::sampler::testing;
using nlohmann::json;

namespace {

std::vector<uint8_t> file_bytes(const std::string& header, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> b(8);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(n >> (8 * i));
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

std::vector<uint8_t> f64_bytes(std::initializer_list<double> v) {
  std::vector<uint8_t> b;
  for (double x : v) {
    uint64_t u = std::bit_cast<uint64_t>(x);
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(u >> (8 * i)));
  }
  return b;
}

// Runs f and returns the ModelError message; fails the test when f succeeds or throws anything else.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const ModelError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no error";
  return "";
}

struct Fixture {
  json cfg = random_config_json("dit");
  std::map<std::string, TensorData> tensors;
  std::string dir;
  Fixture() {
    tensors = random_tensors(parse_config(cfg.dump(), "x"), 11);
    dir = (std::filesystem::temp_directory_path() / ("tc0_loader_" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(dir);
    write_safetensors(dir + "/weights.safetensors", tensors);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
  std::vector<uint8_t> st() const { return read_file_bytes(dir + "/weights.safetensors", "w", kMaxWeightsFileBytes); }
};

}  // namespace

TEST(Loader, RoundTripKeepsEveryWeightAndItsQuantisation) {
  Fixture fx;
  Model m = Model::from_memory(fx.cfg.dump(), fx.st(), "mem");
  for (const auto& [n, t] : fx.tensors) {
    const WeightTensor& w = m.weight(n);
    ASSERT_EQ(w.shape, t.shape) << n;
    for (size_t i = 0; i < t.values.size(); ++i) {
      ASSERT_EQ(w.data[i].value, t.values[i]) << n;
      // Q(8,7): raw = round-half-even(v * 128), saturated; recomputed independently here
      double r = std::nearbyint(t.values[i] * 128);
      ASSERT_EQ(w.data[i].fixed.raw, static_cast<int64_t>(std::clamp(r, -128.0, 127.0))) << n << "[" << i << "]";
    }
  }
}

TEST(Loader, EveryTruncationIsRefusedClearly) {
  Fixture fx;
  auto b = fx.st();
  // every cut inside the length field and the header, then every 7th cut through the tensor data
  uint64_t header_end = 8;
  for (int i = 0; i < 8; ++i) header_end += static_cast<uint64_t>(b[i]) << (8 * i);
  for (size_t len = 0; len < b.size(); len += len < header_end + 16 ? 1 : 7) {
    std::span<const uint8_t> part(b.data(), len);
    std::string msg = error_of([&] { parse_safetensors(part, "mem/weights.safetensors"); });
    ASSERT_FALSE(msg.empty()) << "prefix of " << len << " bytes";
    ASSERT_NE(msg.find("weights.safetensors"), std::string::npos) << msg;
  }
}

TEST(Loader, CorruptedBytesNeverCrash) {
  Fixture fx;
  auto b = fx.st();
  Xoshiro256ss g(3);
  int refused = 0, accepted = 0;
  for (int rep = 0; rep < 3000; ++rep) {
    auto c = b;
    size_t n = 1 + g.next() % 3;
    for (size_t k = 0; k < n; ++k) {
      // mostly in the header, where structure lives
      size_t pos = (g.next() % 4 == 0) ? g.next() % c.size() : g.next() % std::min<size_t>(c.size(), 1200);
      c[pos] = static_cast<uint8_t>(g.next());
    }
    try {
      Model::from_memory(fx.cfg.dump(), c, "mem");
      ++accepted;  // e.g. a changed weight value: a valid file
    } catch (const ModelError&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 100);
  EXPECT_GT(accepted, 0);
}

TEST(Loader, SafetensorsRules) {
  Fixture fx;
  auto st = [&](const std::string& header, const std::vector<uint8_t>& data) {
    return error_of([&] { parse_safetensors(file_bytes(header, data), "t.safetensors"); });
  };
  EXPECT_NE(st(R"({"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}})", {0, 0}).find("F16"), std::string::npos);
  EXPECT_NE(st(R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}})", f64_bytes({1})).find("need 16"),
            std::string::npos);
  EXPECT_NE(st(R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}})", f64_bytes({1})).find("outside"),
            std::string::npos);
  EXPECT_NE(st(R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})",
               f64_bytes({1}))
                .find("overlap"),
            std::string::npos);
  EXPECT_NE(st(R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", f64_bytes({NAN})).find("non-finite"),
            std::string::npos);
  EXPECT_NE(st(R"({"a":{"dtype":"F64","shape":[-1],"data_offsets":[0,8]}})", f64_bytes({1})).find("shape"),
            std::string::npos);
  EXPECT_NE(st(R"({"a":{"dtype":"F64","shape":[1]}})", f64_bytes({1})).find("data_offsets"), std::string::npos);
  EXPECT_NE(st(R"({"a":)", {}).find("JSON"), std::string::npos);
  EXPECT_NE(st(R"([1,2])", {}).find("object"), std::string::npos);
  EXPECT_NE(st(R"({"__metadata__":{"k":1}})", {}).find("__metadata__"), std::string::npos);
  auto huge = file_bytes("{}", {});
  huge[7] = 0x7f;
  EXPECT_NE(error_of([&] { parse_safetensors(huge, "t"); }).find("header length"), std::string::npos);
  // a valid file with metadata and an empty tensor parses
  auto ok = parse_safetensors(file_bytes(R"({"__metadata__":{"format":"pt"},"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})",
                                         f64_bytes({2.5})),
                              "t");
  EXPECT_EQ(ok.at("a").values, std::vector<double>{2.5});
  EXPECT_TRUE(ok.at("e").values.empty());
}

TEST(Loader, TensorsMustMatchTheArchitecture) {
  Fixture fx;
  ModelConfig cfg = parse_config(fx.cfg.dump(), "c");
  auto t = fx.tensors;
  t.erase("pos_embed");
  EXPECT_NE(error_of([&] { Model::from_tensors(cfg, t, "w"); }).find("missing tensor 'pos_embed'"), std::string::npos);
  t = fx.tensors;
  t["extra"] = t["pos_embed"];
  EXPECT_NE(error_of([&] { Model::from_tensors(cfg, t, "w"); }).find("unexpected tensor 'extra'"), std::string::npos);
  t = fx.tensors;
  t["final.u.weight"].shape = {2, 16};
  EXPECT_NE(error_of([&] { Model::from_tensors(cfg, t, "w"); }).find("'final.u.weight' has shape [2, 16]"),
            std::string::npos);
}

TEST(Loader, ConfigRules) {
  Fixture fx;
  auto bad = [&](auto edit) {
    json j = fx.cfg;
    edit(j);
    return error_of([&] { parse_config(j.dump(), "m/config.json"); });
  };
  EXPECT_NE(bad([](json& j) { j["semantics_version"] = 99; }).find("semantics version 99"), std::string::npos);
  EXPECT_NE(bad([](json& j) { j["dit"].erase("width"); }).find("missing field 'dit.width'"), std::string::npos);
  EXPECT_NE(bad([](json& j) { j["dit"]["width"] = 0; }).find("'dit.width' = 0 is outside"), std::string::npos);
  EXPECT_NE(bad([](json& j) { j["dit"]["heads"] = 3; }).find("does not divide"), std::string::npos);
  EXPECT_NE(bad([](json& j) { j["sampler"]["kind"] = "rk4"; }).find("\"rk4\""), std::string::npos);
  EXPECT_NE(bad([](json& j) { j["path"] = "cosine"; }).find("allowed: linear"), std::string::npos);
  EXPECT_NE(bad([](json& j) { j["time_conditioning"] = "t"; }).find("time_conditioning"), std::string::npos);
  EXPECT_NE(bad([](json& j) { j["sampler"]["time_grid"] = {1.0, 0.5, 0.0}; }).find("steps + 1"), std::string::npos);
  EXPECT_NE(bad([](json& j) { j["sampler"]["steps"] = 2; j["sampler"]["time_grid"] = {1.0, 0.7, 0.8}; })
                .find("end at 0"),
            std::string::npos);
  EXPECT_NE(bad([](json& j) { j["formats"]["activations"]["blocks.0.attn.den"] = "Q(17,8)"; }).find("at most 16 bits"),
            std::string::npos);
  EXPECT_NE(bad([](json& j) { j["formats"]["activations"].erase("u"); }).find("lacks a format for tensor 'u'"),
            std::string::npos);
  EXPECT_NE(bad([](json& j) { j["formats"]["weights"]["nope"] = "Q(8,7)"; }).find("unknown tensor 'nope'"),
            std::string::npos);
  EXPECT_NE(bad([](json& j) { j["formats"]["weights"]["pos_embed"] = "Q(99,7)"; }).find("pos_embed"), std::string::npos);
  EXPECT_NE(bad([](json& j) { j["data"]["dim"] = 17; }).find("data.dim = 17"), std::string::npos);
  EXPECT_NE(bad([](json& j) { j["noise"]["clip"] = -1; }).find("noise.clip"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_config("{not json", "m/config.json"); }).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of([&] { Model::load("/nonexistent/model"); }).find("model directory '/nonexistent/model' does not exist"),
            std::string::npos);
  // and the unmodified config is accepted (the rules above are not vacuous)
  EXPECT_NO_THROW(parse_config(fx.cfg.dump(), "m/config.json"));
}

// The config ranges of sampler/README.md (between the config-ranges markers) are exactly what the
// loader enforces: for every row, both ends of a range are accepted and a value just outside each
// end is refused with a message naming the field; every listed choice is accepted and an unlisted
// one refused. (A value inside its range may still be refused for another field's rule, e.g. a DiT's
// data.dim must match its images; then the message must not be about this field's range.)
TEST(Loader, ConfigRangesAreTheReadmes) {
  std::ifstream in("sampler/README.md");
  ASSERT_TRUE(in) << "run from the repository root";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string readme = ss.str();
  const auto begin = readme.find("<!-- config-ranges:begin -->"), end = readme.find("<!-- config-ranges:end -->");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  std::istringstream table(readme.substr(begin, end - begin));
  const std::regex row(R"re(^\| `([a-z_.]+)` \| (.*) \|$)re");
  const std::regex integer(R"re(^integer in \[(-?\d+), (-?\d+)\])re");
  const std::regex number(R"re((?:^number|each) in ([\[(])(-?[0-9.e]+), (-?[0-9.e]+)([\])]))re");
  const std::regex choices(R"re(^one of ((?:`"[^"]+"`(?:, )?)+))re");
  const json dit = random_config_json("dit"), mlp = random_config_json("mlp");
  // parse with `path` set to v; "" when accepted, else the message
  auto parse_with = [&](const std::string& path, const json& v) -> std::string {
    json j = path.rfind("mlp.", 0) == 0 ? mlp : dit;
    std::string ptr = "/" + path;
    std::replace(ptr.begin(), ptr.end(), '.', '/');
    if (path == "time_embedding.freqs") ptr += "/0";  // "each in": the first element
    j[json::json_pointer(ptr)] = v;
    try {
      parse_config(j.dump(), "m/config.json");
      return "";
    } catch (const ModelError& e) {
      return e.what();
    }
  };
  auto about_range = [](const std::string& msg, const std::string& path) {
    return msg.find("field '" + path) != std::string::npos &&
           (msg.find("outside") != std::string::npos || msg.find("allowed") != std::string::npos);
  };
  int rows = 0, checked = 0;
  std::string line;
  while (std::getline(table, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    ++rows;
    const std::string path = m[1], values = m[2];
    const std::string shown = path == "time_embedding.freqs" ? "time_embedding.freqs[0]" : path;
    std::smatch r;
    if (std::regex_search(values, r, integer)) {
      const int64_t lo = std::stoll(r[1]), hi = std::stoll(r[2]);
      EXPECT_FALSE(about_range(parse_with(path, lo), shown)) << path << " = " << lo << " is in the README's range";
      EXPECT_FALSE(about_range(parse_with(path, hi), shown)) << path << " = " << hi << " is in the README's range";
      EXPECT_TRUE(about_range(parse_with(path, lo - 1), shown)) << path << " = " << lo - 1 << " is outside the README's range";
      EXPECT_TRUE(about_range(parse_with(path, hi + 1), shown)) << path << " = " << hi + 1 << " is outside the README's range";
      ++checked;
    } else if (std::regex_search(values, r, number)) {
      const double lo = std::stod(r[2]), hi = std::stod(r[3]);
      const bool lo_open = r[1] == "(", hi_open = r[4] == ")";
      EXPECT_EQ(about_range(parse_with(path, lo), shown), lo_open) << path << " = " << lo;
      EXPECT_EQ(about_range(parse_with(path, hi), shown), hi_open) << path << " = " << hi;
      EXPECT_TRUE(about_range(parse_with(path, std::nextafter(lo, -INFINITY)), shown)) << path << " just below " << lo;
      EXPECT_TRUE(about_range(parse_with(path, std::nextafter(hi, INFINITY)), shown)) << path << " just above " << hi;
      ++checked;
    } else if (std::regex_search(values, r, choices)) {
      const std::string list = r[1];
      const std::regex item(R"re(`"([^"]+)"`)re");
      for (auto it = std::sregex_iterator(list.begin(), list.end(), item); it != std::sregex_iterator(); ++it)
        EXPECT_FALSE(about_range(parse_with(path, (*it)[1].str()), shown)) << path << " = " << (*it)[1];
      EXPECT_TRUE(about_range(parse_with(path, "cifar"), shown)) << path << " = \"cifar\" is not listed";
      ++checked;
    }
  }
  EXPECT_GE(rows, 29) << "the README's config table lost rows";
  EXPECT_GE(checked, 26) << "rows whose range the test could read";
  // the two values the README refused but the loader took (issue 15)
  EXPECT_TRUE(about_range(parse_with("dit.attn_scale", 0), "dit.attn_scale"));
  EXPECT_TRUE(about_range(parse_with("data.kind", "cifar"), "data.kind"));
}
