// The shipped models against their goldens:
//  - the C++ float64 forward pass equals PyTorch's float64 forward pass (golden.json, written by
//    tools/train/export.py from the exported weights) within 1e-9 x max|reference| elementwise;
//  - the fixed-point sampler reproduces the recorded bits (fixed_golden.json, written by
//    tools/train/make_fixed_goldens.py through `tc0flow sample`), so any change of its bits is seen.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sampler/arith_double.hpp"
#include "sampler/network.hpp"
#include "sampler/run.hpp"

using namespace tc0::sampler;

namespace {

const char* kModels[] = {"sampler/models/digits_mf2", "sampler/models/digits_mf1", "sampler/models/moons_mf2",
                         "sampler/models/moons_mf1"};

nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(f);
}

class ShippedModel : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(std::string(GetParam()) + "/config.json")) << GetParam() << " is missing";
  }
};

}  // namespace

TEST_P(ShippedModel, Float64ForwardMatchesPyTorch) {
  const std::string dir = GetParam();
  Model m = Model::load(dir);
  auto g = read_json(dir + "/golden.json");
  DoubleArith a;
  size_t n = g["z"].size();
  ASSERT_GE(n, 1u);
  for (size_t i = 0; i < n; ++i) {
    std::vector<double> z = g["z"][i].get<std::vector<double>>();
    auto h = forward(a, m, std::span<const double>(z), exact_rational(g["t"][i].get<double>()),
                     exact_rational(g["s"][i].get<double>()));
    auto ru = g["u"][i].get<std::vector<double>>(), ra = g["abar"][i].get<std::vector<double>>();
    double scale = 0;
    for (double v : ru) scale = std::max(scale, std::abs(v));
    for (double v : ra) scale = std::max(scale, std::abs(v));
    ASSERT_GT(scale, 0);
    ASSERT_EQ(h.u.size(), ru.size());
    for (size_t k = 0; k < ru.size(); ++k) {
      EXPECT_LE(std::abs(h.u[k] - ru[k]), 1e-9 * scale) << "input " << i << " u[" << k << "]";
      EXPECT_LE(std::abs(h.abar[k] - ra[k]), 1e-9 * scale) << "input " << i << " abar[" << k << "]";
    }
  }
}

TEST_P(ShippedModel, FixedPointSamplerReproducesGoldenBits) {
  const std::string dir = GetParam();
  ASSERT_TRUE(std::filesystem::exists(dir + "/fixed_golden.json")) << "no fixed_golden.json in " << dir;
  Model m = Model::load(dir);
  auto g = read_json(dir + "/fixed_golden.json");
  ASSERT_FALSE(g["cases"].empty());
  for (const auto& c : g["cases"]) {
    SampleRequest r;
    r.spec = sampler_spec(m, c["sampler"].get<std::string>(), c["steps"].get<int>());
    r.type = NumberType::fixed;
    r.seed = c["seed"].get<uint64_t>();
    r.count = c["count"].get<size_t>();
    auto res = run_sampler(m, r);
    auto want = c["raw"].get<std::vector<std::vector<int64_t>>>();
    ASSERT_EQ(res.raw.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_EQ(res.raw[i], want[i]) << dir << " " << c["sampler"] << "-" << c["steps"] << " seed " << r.seed
                                     << " sample " << i;
    auto noise = c["noise_raw"].get<std::vector<std::vector<int64_t>>>();
    ASSERT_EQ(res.noise_raw, noise) << "the portable noise changed";
  }
}

INSTANTIATE_TEST_SUITE_P(Models, ShippedModel, ::testing::ValuesIn(kModels), [](const auto& info) {
  return std::filesystem::path(info.param).filename().string();
});
