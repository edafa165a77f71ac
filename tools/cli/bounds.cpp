// tc0flow bounds (--model DIR | --arch FILE) [--sweep AXIS=V1,V2,...]: exact gates, edges, depth,
// max fan-in, weight bits and majority size of compiled samplers, counted without building them
// (sampler/compile/count_arith.hpp), per point and per component, with power-law fits and plots.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <sstream>

#include "circuits/stats.hpp"
#include "fileio/input_file.hpp"
#include "sampler/compile/bounds.hpp"
#include "sampler/compile/memory.hpp"
#include "sampler/compile/trace.hpp"
#include "sampler/run.hpp"
#include "tools/cli/command.hpp"
#include "tools/cli/flags.hpp"
#include "tools/cli/gnuplot.hpp"

namespace {

using namespace tc0::sampler;
using namespace tc0::sampler::compile;

struct Options {
  std::string model, arch, sampler, sweep, out, json;
  int steps = 0, depth_budget = 6;
  unsigned group = 0;
  double max_gib = 0;
  bool materialise = false, no_plots = false;
  CLI::Option* no_plots_flag = nullptr;
};

// The memory budget's text for a refusal: the flag's value, or the default it replaces.
std::string budget_text(const Options& o, double budget) {
  return o.max_gib > 0 ? fmt::format("the --max-memory budget of {}", tc0::fileio::size_text(uint64_t(budget)))
                       : fmt::format("the budget of {} (80% of the available memory; --max-memory sets it)",
                                     tc0::fileio::size_text(uint64_t(budget)));
}

// Before any work: -o is a folder (created here) or a new name; no output is an input or another
// output, and each can be written.
void prepare_outputs(const Options& o, bool plots) {
  std::vector<tc0::cli::NamedPath> inputs = tc0::cli::model_paths(o.model);
  inputs.push_back({"--arch", o.arch});
  std::vector<tc0::cli::NamedPath> outputs;
  if (!o.out.empty()) {
    std::error_code ec;
    if (std::filesystem::exists(o.out, ec) && !std::filesystem::is_directory(o.out, ec))
      throw std::invalid_argument(fmt::format("-o '{}' exists and is not a folder; give a folder for bounds.json{}", o.out,
                                              plots ? " and the plots" : ""));
    std::filesystem::create_directories(o.out, ec);
    if (ec) throw std::invalid_argument(fmt::format("cannot create the -o folder '{}': {}", o.out, ec.message()));
    outputs.push_back({"-o", o.out + "/bounds.json"});
    if (plots) {
      outputs.push_back({"-o", o.out + "/bounds_edges.svg"});
      outputs.push_back({"-o", o.out + "/bounds_depth.svg"});
    }
  }
  outputs.push_back({"--json", o.json});
  tc0::cli::check_paths(inputs, outputs);
}

// Counts in three significant digits ("2.96e+06"), small ones in full.
std::string human(double v) { return v < 1e6 ? fmt::format("{:.0f}", v) : fmt::format("{:.3g}", v); }

// The axis and its values from "AXIS=V1,V2,...".
std::pair<Axis, std::vector<int>> parse_sweep(const std::string& s) {
  const size_t eq = s.find('=');
  const std::string name = s.substr(0, eq);
  const auto axis = axis_from_name(name);
  if (!axis)
    throw std::invalid_argument(fmt::format("--sweep '{}': unknown axis '{}'; axes: tokens, width, heads, blocks, "
                                            "steps, precision, depth_budget",
                                            s, name));
  if (eq == std::string::npos || eq + 1 == s.size())
    throw std::invalid_argument(fmt::format("--sweep '{}': give the values, e.g. --sweep {}=4,16,64", s, name));
  std::vector<int> values;
  std::stringstream in(s.substr(eq + 1));
  for (std::string v; std::getline(in, v, ',');) {
    size_t used = 0;
    long x = -1;
    try {
      x = std::stol(v, &used);
    } catch (const std::exception&) {
    }
    if (used != v.size() || x < 1 || x > 1 << 20)
      throw std::invalid_argument(fmt::format("--sweep '{}': value '{}' is not an integer in [1, 2^20]", s, v));
    values.push_back(int(x));
  }
  return {*axis, values};
}

// Edges (and gates) per component against the axis, log-log, with the fitted curves dashed; depth
// against the axis.
void plot(const std::vector<BoundsPoint>& pts, Axis axis, const ComponentFits& fits, const std::string& dir) {
  std::vector<std::string> names{"total"};
  for (const auto& [n, s] : pts.front().components) names.push_back(n);
  std::string data;
  for (const BoundsPoint& p : pts) {
    data += fmt::format("{} {}", p.setting.axis_value(axis), p.count.totals.edges);
    for (size_t i = 1; i < names.size(); ++i) {
      auto it = p.components.find(names[i]);
      data += fmt::format(" {}", it == p.components.end() ? 0 : it->second.edges);
    }
    data += fmt::format(" {} {}\n", p.count.depth, p.count.totals.gates);
  }
  const std::string x = axis_name(axis);
  std::string s = fmt::format(
      "set terminal svg size 900,560 dynamic font 'sans,13'\nset output OUT\n"
      "set title 'edges of the compiled sampler against {}, counted (dashed: power-law fit)'\n"
      "set logscale xy\nset xlabel '{}'\nset ylabel 'edges'\nset key outside right top\nset grid\n"
      "set format y '10^{{%L}}'\nplot ",
      x, x);
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& f = fits.edges.at(names[i]);
    s += fmt::format("{}DATA using 1:{} with linespoints lw 2 pt 7 lc {} title '{}'", i ? ", " : "", i + 2, i + 1,
                     names[i]);
    if (f.valid())
      s += fmt::format(", {} * x**{} with lines dt 2 lc {} title '{} ~ n^{{{:.2f}}}'", f.coefficient, f.exponent,
                       i + 1, names[i], f.exponent);
  }
  tc0::cli::render_gnuplot(s + "\n", data, dir + "/bounds_edges.svg");
  const size_t dcol = names.size() + 2;
  const std::string d = fmt::format(
      "set terminal svg size 900,480 dynamic font 'sans,13'\nset output OUT\n"
      "set title 'depth of the compiled sampler against {}'\nset logscale x\nset xlabel '{}'\nset ylabel 'depth "
      "(gates on the longest path)'\nset key outside right top\nset grid\nset yrange [0:*]\n"
      "plot DATA using 1:{} with linespoints lw 2 pt 7 title 'depth'\n",
      x, x, dcol);
  tc0::cli::render_gnuplot(d, data, dir + "/bounds_depth.svg");
}

