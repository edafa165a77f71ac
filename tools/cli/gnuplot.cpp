#include "tools/cli/gnuplot.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

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
  const fs::path out(out_path);
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  const std::string stem = fmt::format(".{}.{}", out.filename().string(), getpid());
  const fs::path data_file = dir / (stem + ".dat"), script_file = dir / (stem + ".gp"), picture = dir / (stem + ".tmp");
  auto cleanup = [&] {
    std::error_code ec;
    fs::remove(data_file, ec);
    fs::remove(script_file, ec);
    fs::remove(picture, ec);
  };
  {
    std::ofstream d(data_file), s(script_file);
    d << data;
    s << "DATA = " << quote(data_file.string()) << "\nOUT = " << quote(picture.string()) << "\n" << script;
    if (!d || !s) {
      cleanup();
      throw std::runtime_error(fmt::format("cannot write the plot's files next to '{}'", out_path));
    }
  }
  const std::string cmd = fmt::format("gnuplot {} 2>&1", quote(script_file.string()));
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    cleanup();
    throw std::runtime_error("cannot run gnuplot");
  }
  std::string msg;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) msg += buf;
  const int status = pclose(p);
  if (status != 0 || !fs::exists(picture)) {
    cleanup();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
      throw std::runtime_error("gnuplot is not installed (tools/deps.sh installs gnuplot-nox); or use --no-plots");
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    throw std::runtime_error(fmt::format("gnuplot failed to draw '{}': {}", out_path, msg.substr(msg.rfind('\n') + 1)));
  }
  std::error_code ec;
  fs::rename(picture, out, ec);
  cleanup();
  if (ec) throw std::runtime_error(fmt::format("cannot write '{}': {}", out_path, ec.message()));
}

}  // namespace tc0::cli
