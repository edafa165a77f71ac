#include "tools/explorer/site.hpp"

#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <stdexcept>

#include "circuits/gate_units.hpp"
#include "circuits/io/native.hpp"
#include "circuits/levels.hpp"
#include "circuits/module_tree.hpp"
#include "circuits/stats.hpp"
#include "sampler/safetensors.hpp"

namespace tc0::explorer {

namespace fs = std::filesystem;
using circuits::Weight;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
// CPU seconds of the calling thread: the phases' cost on a machine shared with other work.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Units of a leaf per instance-data file.
constexpr uint32_t kUnitsPerChunk = 64;
// The bundled app (tools/explorer/CMakeLists.txt).
constexpr const char* kAppFiles[] = {"index.html", "app.js", "app.css"};
// The site format: bump when the data layout changes (the app checks it).
constexpr int kSiteFormat = 1;

// A weight or theta as a JSON value: a number when a double holds it exactly, else a string.
void put_weight(std::string& out, Weight w) {
  if (w >= -(Weight(1) << 53) && w <= (Weight(1) << 53)) {
    fmt::format_to(std::back_inserter(out), "{}", int64_t(w));
    return;
  }
  const bool neg = w < 0;
  auto u = static_cast<unsigned __int128>(neg ? -w : w);
  std::string digits;
  while (u) {
    digits.push_back(char('0' + int(u % 10)));
    u /= 10;
  }
  out += '"';
  if (neg) out += '-';
  out.append(digits.rbegin(), digits.rend());
  out += '"';
}

class Writer {
 public:
  Writer(fs::path root, std::string stamp) : root_(std::move(root)), stamp_(std::move(stamp)) {}
  // data/<key>.js calling tc0x.load(key, stamp, <json>).
  void data(const std::string& key, const std::string& json) {
    write(fs::path("data") / (key + ".js"), fmt::format("tc0x.load({}, {}, {});\n", nlohmann::json(key).dump(),
                                                        nlohmann::json(stamp_).dump(), json));
  }
  void write(const fs::path& rel, const std::string& text) {
    const fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out.write(text.data(), std::streamsize(text.size()));
    out.close();
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}' (disk full or not writable?)", p.string()));
    bytes += text.size();
    ++files;
  }
  uint64_t bytes = 0, files = 0;

 private:
  fs::path root_;
  std::string stamp_;
};

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path)) throw std::runtime_error(fmt::format("cannot read {} '{}'", what, path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
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

// Op kind and tensor of a tagged module path: "step0/blocks.0.attn.q/linear/linear_form" is op
// "linear" of tensor "blocks.0.attn.q".
std::pair<std::string, std::string> op_and_tensor(const std::string& module) {
  std::vector<std::string> c;
  std::stringstream ss(module);
  for (std::string part; std::getline(ss, part, '/');) c.push_back(part);
  if (c.size() >= 3) return {c[2], c[1]};
  if (c.size() == 2) return {c[1], c[0]};
  if (c.size() == 1) return {c[0], ""};
  return {"(untagged)", ""};
}

std::string json_array(const std::vector<uint64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) fmt::format_to(std::back_inserter(s), "{}{}", i ? "," : "", v[i]);
  return s + "]";
}

// Replaces `out` by the finished `tmp`; `out` must be absent or a site written by us.
void check_target(const fs::path& out) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return;
  if (!fs::is_directory(out, ec))
    throw std::runtime_error(fmt::format("-o {} exists and is not a directory; pick another output folder", out.string()));
  if (fs::is_empty(out, ec)) return;
  if (!fs::exists(out / "tc0flow-view.json", ec))
    throw std::runtime_error(fmt::format("-o {} is a non-empty folder that tc0flow view did not write; pick another "
                                         "output folder or empty it",
                                         out.string()));
}

