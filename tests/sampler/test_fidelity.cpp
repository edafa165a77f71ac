// The fidelity report: tensors in the documented graph order with the documented sizes, the final
// samples equal to the batch driver's (fixed bit for bit, float64 exactly), fixed vs float64 errors
// under a first-order error-propagation bound computed here from the weights and formats, MPFR vs
// float64 tiny; the MMD^2 of the quality criterion against hand-computed values.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "sampler/calibration/fidelity.hpp"
#include "sampler/calibration/quality.hpp"
#include "sampler/run.hpp"

using namespace tc0::sampler;
using namespace tc0::sampler::calibration;

namespace {

const char* kMoons = "sampler/models/moons_mf2";

double range(Format f) { return std::ldexp(1.0, f.width() - 1 - f.frac()); }

// Per-element error bound of a dense layer y = b + W x (fixed: R(bq + Wq xq)), given per-input
// error bounds ex and magnitude bounds X of the float64 input; returns max over outputs.
double dense_bound(const Model& m, const std::string& p, const std::vector<double>& ex, const std::vector<double>& X,
                   Format out) {
  const auto& w = m.weight(p + ".weight");
  const auto& b = m.weight(p + ".bias");
  const size_t rows = static_cast<size_t>(w.shape[0]), cols = static_cast<size_t>(w.shape[1]);
  double worst = 0;
  for (size_t i = 0; i < rows; ++i) {
    double e = 0.5 * out.lsb() + std::fabs(b.data[i].value - b.data[i].fixed.to_double()) + 1e-12;
    for (size_t j = 0; j < cols; ++j) {
      const auto& c = w.data[i * cols + j];
      e += std::fabs(c.value - c.fixed.to_double()) * X[j] + std::fabs(c.fixed.to_double()) * ex[j];
    }
    worst = std::max(worst, e);
  }
  return worst;
}

// First-order bound of |fixed - float64| for every tensor of the MLP model's MF2 one-step sampler
// (trained weights in float64): round-once errors of 1/2 LSB, weight quantisation, and propagation
// through the linear layers and the SiLU table (Lipschitz 1.1).
std::map<std::string, double> mlp_mf2_bounds(const Model& m) {
  const auto& cfg = m.config();
  std::map<std::string, double> b;
  const size_t dim = static_cast<size_t>(cfg.data_dim), nt = 4 * cfg.freqs.size();
  b["temb"] = 0.5 * m.act("temb").lsb() + 1e-15;
  std::vector<double> ex(dim, 0.0), X(dim, 4.0);  // the noise is exact and clipped to [-4, 4]
  ex.insert(ex.end(), nt, b["temb"]);
  X.insert(X.end(), nt, 1.0);
  for (int l = 0; l < cfg.mlp.depth; ++l) {
    const std::string p = fmt::format("layers.{}", l);
    double ep = dense_bound(m, p, ex, X, m.act(p + ".pre"));
    b[p + ".pre"] = ep;
    double ea = 0.5 * m.act(p + ".act").lsb() + 1.1 * ep;
    b[p + ".act"] = ea;
    size_t w = static_cast<size_t>(cfg.mlp.width);
    ex.assign(w, ea);
    X.assign(w, range(m.act(p + ".act")) + ea);
  }
  b["u"] = dense_bound(m, "head_u", ex, X, m.act("u"));
  b["abar"] = dense_bound(m, "head_abar", ex, X, m.act("abar"));
  // MF2, one step from t = 1 to r = 0: z' = z - v + c abar
  b["state"] = 0.5 * m.act("state").lsb() + b["u"] + cfg.sampler.c.convert_to<double>() * b["abar"];
  return b;
}

}  // namespace