int run(const Options& o) {
  if (o.model.empty() == o.arch.empty()) throw std::invalid_argument("give exactly one of --model DIR and --arch FILE");
  tc0::cli::refuse_flag(o.no_plots_flag, !o.sweep.empty() && !o.out.empty(),
                        "applies to a sweep written with -o (the plots are drawn only then)");
  BoundsSetting base;
  if (!o.model.empty()) {
    const Model m = Model::load(o.model);
    base.model_dir = o.model;
    base.arch = architecture_of(m.config());
    const SamplerSpec spec = sampler_spec(m, o.sampler, o.steps);
    base.kind = spec.kind;
    base.steps = spec.steps;
  } else {
    base.arch = parse_architecture(tc0::fileio::read_regular_file(o.arch, "architecture file", tc0::fileio::kMiB), o.arch);
    base.kind = o.sampler.empty() ? SamplerKind::mf2 : sampler_kind_from_name(o.sampler);
    base.steps = o.steps ? o.steps : 1;
  }
  base.linear.depth_budget = o.depth_budget;
  base.linear.group_size = o.group;
  std::optional<Axis> axis;
  std::vector<BoundsSetting> settings;
  if (o.sweep.empty()) {
    settings.push_back(base);
  } else {
    auto [a, values] = parse_sweep(o.sweep);
    axis = a;
    for (int v : values) settings.push_back(base.with(a, v));
  }
  const double budget = o.max_gib > 0 ? o.max_gib * double(1ull << 30) : 0.8 * double(available_memory_bytes());
  // refuse before any work what would not fit
  for (const BoundsSetting& s : settings) {
    const double need = count_bytes_estimate(s);
    if (budget > 0 && need > budget)
      throw std::runtime_error(fmt::format(
          "counting {} needs about {}, more than {}; raise --max-memory to try anyway",
          axis ? fmt::format("{} = {}", axis_name(*axis), s.axis_value(*axis)) : "this sampler",
          tc0::fileio::size_text(uint64_t(need)), budget_text(o, budget)));
  }
  prepare_outputs(o, axis && settings.size() >= 2 && !o.no_plots);
  const bool random = !base.model_dir || (axis && changes_shape(*axis));
  fmt::print("{} {}-step, linear-form depth budget {}, weights: {}\n", name(base.kind), base.steps, base.linear.depth_budget,
             random ? fmt::format("random (seed {}; another seed moves gates and edges by under 1%, never the "
                                  "depth: tools/bench/README.md)",
                                  base.arch.seed)
                    : "the model's");
  std::vector<BoundsPoint> pts;
  std::vector<nlohmann::json> materialised;
  for (size_t i = 0; i < settings.size(); ++i) {
    const BoundsSetting& s = settings[i];
    if (settings.size() > 1) {
      fmt::print(stderr, "[{}/{}] counting {} = {} ...\n", i + 1, settings.size(), axis_name(*axis), s.axis_value(*axis));
      std::fflush(stderr);
    }
    BoundsPoint p = count_point(s);
    const auto& t = p.count.totals;
    std::string comps;
    for (const auto& [n, c] : p.components)
      comps += fmt::format("  {} {:.0f}%", n, 100.0 * double(c.edges) / double(std::max<uint64_t>(1, t.edges)));
    fmt::print("{}gates {}  edges {}  depth {}  maxfanin {}  wbits {}  majority {}  |{}  ({:.2f} s)\n",
               axis ? fmt::format("{} {:>6}  ", axis_name(*axis), s.axis_value(*axis)) : "", human(double(t.gates)),
               human(double(t.edges)), p.count.depth, t.max_fanin, t.weight_bits,
               human(t.majority.convert_to<double>()), comps, p.seconds);
    std::fflush(stdout);
    if (o.materialise) {
      const double need = compile_bytes_needed(p.count);
      if (budget > 0 && need > budget)
        throw std::runtime_error(fmt::format("materialising needs about {}, more than {}; raise --max-memory or drop "
                                             "--materialise",
                                             tc0::fileio::size_text(uint64_t(need)), budget_text(o, budget)));
      const Model m = setting_model(s);
      CompileOptions co;
      co.linear = s.linear;
      const tc0::circuits::Network ntk = compile_sampler(m, make_spec(m, s.kind, s.steps), co);
      const tc0::circuits::CircuitStats st = tc0::circuits::compute_stats(ntk);
      const bool same = st.gates == t.gates && st.edges == t.edges && st.stored_edges == t.stored_edges &&
                        st.output_depth == p.count.depth && st.weight_bits == t.weight_bits &&
                        st.max_fanin == t.max_fanin && st.majority_size == t.majority;
      fmt::print("  materialised: {}  -> {}\n", st.line(), same ? "equal to the count" : "DIFFERS from the count");
      if (!same) throw std::logic_error("the materialised circuit differs from the count (a counter bug)");
      materialised.push_back({{"gates", st.gates}, {"edges", st.edges}, {"stored_edges", st.stored_edges},
                              {"depth", st.output_depth}, {"max_fanin", st.max_fanin}, {"weight_bits", st.weight_bits},
                              {"majority_size", st.majority_size.str()}});
    }
    pts.push_back(std::move(p));
  }
  auto j = tc0::cli::report_header("bounds");
  j["axis"] = axis ? nlohmann::json(axis_name(*axis)) : nlohmann::json(nullptr);
  j["weights"] = random ? "random" : "model";
  j["points"] = nlohmann::json::array();
  for (size_t i = 0; i < pts.size(); ++i) {
    j["points"].push_back(pts[i].to_json());
    if (o.materialise) j["points"].back()["materialised"] = materialised[i];
  }
  if (axis && pts.size() >= 2) {
    const ComponentFits f = fit_components(pts, *axis);
    auto fits_json = [](const std::map<std::string, tc0::numerics::PowerFit>& m) {
      nlohmann::json r = nlohmann::json::object();
      for (const auto& [n, fit] : m)
        if (fit.valid()) r[n] = {{"exponent", fit.exponent}, {"coefficient", fit.coefficient}, {"residual", fit.residual}};
      return r;
    };
    j["fits"] = {{"edges", fits_json(f.edges)}, {"gates", fits_json(f.gates)}};
    bool constant_depth = true;
    for (const BoundsPoint& p : pts) constant_depth = constant_depth && p.count.depth == pts.front().count.depth;
    j["depth_independent_of_axis"] = constant_depth;
    fmt::print("edges ~ {}^e:", axis_name(*axis));
    for (const auto& [n, fit] : f.edges)
      if (fit.valid()) fmt::print("  {} {:.2f} (residual {:.3f})", n, fit.exponent, fit.residual);
    fmt::print("\ndepth independent of {}: {}\n", axis_name(*axis), constant_depth ? "yes" : "no");
    if (!o.out.empty() && !o.no_plots) plot(pts, *axis, f, o.out);
  }
  if (!o.out.empty()) {
    tc0::cli::write_json(o.out + "/bounds.json", j);
    fmt::print("wrote {}/bounds.json{}\n", o.out, axis && pts.size() >= 2 && !o.no_plots ? ", bounds_edges.svg, bounds_depth.svg" : "");
  }
  tc0::cli::write_json(o.json, j);
  return 0;
}

