#include "sampler/layout.hpp"

#include <fmt/format.h>

#include "sampler/config.hpp"

namespace tc0::sampler {

std::map<std::string, std::vector<int64_t>> expected_weights(const ModelConfig& cfg) {
  std::map<std::string, std::vector<int64_t>> w;
  auto lin = [&](const std::string& p, int64_t out, int64_t in) {
    w[p + ".weight"] = {out, in};
    w[p + ".bias"] = {out};
  };
  const int64_t nf = 4 * static_cast<int64_t>(cfg.freqs.size());
  if (cfg.architecture == Architecture::dit) {
    const DitConfig& d = cfg.dit;
    const int64_t D = d.width;
    lin("t_embed.fc1", D, nf);
    lin("t_embed.fc2", D, D);
    lin("patch_embed", D, d.patch_dim());
    w["pos_embed"] = {d.tokens(), D};
    for (int l = 0; l < d.depth; ++l) {
      std::string p = fmt::format("blocks.{}.", l);
      lin(p + "adaLN", 6 * D, D);
      lin(p + "attn.qkv", 3 * D, D);
      lin(p + "attn.proj", D, D);
      lin(p + "mlp.fc1", d.mlp_ratio * D, D);
      lin(p + "mlp.fc2", D, d.mlp_ratio * D);
    }
    lin("final.adaLN", 2 * D, D);
    lin("final.u", d.patch_dim(), D);
    lin("final.abar", d.patch_dim(), D);
  } else {
    const MlpConfig& m = cfg.mlp;
    for (int l = 0; l < m.depth; ++l) lin(fmt::format("layers.{}", l), m.width, l == 0 ? cfg.data_dim + nf : m.width);
    lin("head_u", cfg.data_dim, m.width);
    lin("head_abar", cfg.data_dim, m.width);
  }
  return w;
}

std::map<std::string, ActivationInfo> expected_activations(const ModelConfig& cfg) {
  std::map<std::string, ActivationInfo> a;
  auto plain = [&](const std::string& n) { a[n] = ActivationInfo{false}; };
  auto table = [&](const std::string& n) { a[n] = ActivationInfo{true}; };
  auto ln = [&](const std::string& p) {
    plain(p + ".mean");
    plain(p + ".centered");
    table(p + ".var");
    plain(p + ".rstd");
    plain(p + ".norm");
    plain(p + ".mod");
  };
  plain("state");
  plain("temb");
  plain("u");
  plain("abar");
  if (cfg.architecture == Architecture::dit) {
    table("t_embed.hidden");
    plain("t_embed.act");
    table("cond");
    plain("cond_act");
    plain("tokens");
    for (int l = 0; l < cfg.dit.depth; ++l) {
      std::string p = fmt::format("blocks.{}", l);
      for (const char* m : {"shift_msa", "scale_msa", "gate_msa", "shift_mlp", "scale_mlp", "gate_mlp"})
        plain(p + "." + m);
      ln(p + ".ln1");
      for (const char* m : {"q", "k", "v", "score", "exp", "inv", "num", "out", "proj"}) plain(p + ".attn." + m);
      table(p + ".attn.shifted");
      table(p + ".attn.den");
      plain(p + ".resid1");
      ln(p + ".ln2");
      table(p + ".mlp.hidden");
      plain(p + ".mlp.act");
      plain(p + ".mlp.out");
      plain(p + ".resid2");
    }
    plain("final.shift");
    plain("final.scale");
    ln("final.ln");
  } else {
    for (int l = 0; l < cfg.mlp.depth; ++l) {
      table(fmt::format("layers.{}.pre", l));
      plain(fmt::format("layers.{}.act", l));
    }
  }
  return a;
}

}  // namespace tc0::sampler
