#include "tools/explorer/site.hpp"

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <future>
#include <stdexcept>

#include "circuits/gate_units.hpp"
#include "circuits/io/native.hpp"
#include "circuits/levels.hpp"
#include "circuits/module_tree.hpp"
#include "circuits/stats.hpp"
#include "fileio/atomic_folder.hpp"
#include "fileio/input_file.hpp"
#include "sampler/safetensors.hpp"
#include "tools/explorer/site_data.hpp"

namespace tc0::explorer {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
// CPU seconds of the calling thread: the phases' cost on a machine shared with other work.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// The bundled app (tools/explorer/CMakeLists.txt).
constexpr const char* kAppFiles[] = {"index.html", "app.js", "app.css"};

// The name of the file that marks a folder as a site we wrote (and may replace as a whole).
constexpr const char* kMarker = "tc0flow-view.json";
constexpr const char* kSiteWhat = "explorer site";

// The site's files, all into one fileio::AtomicFolder (nothing visible before it is committed).
class Writer {
 public:
  Writer(fileio::AtomicFolder& folder, std::string stamp) : folder_(folder), stamp_(std::move(stamp)) {}
  // data/<key>.js calling tc0x.load(key, stamp, <json>).
  void data(const std::string& key, const std::string& json) {
    write("data/" + key + ".js", fmt::format("tc0x.load({}, {}, {});\n", nlohmann::json(key).dump(),
                                             nlohmann::json(stamp_).dump(), json));
  }
  void write(const std::string& rel, const std::string& text) {
    folder_.write(rel, text);
    bytes += text.size();
    ++files;
  }
  uint64_t bytes = 0, files = 0;

 private:
  fileio::AtomicFolder& folder_;
  std::string stamp_;
};

std::string read_file(const std::string& path, const char* what) {
  return fileio::read_regular_file(path, what, fileio::kGiB);
}

nlohmann::json read_report(const std::string& path, const char* what, const char* key) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path, what));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{} '{}' is not valid JSON ({}); pass the file written by --json", what, path, e.what()));
  }
  if (!j.is_object() || !j.contains(key) || !j[key].is_array())
    throw std::runtime_error(fmt::format("{} '{}' has no \"{}\" list; pass the file written by --json", what, path, key));
  return j;
}

// Model tensors (names, shapes) and config basics, from a model directory.
nlohmann::json model_info(const std::string& dir) {
  nlohmann::json m;
  const fs::path cfg = fs::path(dir) / "config.json";
  if (!fs::is_regular_file(cfg))
    throw std::runtime_error(fmt::format("--model {} has no config.json; pass the model directory the circuit was compiled "
                                         "from (e.g. sampler/models/digits_mf2)",
                                         dir));
  try {
    const auto c = nlohmann::json::parse(read_file(cfg.string(), "model config"));
    for (const char* k : {"name", "architecture"})
      if (c.contains(k) && c[k].is_string()) m[k] = c[k];
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("model config '{}' is not valid JSON ({})", cfg.string(), e.what()));
  }
  const auto tensors = sampler::read_safetensors((fs::path(dir) / "weights.safetensors").string());
  m["tensors"] = nlohmann::json::array();
  for (const auto& [name, t] : tensors) m["tensors"].push_back({{"name", name}, {"shape", t.shape}});
  m["dir"] = dir;
  return m;
}

}  // namespace

nlohmann::json SiteResult::to_json() const {
  return {{"bytes", bytes},         {"files", files},         {"tree_nodes", tree_nodes},
          {"units", units},         {"templates", templates}, {"template_units", template_units},
          {"seconds_tree", seconds_tree}, {"seconds_units", seconds_units}, {"seconds_write", seconds_write},
          {"cpu_seconds_tree", cpu_tree},   {"cpu_seconds_units", cpu_units},   {"cpu_seconds_write", cpu_write}};
}