TEST(Fidelity, MlpTensorsOrderSizesSamplesAndErrorBounds) {
  Model m = Model::load(kMoons);
  FidelityRequest req;
  req.spec = sampler_spec(m, "mf2", 1);
  req.count = 5;
  req.seed = 31;
  Fidelity f = measure_fidelity(m, req);

  // graph order and sizes from the README's MLP graph: two evaluations (v and abar) per MF2 step,
  // each computing only the head its update reads
  const auto& cfg = m.config();
  const size_t w = static_cast<size_t>(cfg.mlp.width), dim = static_cast<size_t>(cfg.data_dim);
  std::vector<std::pair<std::string, size_t>> want{{"temb", 2 * 4 * cfg.freqs.size()}};
  for (int l = 0; l < cfg.mlp.depth; ++l) {
    want.push_back({fmt::format("layers.{}.pre", l), 2 * w});
    want.push_back({fmt::format("layers.{}.act", l), 2 * w});
  }
  want.push_back({"u", dim});
  want.push_back({"abar", dim});
  want.push_back({"state", dim});
  ASSERT_EQ(f.tensors.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    EXPECT_EQ(f.tensors[k].name, want[k].first);
    EXPECT_EQ(f.tensors[k].values, want[k].second) << want[k].first;
    EXPECT_EQ(f.tensors[k].format, m.act(want[k].first));
    EXPECT_EQ(f.tensors[k].fixed_vs_float64.count(), want[k].second * req.count);
  }

  // the final samples are the batch driver's: fixed bit for bit, float64 exactly
  SampleRequest sr;
  sr.spec = req.spec;
  sr.seed = req.seed;
  sr.count = req.count;
  sr.type = NumberType::fixed;
  auto rf = run_sampler(m, sr);
  sr.type = NumberType::float64;
  auto rd = run_sampler(m, sr);
  EXPECT_EQ(f.fixed, rf.values);
  EXPECT_EQ(f.float64, rd.values);

  auto bounds = mlp_mf2_bounds(m);
  for (const auto& t : f.tensors) {
    ASSERT_TRUE(bounds.count(t.name)) << t.name;
    EXPECT_EQ(t.saturations, 0u) << t.name;
    EXPECT_LE(t.fixed_vs_float64.max_abs_error(), bounds[t.name]) << t.name;
    EXPECT_GT(t.fixed_vs_float64.max_abs_error(), 0.0) << t.name;  // rounding does show
    // MPFR at 128 bits and float64 agree to float64 precision; fixed vs MPFR equals fixed vs float64
    const double scale = std::max(1.0, t.max_abs_reference);
    EXPECT_LE(t.float64_vs_mpfr.max_abs_error(), 1e-13 * scale) << t.name;
    EXPECT_NEAR(t.fixed_vs_mpfr.max_abs_error(), t.fixed_vs_float64.max_abs_error(), 1e-13 * scale) << t.name;
    EXPECT_LE(t.fixed_vs_float64.mean_abs_error(), t.fixed_vs_float64.max_abs_error());
    EXPECT_NEAR(t.fixed_vs_float64.max_lsb_error(), t.fixed_vs_float64.max_abs_error() / t.format.lsb(), 1e-12);
    EXPECT_LT(t.fixed_vs_float64.worst_index(), req.count);
  }
  // the last "state" entries are the samples
  EXPECT_EQ(f.samples.fixed_vs_float64.max_abs_error(), f.tensors.back().fixed_vs_float64.max_abs_error());

  // JSON fields
  auto j = f.tensors[1].to_json();
  for (const char* k : {"name", "format", "lsb", "values_per_sample", "max_abs_float64", "saturations", "fixed_vs_float64",
                        "fixed_vs_mpfr", "float64_vs_mpfr"})
    EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"max_abs_error", "mean_abs_error", "max_lsb_error", "mean_lsb_error", "worst", "histogram_lsb"})
    EXPECT_TRUE(j["fixed_vs_float64"].contains(k)) << k;
  EXPECT_TRUE(j["fixed_vs_float64"]["worst"].contains("sample"));
  EXPECT_TRUE(j["fixed_vs_float64"]["worst"].contains("element"));
}

