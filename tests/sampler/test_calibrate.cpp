// Calibration of per-tensor formats: the ranges against an independent float64 MLP forward pass,
// the chosen formats against the rule computed here from scratch, exhaustive over every tensor of
// the moons model; bad budgets and output directories refused.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

#include "mlp_reference.hpp"
#include "sampler/calibration/calibrate.hpp"
#include "sampler/layout.hpp"
#include "sampler/noise.hpp"

using namespace tc0::sampler;
using namespace tc0::sampler::calibration;
namespace fs = std::filesystem;

namespace {

const char* kMoons = "sampler/models/moons_mf2";

// Smallest integer k with 2^k >= y (y > 0), by stepping, not through log2.
int ceil_log2(double y) {
  int k = 0;
  while (std::ldexp(1.0, k) < y) ++k;
  while (std::ldexp(1.0, k - 1) >= y) --k;
  return k;
}

void expect_rule(const TensorCalibration& t, int bits, double margin) {
  const int f = bits - 1 - ceil_log2(t.max_abs * margin);
  EXPECT_EQ(t.format, Format(bits, f)) << t.name << " max " << t.max_abs;
  // the widest fraction that holds max * margin: one more fraction bit would not
  EXPECT_LE(t.max_abs * margin, std::ldexp(1.0, bits - 1 - t.format.frac())) << t.name;
  EXPECT_GT(t.max_abs * margin, std::ldexp(1.0, bits - 2 - t.format.frac())) << t.name;
}

CalibrationRequest request(const Model& m, int wb, int ab) {
  CalibrationRequest r;
  r.weight_bits = wb;
  r.act_bits = ab;
  r.count = 6;
  r.seed = 99;
  r.samplers = parse_sampler_list(m, "mf2:1,euler:2");
  return r;
}

}  // namespace

TEST(Calibrate, RangesAndFormatsOfEveryTensorMatchAnIndependentForwardPass) {
  Model m = Model::load(kMoons);
  for (auto [wb, ab] : {std::pair{8, 12}, std::pair{6, 8}, std::pair{12, 16}}) {
    CalibrationRequest req = request(m, wb, ab);
    Calibration c = calibrate(m, req);

    // independent ranges: the same quantised noise through the plain-loop reference
    const size_t dim = static_cast<size_t>(m.config().data_dim);
    auto noise = gaussian_noise(req.seed, req.count * dim, m.act("state"), m.config().noise_clip);
    tc0::test::Record rec;
    for (auto [kind, steps] : {std::pair{SamplerKind::mf2, 1}, std::pair{SamplerKind::euler, 2}})
      for (size_t i = 0; i < req.count; ++i) {
        tc0::test::Vec z;
        for (size_t k = 0; k < dim; ++k) z.push_back(noise[i * dim + k].to_double());
        tc0::test::mlp_sample(m, kind, steps, z, rec);
      }

    std::set<std::string> acts, weights;
    for (const auto& t : c.tensors) {
      if (t.weight) {
        weights.insert(t.name);
        double mx = 0;
        for (const auto& v : m.weight(t.name).data) mx = std::max(mx, std::fabs(v.value));
        EXPECT_EQ(t.max_abs, mx) << t.name;
        expect_rule(t, wb, 1.0);
        continue;
      }
      acts.insert(t.name);
      ASSERT_TRUE(rec.count(t.name)) << t.name;
      double mx = 0;
      for (double v : rec[t.name]) mx = std::max(mx, std::fabs(v));
      EXPECT_EQ(t.values, rec[t.name].size()) << t.name;
      if (t.name == "state") {
        mx = std::max(mx, 4.0);  // the clip range
        EXPECT_NEAR(t.max_abs, mx, 1e-12 * mx) << t.name;
        expect_rule(t, ab, 1.0);
      } else {
        EXPECT_NEAR(t.max_abs, mx, 1e-12 * std::max(1.0, mx)) << t.name;
        expect_rule(t, ab, 1.25);
        // margin 1.25: no float64 value of the batch saturates in its new format
        EXPECT_EQ(t.float_saturations, 0u) << t.name;
      }
    }
    // exhaustive: exactly the model's tensors
    std::set<std::string> want_a, want_w;
    for (const auto& [n, f] : m.config().activation_formats) want_a.insert(n);
    for (const auto& [n, s] : expected_weights(m.config())) want_w.insert(n);
    EXPECT_EQ(acts, want_a);
    EXPECT_EQ(weights, want_w);
    // the config carries the new formats and a rule naming the budget and the batch
    for (const auto& t : c.tensors)
      EXPECT_EQ(c.config["formats"][t.weight ? "weights" : "activations"][t.name], t.format.str()) << t.name;
    const std::string rule = c.config["formats"]["rule"];
    EXPECT_NE(rule.find(fmt::format("weights {} bits, activations {} bits, state {} bits", wb, ab, ab)), std::string::npos) << rule;
    EXPECT_NE(rule.find("6 noise samples of seed 99 through mf2:1,euler:2"), std::string::npos) << rule;
  }
}

