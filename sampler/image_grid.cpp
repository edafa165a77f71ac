#include "sampler/image_grid.hpp"

#include <fmt/format.h>
#include <png.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "fileio/atomic_file.hpp"

namespace tc0::sampler {

void write_png_grid(const std::string& path, const std::vector<std::vector<double>>& images, int size, int channels,
                    int scale) {
  if (images.empty()) throw std::invalid_argument("write_png_grid: no images");
  if (channels != 1 && channels != 3) throw std::invalid_argument("write_png_grid: only 1 or 3 channels can be drawn");
  const int n = static_cast<int>(images.size());
  const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  const int rows = (n + cols - 1) / cols;
  const int cell = size * scale + 1;
  const int W = cols * cell + 1, H = rows * cell + 1;
  std::vector<uint8_t> rgb(static_cast<size_t>(W) * H * 3, 64);
  for (int k = 0; k < n; ++k) {
    if (images[k].size() != static_cast<size_t>(channels * size * size))
      throw std::invalid_argument("write_png_grid: image size does not match");
    int ox = (k % cols) * cell + 1, oy = (k / cols) * cell + 1;
    for (int y = 0; y < size * scale; ++y)
      for (int x = 0; x < size * scale; ++x)
        for (int c = 0; c < 3; ++c) {
          int ch = channels == 1 ? 0 : c;
          double v = images[k][static_cast<size_t>(ch * size * size + (y / scale) * size + x / scale)];
          double g = std::clamp((v + 1) / 2, 0.0, 1.0);
          rgb[(static_cast<size_t>(oy + y) * W + ox + x) * 3 + c] = static_cast<uint8_t>(std::lround(g * 255));
        }
  }
  // Encoded into memory, then written through the atomic writer (fileio/).
  std::string encoded;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error("libpng: out of memory");
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error(fmt::format("libpng failed encoding '{}'", path));
  }
  png_set_write_fn(
      png, &encoded,
      [](png_structp p, png_bytep data, png_size_t n) {
        static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<const char*>(data), n);
      },
      [](png_structp) {});
  png_set_IHDR(png, info, W, H, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < H; ++y) png_write_row(png, &rgb[static_cast<size_t>(y) * W * 3]);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  fileio::write_file(path, encoded, "PNG grid");
}

}  // namespace tc0::sampler
