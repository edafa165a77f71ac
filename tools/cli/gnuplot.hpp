#pragma once
// Plots through gnuplot (Debian's gnuplot-nox, installed by tools/deps.sh): the caller writes the
// data and a script in gnuplot's own language; render() runs it and moves the picture into place
// only when gnuplot succeeded. A missing gnuplot, or a script gnuplot refuses, is one error line.
#include <string>

namespace tc0::cli {

// Runs `script` (which must `set output` to the path it is given through the variable OUT) and
// writes the picture to out_path; `data` is written to a temporary file whose path the script
// reads from the variable DATA.
void render_gnuplot(const std::string& script, const std::string& data, const std::string& out_path);

}  // namespace tc0::cli