fs::path app_directory() {
  if (const char* env = std::getenv("TC0FLOW_EXPLORER_DIR"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("explorer") : exe.parent_path() / "tc0flow-explorer";
}

void check_site_output(const fs::path& out) { fileio::check_folder_replaceable(out.string(), kSiteWhat, kMarker); }

SiteResult write_site(const circuits::Network& ntk, const fs::path& out_arg, const SiteOptions& opts) {
  using namespace circuits;
  SiteResult res;
  const fs::path app = opts.app_dir.empty() ? app_directory() : opts.app_dir;
  for (const char* f : kAppFiles)
    if (!fs::exists(app / f))
      throw std::runtime_error(fmt::format("the explorer app is missing ({} not found); build the target "
                                           "tc0flow_explorer, or point TC0FLOW_EXPLORER_DIR at it",
                                           (app / f).string()));
  // The site is built in a hidden sibling of `out` and swapped in at the end (fileio/atomic_folder.hpp);
  // a target that is not a previous site (or empty) is refused here, before any work.
  fileio::AtomicFolder folder(out_arg.string(), kSiteWhat, kMarker);
  // Optional inputs first, so a bad one fails before any work.
  nlohmann::json bounds, verify, model;
  if (!opts.bounds_json.empty()) bounds = read_report(opts.bounds_json, "bounds report", "points");
  if (!opts.verify_json.empty()) verify = read_report(opts.verify_json, "verification report", "ops");
  if (!opts.model_dir.empty()) model = model_info(opts.model_dir);

  // The summary stats (a pass of their own) run on the second core while the tree is built.
  auto stats = std::async(std::launch::async, [&ntk] { return compute_stats(ntk); });
  auto t0 = Clock::now();
  double c0 = thread_cpu_seconds();
  const Levels lv = compute_levels(ntk);
  const ModuleTree tree = build_module_tree(ntk, lv);
  res.seconds_tree = seconds_since(t0);
  res.cpu_tree = thread_cpu_seconds() - c0;
  t0 = Clock::now();
  c0 = thread_cpu_seconds();
  const GateUnits units = build_gate_units(ntk, lv, tree);
  res.seconds_units = seconds_since(t0);
  res.cpu_units = thread_cpu_seconds() - c0;
  t0 = Clock::now();
  c0 = thread_cpu_seconds();
  res.tree_nodes = tree.nodes.size();
  res.units = units.units.size();
  res.templates = units.templates.size();
  for (const GateUnit& u : units.units) res.template_units += u.template_id >= 0;

  const SiteModel model_view{ntk, lv, tree, units};
  const BusNames names(model_view);

  // Stamp: a fingerprint of this circuit and these options, so files of another run are refused.
  const CircuitStats st = stats.get();
  std::string fingerprint = st.line() + opts.title + opts.bounds_json + opts.verify_json + opts.model_dir;
  for (const std::string& m : ntk.modules()) fingerprint += m + '\n';
  const std::string stamp = fmt::format("{:016x}-{}", io::fnv1a64(fingerprint), units.units.size());

  Writer w(folder, stamp);
  // ---- meta ----
  nlohmann::json meta = meta_json(model_view, names, st);
  meta["stamp"] = stamp;
  meta["title"] = opts.title;
  if (!model.is_null()) meta["model"] = model;
  meta["has_bounds"] = !bounds.is_null();
  meta["has_verify"] = !verify.is_null();
  w.data("meta", meta.dump());
  if (!bounds.is_null()) w.data("bounds", bounds.dump());
  if (!verify.is_null()) w.data("verify", verify.dump());

  // ---- tree nodes: depth profile, and the units of leaves ----
  for (uint32_t n = 0; n < tree.nodes.size(); ++n) w.data(fmt::format("n/{}", n), node_json(model_view, n));

  // ---- unit instance data, 64 units of a leaf per file ----
  for (uint32_t leaf = 0; leaf < tree.nodes.size(); ++leaf)
    for (uint32_t c0 = 0; c0 < units.of_leaf[leaf].size(); c0 += kUnitsPerChunk)
      w.data(fmt::format("u/{}_{}", leaf, c0 / kUnitsPerChunk), unit_chunk_json(model_view, names, leaf, c0, kUnitsPerChunk));

  // ---- templates ----
  for (uint32_t t = 0; t < units.templates.size(); ++t) w.data(fmt::format("t/{}", t), template_json(units.templates[t]));

  // ---- the app ----
  for (const char* f : kAppFiles) w.write(f, read_file((app / f).string(), "explorer app file"));
  res.bytes = w.bytes;
  res.files = w.files + 1;
  res.seconds_write = seconds_since(t0);
  res.cpu_write = thread_cpu_seconds() - c0;
  nlohmann::json marker = {{"tool", "tc0flow"}, {"command", "view"}, {"stamp", stamp}, {"title", opts.title},
                           {"site", res.to_json()}};
  w.write(kMarker, marker.dump(2) + "\n");  // last: a folder without it was never finished
  res.bytes = w.bytes;
  folder.commit();
  // the reported write time includes the commit (fsync, swap, removal of the old site); the
  // marker's copy could not
  res.seconds_write = seconds_since(t0);
  res.cpu_write = thread_cpu_seconds() - c0;
  return res;
}

}  // namespace tc0::explorer