TEST(Fidelity, QualityCriterionOnHeldOutData) {
  Model m = Model::load(kMoons);
  HeldOut h = load_heldout(std::string(kMoons) + "/heldout.json", "moons", 2);
  EXPECT_EQ(h.rows.size(), 1000u);
  // the bandwidth stored by the Python exporter is the median pairwise distance recomputed here
  EXPECT_NEAR(median_pairwise_distance(h.rows), h.bandwidth, 1e-9 * h.bandwidth);
  FidelityRequest req;
  req.spec = sampler_spec(m, "mf2", 1);
  req.count = 4;
  Fidelity f = measure_fidelity(m, req);
  QualityCheck q = check_quality(f, h);
  EXPECT_EQ(q.mmd2_fixed, mmd2_unbiased(f.fixed, h.rows, h.bandwidth));
  EXPECT_EQ(q.pass, q.mmd2_fixed <= 1.2 * q.mmd2_float64);
  auto j = q.to_json();
  for (const char* k : {"mmd2_fixed", "mmd2_float64", "mmd2_mpfr", "ratio", "data_vs_data", "pass", "criterion"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_THROW(load_heldout(std::string(kMoons) + "/heldout.json", "digits8x8", 64), std::runtime_error);
  EXPECT_THROW(load_heldout("no/such/heldout.json", "moons", 2), std::runtime_error);
}

TEST(Quality, MmdAndMedianAgainstHandComputedValues) {
  // 1-D: x = {0, 1}, y = {0, 2}, sigma = 1: k(d) = exp(-d^2 / 2)
  auto k = [](double d) { return std::exp(-d * d / 2); };
  double want = k(1) + k(2) - (k(0) + k(2) + k(1) + k(1)) / 2;
  EXPECT_NEAR(mmd2_unbiased({{0.0}, {1.0}}, {{0.0}, {2.0}}, 1.0), want, 1e-15);
  EXPECT_NEAR(mmd2_unbiased({{0.0}, {1.0}}, {{0.0}, {1.0}}, 1.0), 2 * k(1) - (2 * k(0) + 2 * k(1)) / 2, 1e-15);
  // distances of {0, 1, 3}: 0 x3, 1, 1, 2, 2, 3, 3 -> median 1
  EXPECT_EQ(median_pairwise_distance({{0.0}, {1.0}, {3.0}}), 1.0);
  // {0, 4}: 0, 0, 4, 4 -> (0 + 4) / 2
  EXPECT_EQ(median_pairwise_distance({{0.0}, {4.0}}), 2.0);
  EXPECT_TRUE(quality_passes(0.012, 0.01));
  EXPECT_FALSE(quality_passes(0.0121, 0.01));
  EXPECT_THROW(mmd2_unbiased({{0.0}}, {{0.0}, {1.0}}, 1.0), std::invalid_argument);
}

TEST(Fidelity, DitTensorsFollowTheDocumentedGraph) {
  // digits demo DiT: every activation of the README graph is observed, in graph order, with the
  // number of values the graph implies (T tokens, width D, H heads; MF2 = two evaluations)
  Model m = Model::load("sampler/models/digits_mf2");
  FidelityRequest req;
  req.spec = sampler_spec(m, "mf2", 1);
  req.count = 2;
  Fidelity f = measure_fidelity(m, req);
  const auto& d = m.config().dit;
  const size_t T = static_cast<size_t>(d.tokens()), D = static_cast<size_t>(d.width), H = static_cast<size_t>(d.heads);
  const size_t F = m.config().freqs.size(), R = static_cast<size_t>(d.mlp_ratio);
  std::vector<std::pair<std::string, size_t>> want{{"temb", 4 * F}, {"t_embed.hidden", D}, {"t_embed.act", D},
                                                   {"cond", D},     {"cond_act", D},         {"tokens", T * D}};
  // LayerNorm per token: mean, centered, var, rstd, norm
  auto layer_norm = [&](const std::string& p) {
    for (auto [k, n] : {std::pair{"mean", T}, {"centered", T * D}, {"var", T}, {"rstd", T}, {"norm", T * D}})
      want.push_back({p + "." + k, n});
  };
  for (int l = 0; l < d.depth; ++l) {
    const std::string p = fmt::format("blocks.{}.", l);
    for (const char* k : {"shift_msa", "scale_msa", "gate_msa", "shift_mlp", "scale_mlp", "gate_mlp"}) want.push_back({p + k, D});
    layer_norm(p + "ln1");
    want.push_back({p + "ln1.mod", T * D});
    for (const char* k : {"attn.q", "attn.k", "attn.v"}) want.push_back({p + k, T * D});
    want.push_back({p + "attn.score", H * T * (T + 1)});  // scores and the row max
    want.push_back({p + "attn.shifted", H * T * T});
    want.push_back({p + "attn.exp", H * T * T});
    want.push_back({p + "attn.den", H * T});
    want.push_back({p + "attn.inv", H * T});
    want.push_back({p + "attn.num", T * D});
    want.push_back({p + "attn.out", T * D});
    want.push_back({p + "attn.proj", T * D});
    want.push_back({p + "resid1", T * D});
    layer_norm(p + "ln2");
    want.push_back({p + "ln2.mod", T * D});
    want.push_back({p + "mlp.hidden", R * T * D});
    want.push_back({p + "mlp.act", R * T * D});
    want.push_back({p + "mlp.out", T * D});
    want.push_back({p + "resid2", T * D});
  }
  want.push_back({"final.shift", D});
  want.push_back({"final.scale", D});
  layer_norm("final.ln");
  const size_t dim = static_cast<size_t>(m.config().data_dim);
  want.push_back({"final.ln.mod", T * D});
  want.push_back({"u", dim});
  want.push_back({"abar", dim});
  ASSERT_EQ(f.tensors.size(), want.size() + 1);  // + the state, after both evaluations
  for (size_t k = 0; k < want.size(); ++k) {
    EXPECT_EQ(f.tensors[k].name, want[k].first) << k;
    // two evaluations, each computing only the head its update reads: u in the first, abar in the second
    const bool head = want[k].first == "u" || want[k].first == "abar";
    EXPECT_EQ(f.tensors[k].values, (head ? 1 : 2) * want[k].second) << want[k].first;
  }
  EXPECT_EQ(f.tensors.back().name, "state");
  EXPECT_EQ(f.tensors.size(), m.config().activation_formats.size());  // every activation, once
  SampleRequest sr;
  sr.spec = req.spec;
  sr.seed = req.seed;
  sr.count = req.count;
  EXPECT_EQ(f.fixed, run_sampler(m, sr).values);
  for (const auto& t : f.tensors) {
    EXPECT_EQ(t.saturations, 0u) << t.name;
    EXPECT_LE(t.float64_vs_mpfr.max_abs_error(), 1e-12 * std::max(1.0, t.max_abs_reference)) << t.name;
  }
}