void install(const fs::path& tmp, const fs::path& out) {
  std::error_code ec;
  if (fs::exists(out, ec)) {
    const fs::path old = out.string() + fmt::format(".old-{}", getpid());
    fs::rename(out, old);
    fs::rename(tmp, out);
    fs::remove_all(old, ec);
  } else {
    fs::rename(tmp, out);
  }
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

SiteResult write_site(const circuits::Network& ntk, const fs::path& out_arg, const SiteOptions& opts) {
  using namespace circuits;
  // "site/" names the folder "site": the temporary and old copies are its siblings.
  fs::path out = out_arg.lexically_normal();
  if (!out.has_filename()) out = out.parent_path();
  if (out.empty() || out == "." || out == "..")
    throw std::runtime_error(fmt::format("-o {}: name a folder of its own for the site", out_arg.string()));
  SiteResult res;
  const fs::path app = opts.app_dir.empty() ? app_directory() : opts.app_dir;
  for (const char* f : kAppFiles)
    if (!fs::exists(app / f))
      throw std::runtime_error(fmt::format("the explorer app is missing ({} not found); build the target "
                                           "tc0flow_explorer, or point TC0FLOW_EXPLORER_DIR at it",
                                           (app / f).string()));
  check_target(out);
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

  // Names of input bits: input buses, then loose inputs as 1-bit buses.
  std::vector<std::pair<uint32_t, uint32_t>> input_bit(ntk.num_nodes(), {UINT32_MAX, 0});
  nlohmann::json in_buses = nlohmann::json::array(), out_buses = nlohmann::json::array();
  for (const Bus& b : ntk.input_buses()) {
    for (uint32_t i = 0; i < b.bits.size(); ++i) input_bit[b.bits[i].index()] = {uint32_t(in_buses.size()), i};
    in_buses.push_back({{"name", b.name}, {"width", b.bits.size()}});
  }
  for (uint32_t pos = 0; pos < ntk.num_inputs(); ++pos) {
    const uint32_t node = ntk.inputs()[pos];
    if (input_bit[node].first != UINT32_MAX) continue;
    input_bit[node] = {uint32_t(in_buses.size()), 0};
    in_buses.push_back({{"name", ntk.input_name(pos)}, {"width", 1}});
  }
  // First unit reading each input bus (from the units' external inputs), producer of each output bus.
  std::vector<int64_t> first_reader(in_buses.size(), -1);
  for (uint32_t id = 0; id < units.units.size(); ++id)
    for (uint32_t x : units.units[id].external)
      if (input_bit[x].first != UINT32_MAX && first_reader[input_bit[x].first] < 0) first_reader[input_bit[x].first] = id;
  std::map<uint32_t, std::vector<std::string>> output_names;  // gate node -> output bit names
  for (const Bus& b : ntk.output_buses()) {
    int64_t producer = -1;
    for (uint32_t i = 0; i < b.bits.size(); ++i) {
      const uint32_t node = b.bits[i].index();
      if (!ntk.is_gate(node)) continue;
      output_names[node].push_back(fmt::format("{}{}[{}]", b.bits[i].complemented() ? "~" : "", b.name, i));
      if (producer < 0) producer = units.unit_of_gate[ntk.gate_index(node)];
    }
    nlohmann::json jb = {{"name", b.name}, {"width", b.bits.size()}};
    if (producer >= 0) jb["unit"] = {{"leaf", units.units[producer].leaf}, {"index", units.units[producer].index}};
    out_buses.push_back(jb);
  }
  for (size_t i = 0; i < in_buses.size(); ++i)
    if (first_reader[i] >= 0)
      in_buses[i]["unit"] = {{"leaf", units.units[first_reader[i]].leaf}, {"index", units.units[first_reader[i]].index}};

  // Stamp: a fingerprint of this circuit and these options, so files of another run are refused.
  const CircuitStats st = stats.get();
  std::string fingerprint = st.line() + opts.title + opts.bounds_json + opts.verify_json + opts.model_dir;
  for (const std::string& m : ntk.modules()) fingerprint += m + '\n';
  const std::string stamp = fmt::format("{:016x}-{}", io::fnv1a64(fingerprint), units.units.size());

  const fs::path tmp = out.string() + fmt::format(".tmp-{}", getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  Writer w(tmp, stamp);
  try {
    // ---- meta ----
    nlohmann::json meta;
    meta["format"] = kSiteFormat;
    meta["stamp"] = stamp;
    meta["title"] = opts.title;
    meta["stats"] = st.to_json();
    meta["stats"].erase("critical_path");
    meta["stats"].erase("modules");
    meta["limits"] = {{"template_gates", kMaxTemplateGates}, {"units_per_chunk", kUnitsPerChunk}};
    meta["units"] = units.units.size();
    meta["templates"] = units.templates.size();
    auto& nodes = meta["nodes"] = nlohmann::json::array();
    for (uint32_t n = 0; n < tree.nodes.size(); ++n) {
      const TreeNode& tn = tree.nodes[n];
      nlohmann::json j = {{"name", tn.name},           {"path", tn.path},
                          {"module", tn.module},       {"parent", tn.parent == UINT32_MAX ? -1 : int64_t(tn.parent)},
                          {"depth", tn.depth},         {"children", tn.children},
                          {"gates", tn.gates},         {"edges", tn.edges},
                          {"first_level", tn.first_level}, {"last_level", tn.last_level},
                          {"depth_inside", tn.depth_inside}, {"critical", tn.critical},
                          {"units", units.of_leaf[n].size()}};
      if (tn.own_gates) j["own_gates"] = true;
      nlohmann::json pic = nlohmann::json::array();
      for (const BoxEdge& e : tree.pictures[n])
        pic.push_back({e.from == kInputsBox ? -1 : e.from == kOutputsBox ? -2 : int64_t(e.from),
                       e.to == kInputsBox ? -1 : e.to == kOutputsBox ? -2 : int64_t(e.to), e.wires, e.critical ? 1 : 0});
      j["picture"] = std::move(pic);
      nodes.push_back(std::move(j));
    }
    auto& path = meta["critical_path"] = nlohmann::json::array();
    for (uint32_t node : tree.critical_path) {
      if (ntk.is_gate(node)) {
        const uint32_t g = ntk.gate_index(node);
        const GateUnit& u = units.units[units.unit_of_gate[g]];
        path.push_back({{"leaf", u.leaf}, {"unit", u.index}, {"uid", units.unit_of_gate[g]},
                        {"local", units.local_of_gate[g]}, {"level", lv.level[node]}});
      } else if (input_bit[node].first != UINT32_MAX) {
        const auto [bus, bit] = input_bit[node];
        path.push_back({{"input", fmt::format("{}[{}]", in_buses[bus]["name"].get<std::string>(), bit)}, {"level", 0}});
      }
    }
    meta["buses"] = {{"inputs", in_buses}, {"outputs", out_buses}};
    // Size by op kind, with the tensors (the model's names) each op kind computes.
    std::vector<uint64_t> mg(ntk.modules().size() + 1), me(ntk.modules().size() + 1);
    for (uint32_t g = 0; g < ntk.num_gates(); ++g) {
      const GateView v = ntk.gate(g);
      ++mg[v.module];
      me[v.module] += v.size();
    }
    std::map<std::string, std::map<std::string, std::pair<uint64_t, uint64_t>>> ops;
    for (size_t m = 0; m < mg.size(); ++m) {
      if (mg[m] == 0) continue;
      const auto [op, tensor] = op_and_tensor(m < ntk.modules().size() ? ntk.modules()[m] : "");
      auto& cell = ops[op][tensor];
      cell.first += mg[m];
      cell.second += me[m];
    }
    auto& jops = meta["ops"] = nlohmann::json::array();
    for (const auto& [op, tensors] : ops) {
      nlohmann::json jo = {{"op", op}, {"gates", 0}, {"edges", 0}, {"tensors", nlohmann::json::array()}};
      uint64_t g = 0, e = 0;
      for (const auto& [tensor, ge] : tensors) {
        jo["tensors"].push_back({{"tensor", tensor}, {"gates", ge.first}, {"edges", ge.second}});
        g += ge.first, e += ge.second;
      }
      jo["gates"] = g;
      jo["edges"] = e;
      jops.push_back(std::move(jo));
    }
    if (!model.is_null()) meta["model"] = model;
    meta["has_bounds"] = !bounds.is_null();
    meta["has_verify"] = !verify.is_null();
    w.data("meta", meta.dump());
    if (!bounds.is_null()) w.data("bounds", bounds.dump());
    if (!verify.is_null()) w.data("verify", verify.dump());

    // ---- tree nodes: depth profile, and the units of leaves ----
    for (uint32_t n = 0; n < tree.nodes.size(); ++n) {
      const TreeNode& tn = tree.nodes[n];
      std::string s = fmt::format("{{\"profile\":{{\"first\":{},\"gates\":{},\"edges\":{}}},\"units\":[", tn.first_level,
                                  json_array(tn.level_gates), json_array(tn.level_edges));
      bool first = true;
      for (uint32_t id : units.of_leaf[n]) {
        const GateUnit& u = units.units[id];
        fmt::format_to(std::back_inserter(s), "{}[{},{},{},{},{},{},{},{}]", first ? "" : ",", id, u.index, u.gates.size(),
                       u.edges, u.first_level, u.last_level, u.template_id, u.critical ? 1 : 0);
        first = false;
      }
      s += "]}";
      w.data(fmt::format("n/{}", n), s);
    }

    // ---- unit instance data, 64 units of a leaf per file ----
    for (uint32_t leaf = 0; leaf < tree.nodes.size(); ++leaf) {
      const auto& list = units.of_leaf[leaf];
      for (uint32_t c0 = 0; c0 < list.size(); c0 += kUnitsPerChunk) {
        std::string s = "{\"units\":{";
        std::map<uint32_t, bool> named;  // units referenced, for their names
        for (uint32_t k = c0; k < std::min<uint32_t>(c0 + kUnitsPerChunk, uint32_t(list.size())); ++k) {
          const uint32_t id = list[k];
          const GateUnit& u = units.units[id];
          fmt::format_to(std::back_inserter(s), "{}\"{}\":{{\"t\":{},\"ext\":[", k == c0 ? "" : ",", id, u.template_id);
          // Groups of inputs from one source: src, count, then each index as the difference from the
          // previous one in the group (the first from 0). src >= 0 a unit id, src < 0 input bus -src-1.
          std::vector<std::pair<int64_t, int64_t>> refs;
          refs.reserve(u.external.size());
          for (uint32_t x : u.external) {
            if (ntk.is_gate(x)) {
              const uint32_t g = ntk.gate_index(x);
              refs.emplace_back(units.unit_of_gate[g], units.local_of_gate[g]);
              named[units.unit_of_gate[g]] = true;
            } else {
              refs.emplace_back(-int64_t(input_bit[x].first) - 1, input_bit[x].second);
            }
          }
          for (size_t i = 0; i < refs.size();) {
            size_t j = i;
            while (j < refs.size() && refs[j].first == refs[i].first) ++j;
            fmt::format_to(std::back_inserter(s), "{}{},{}", i ? "," : "", refs[i].first, j - i);
            int64_t prev = 0;
            for (size_t k = i; k < j; ++k) fmt::format_to(std::back_inserter(s), ",{}", refs[k].second - prev), prev = refs[k].second;
            i = j;
          }
          // Outputs: local indices as differences, and the output bit names of those that drive one.
          s += "],\"out\":[";
          std::string named_out;
          uint32_t prev = 0;
          for (size_t i = 0; i < u.outputs.size(); ++i) {
            const uint32_t local = u.outputs[i];
            fmt::format_to(std::back_inserter(s), "{}{}", i ? "," : "", local - prev);
            prev = local;
            auto it = output_names.find(ntk.gate_node(u.gates[local]));
            if (it != output_names.end())
              fmt::format_to(std::back_inserter(named_out), "{}\"{}\":{}", named_out.empty() ? "" : ",", local,
                             nlohmann::json(it->second).dump());
          }
          s += "],\"outnames\":{" + named_out + "}}";
        }
        s += "},\"names\":{";
        bool first = true;
        for (const auto& [id, _] : named) {
          const GateUnit& u = units.units[id];
          fmt::format_to(std::back_inserter(s), "{}\"{}\":[{},{}]", first ? "" : ",", id, u.leaf, u.index);
          first = false;
        }
        s += "}}";
        w.data(fmt::format("u/{}_{}", leaf, c0 / kUnitsPerChunk), s);
      }
    }

    // ---- templates ----
    for (uint32_t t = 0; t < units.templates.size(); ++t) {
      const UnitTemplate& ut = units.templates[t];
      std::string s = fmt::format("{{\"ext\":{},\"uses\":{},\"gates\":[", ut.external_inputs, ut.uses);
      // A gate: [theta] shares the previous gate's fan-in list; else [theta, refs, weights] where
      // refs is 0 for the previous listed gate's refs, and weights 1 for all ones, 0 for the
      // previous listed gate's weights.
      const TemplateGate* last = nullptr;
      for (size_t i = 0; i < ut.gates.size(); ++i) {
        const TemplateGate& g = ut.gates[i];
        s += i ? ",[" : "[";
        put_weight(s, g.theta);
        if (!g.shares_previous) {
          if (last && last->refs == g.refs) {
            s += ",0";
          } else {
            s += ",[";
            for (size_t k = 0; k < g.refs.size(); ++k) fmt::format_to(std::back_inserter(s), "{}{}", k ? "," : "", g.refs[k]);
            s += "]";
          }
          if (std::all_of(g.weights.begin(), g.weights.end(), [](Weight x) { return x == 1; })) {
            s += ",1";
          } else if (last && last->weights == g.weights) {
            s += ",0";
          } else {
            s += ",[";
            for (size_t k = 0; k < g.weights.size(); ++k) {
              if (k) s += ',';
              put_weight(s, g.weights[k]);
            }
            s += "]";
          }
          last = &g;
        }
        s += "]";
      }
      s += "]}";
      w.data(fmt::format("t/{}", t), s);
    }

    // ---- the app ----
    for (const char* f : kAppFiles) w.write(f, read_file((app / f).string(), "explorer app file"));
    res.bytes = w.bytes;
    res.files = w.files + 1;
    res.seconds_write = seconds_since(t0);
    res.cpu_write = thread_cpu_seconds() - c0;
    nlohmann::json marker = {{"tool", "tc0flow"}, {"command", "view"}, {"stamp", stamp}, {"title", opts.title},
                             {"site", res.to_json()}};
    w.write("tc0flow-view.json", marker.dump(2) + "\n");
    res.bytes = w.bytes;
    install(tmp, out);
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  return res;
}

}  // namespace tc0::explorer