TEST(Calibrate, ChooseFormatEdgeCases) {
  EXPECT_EQ(choose_format(1.0, 8, 1.0), Format(8, 7));     // 2^0: exactly at the bound
  EXPECT_EQ(choose_format(1.0001, 8, 1.0), Format(8, 6));
  EXPECT_EQ(choose_format(0.75, 12, 1.25), Format(12, 11));  // 0.9375 -> 2^0
  EXPECT_EQ(choose_format(0.0, 8, 1.25), Format(8, 6));     // identically zero
  EXPECT_EQ(choose_format(1e-300, 8, 1.0), Format(8, 128)); // clamped to the legal fraction
  EXPECT_EQ(choose_format(4.0, 12, 1.0), Format(12, 9));
  // a value exactly at 2^k saturates on the positive side (counted, not hidden)
  EXPECT_EQ(count_saturating({4.0, -4.0, 3.999}, Format(12, 9)), 1u);
  // Q(8,7): 127.5 ties to 128 (saturates), 127.36 -> 127, -128.5 ties to -128, -129.01 saturates
  EXPECT_EQ(count_saturating({0.99609375, 0.995, -1.0, -1.00390625, -1.0079}, Format(8, 7)), 2u);
  EXPECT_THROW(choose_format(NAN, 8, 1.0), std::invalid_argument);
  EXPECT_THROW(choose_format(1.0, 1, 1.0), std::invalid_argument);
}

TEST(Calibrate, RefusesBadBudgetsSamplersAndDirectories) {
  Model m = Model::load(kMoons);
  for (auto [wb, ab] : {std::pair{1, 12}, std::pair{33, 12}, std::pair{8, 1}, std::pair{8, 17}}) {
    CalibrationRequest r = request(m, wb, ab);
    EXPECT_THROW(calibrate(m, r), std::invalid_argument) << wb << " " << ab;
  }
  CalibrationRequest r = request(m, 8, 12);
  r.act_margin = 0.5;
  EXPECT_THROW(calibrate(m, r), std::invalid_argument);
  r = request(m, 8, 12);
  r.state_bits = 1;
  EXPECT_THROW(calibrate(m, r), std::invalid_argument);
  r.state_bits = 16;  // a separate state budget: only the state's width changes
  Calibration c16 = calibrate(m, r);
  for (const auto& t : c16.tensors) {
    if (!t.weight) {
      EXPECT_EQ(t.format.width(), t.name == "state" ? 16 : 12) << t.name;
    }
  }
  for (const char* bad : {"mf2", "mf2:0", "mf3:1", "euler:2x", "mf2:1,", "euler:2000"})
    EXPECT_THROW(parse_sampler_list(m, bad), std::invalid_argument) << bad;

  // the shipped models are never written
  Calibration c;
  c.config = m.config().raw;
  EXPECT_THROW(write_calibrated_model(kMoons, kMoons, c, true), std::invalid_argument);
  EXPECT_THROW(write_calibrated_model(kMoons, "sampler/models/moons_mf1", c, true), std::invalid_argument);
  fs::path tmp = fs::temp_directory_path() / fmt::format("tc0_calib_test_{}", ::getpid());
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  { std::ofstream(tmp / "other.txt") << "x"; }
  EXPECT_THROW(write_calibrated_model(kMoons, tmp.string(), c, false), std::invalid_argument);  // not empty
  fs::remove_all(tmp);
}

TEST(Calibrate, WrittenModelLoadsWithTheNewFormats) {
  Model m = Model::load(kMoons);
  Calibration c = calibrate(m, request(m, 6, 10));
  fs::path tmp = fs::temp_directory_path() / fmt::format("tc0_calib_out_{}", ::getpid());
  fs::remove_all(tmp);
  write_calibrated_model(kMoons, tmp.string(), c, false);
  Model cm = Model::load(tmp.string());
  for (const auto& t : c.tensors) {
    if (t.weight)
      EXPECT_EQ(cm.weight(t.name).fmt, t.format) << t.name;
    else
      EXPECT_EQ(cm.act(t.name), t.format) << t.name;
  }
  EXPECT_TRUE(fs::exists(tmp / "heldout.json"));
  // the weights are copied unchanged
  for (const auto& [n, s] : expected_weights(m.config()))
    for (size_t i = 0; i < m.weight(n).data.size(); ++i) ASSERT_EQ(cm.weight(n).data[i].value, m.weight(n).data[i].value);
  fs::remove_all(tmp);
}