tc0::cli::Registrar reg(
    "bounds", "Exact size and depth of compiled samplers, counted without building them, against any axis",
    [](CLI::App& sub) -> tc0::cli::Runner {
      auto o = std::make_shared<Options>();
      sub.add_option("--model", o->model, "Model directory (its weights; shape axes use random weights of its shape)");
      sub.add_option("--arch", o->arch, "Architecture file without weights (sampler/architectures/*.json): seeded "
                                        "random weights");
      sub.add_option("--sampler", o->sampler, "mf1 | mf2 | euler (default: the model's, or mf2)")
          ->check(CLI::IsMember({"mf1", "mf2", "euler"}));
      using tc0::cli::add_number;
      add_number(sub, "--steps", o->steps, 1, 64, "Sampler steps K on the uniform grid");
      add_number(sub, "--depth-budget", o->depth_budget, 2, 12,
                 "Depth of each linear form (2, 4, 6: plain, one or two grouping levels); default 6");
      add_number(sub, "--group-size", o->group, 2u, 4096u, "Terms per group in grouped linear forms (default 16)");
      sub.add_option("--sweep", o->sweep, "AXIS=V1,V2,...: tokens, width, heads, blocks, steps, precision, "
                                          "depth_budget");
      sub.add_flag("--materialise", o->materialise, "Also build each circuit and check it equals the count");
      add_number(sub, "--max-memory", o->max_gib, tc0::cli::Range<double>{0, 4096, true, false},
                 "Refuse points whose estimate exceeds this many GiB (default: 80% of the available memory)");
      sub.add_option("-o,--out", o->out, "Folder for bounds.json and, for a sweep, bounds_edges.svg and bounds_depth.svg");
      o->no_plots_flag = sub.add_flag("--no-plots", o->no_plots, "Do not draw the plots (they need gnuplot)");
      tc0::cli::add_json_option(sub, o->json);
      sub.footer("Counts are exact: equal to the materialised circuit's stats (tests/sampler/test_count_exact.cpp;\n"
                 "--materialise checks it). Components: attention, linear, nonlinear, norm, residual, update.\n"
                 "Example: tc0flow bounds --arch sampler/architectures/small_dit.json --sweep tokens=4,16,64,256 -o out");
      return [o] { return run(*o); };
    });

}  // namespace
