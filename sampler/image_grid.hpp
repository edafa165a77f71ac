#pragma once
// PNG grid of image samples (libpng): values in [-1, 1] map to grey levels 0..255 (clamped),
// each image scaled up by an integer factor, one pixel of border between images.
#include <string>
#include <vector>

namespace tc0::sampler {

// images: [n][channels * size * size] in (c, y, x) order; only channels == 1 or 3 are drawn.
void write_png_grid(const std::string& path, const std::vector<std::vector<double>>& images, int size, int channels,
                    int scale = 4);

}  // namespace tc0::sampler
