#pragma once
// Writes the circuit explorer (tc0flow view): a static site that opens from file:// with no server.
//
//   DIR/index.html, DIR/app.js, DIR/app.css   the app (bundled at build time from tools/explorer/web)
//   DIR/data/meta.js                          module tree, pictures, critical path, buses, ops, profile
//   DIR/data/n/<node>.js                      one tree node: its depth profile and (leaves) its units
//   DIR/data/u/<leaf>_<k>.js                  instance data of 64 units of a leaf (inputs, outputs)
//   DIR/data/t/<template>.js                  one gate-level template
//   DIR/data/bounds.js, DIR/data/verify.js    the optional reports
//   DIR/tc0flow-view.json                     what was written (marks DIR as a site we may replace)
//
// Browsers refuse fetch() from file://, so every data file is a script that calls
// tc0x.load(key, stamp, data); the page injects them one at a time, as views need them, and
// refuses a file whose stamp differs from meta.js's (left from another run).
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "circuits/network.hpp"

namespace tc0::explorer {

struct SiteOptions {
  std::string title;        // shown in the page (the circuit file name)
  std::string model_dir;    // optional: the model's tensor names and config
  std::string bounds_json;  // optional: `tc0flow bounds --json` output
  std::string verify_json;  // optional: the verification report ({"ops": [{"module", "status"}]})
  std::filesystem::path app_dir;  // where the bundled app lies (default: app_directory())
};

struct SiteResult {
  uint64_t bytes = 0;
  uint64_t files = 0;
  uint64_t tree_nodes = 0, units = 0, templates = 0, template_units = 0;
  double seconds_tree = 0, seconds_units = 0, seconds_write = 0;  // wall clock
  double cpu_tree = 0, cpu_units = 0, cpu_write = 0;              // CPU of the writing thread
  nlohmann::json to_json() const;
};

// The bundled app next to the running binary (<dir of tc0flow>/tc0flow-explorer), or $TC0FLOW_EXPLORER_DIR.
std::filesystem::path app_directory();

// Writes the site into `out` (created; a previous site there is replaced as a whole, anything else
// refused, through fileio::AtomicFolder: until the end nothing of the new site is visible, and an
// error or a signal leaves the old one). Throws std::runtime_error with one line saying what is wrong.
SiteResult write_site(const circuits::Network& ntk, const std::filesystem::path& out, const SiteOptions& opts);

// The check write_site makes of `out` first, alone: for a command that refuses a bad output before
// its other work (loading the circuit).
void check_site_output(const std::filesystem::path& out);

}  // namespace tc0::explorer
