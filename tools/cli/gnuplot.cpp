#include "tools/cli/gnuplot.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <unistd.h>

#include "fileio/atomic_file.hpp"
#include "fileio/input_file.hpp"

namespace tc0::cli {

namespace {

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

void render_gnuplot(const std::string& script, const std::string& data, const std::string& out_path) {
  namespace fs = std::filesystem;
  fileio::check_writable(out_path, "plot");
  // gnuplot's files live in a scratch folder of the system's temporary directory; the picture
  // reaches out_path through the atomic writer only when gnuplot succeeded.
  std::error_code ec;
  const fs::path tmp = fs::temp_directory_path(ec);
  std::string pattern = ((ec ? fs::path("/tmp") : tmp) / "tc0flow-plot-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error(fmt::format("cannot create a scratch folder for gnuplot ({})", pattern));
  const fs::path scratch(pattern);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(dir, e);
    }
  } cleanup{scratch};
  const fs::path data_file = scratch / "plot.dat", script_file = scratch / "plot.gp", picture = scratch / "plot.out";
  fileio::write_file(data_file.string(), data, "plot data");
  fileio::write_file(script_file.string(),
                     "DATA = " + quote(data_file.string()) + "\nOUT = " + quote(picture.string()) + "\n" + script,
                     "plot script");
  const std::string cmd = fmt::format("gnuplot {} 2>&1", quote(script_file.string()));
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run gnuplot");
  std::string msg;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) msg += buf;
  const int status = pclose(p);
  if (status != 0 || !fs::exists(picture)) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
      throw std::runtime_error("gnuplot is not installed (tools/deps.sh installs gnuplot-nox); or use --no-plots");
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    throw std::runtime_error(fmt::format("gnuplot failed to draw '{}': {}", out_path, msg.substr(msg.rfind('\n') + 1)));
  }
  fileio::write_file(out_path, fileio::read_regular_file(picture.string(), "gnuplot's picture", uint64_t(1) << 30), "plot");
}

}  // namespace tc0::cli
