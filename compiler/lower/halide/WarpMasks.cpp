#include "compiler/lower/halide/WarpMasks.h"

#include <cmath>

namespace edl::lower {

void warp_mask(const std::vector<float> &row, const std::uint8_t *in, int in_w, int in_h, std::uint8_t *out, int out_w,
               int out_h, std::uint8_t fill) {
  // The kernel samples at (row · (x + 0.5, y + 0.5, 1)) - 0.5 in pixel
  // centres: the nearest pixel is the floor of the matrix product itself.
  for (int y = 0; y < out_h; ++y) {
    const float fy = static_cast<float>(y) + 0.5f;
    for (int x = 0; x < out_w; ++x) {
      const float fx = static_cast<float>(x) + 0.5f;
      const int sx = static_cast<int>(std::floor(row[0] * fx + row[1] * fy + row[2]));
      const int sy = static_cast<int>(std::floor(row[3] * fx + row[4] * fy + row[5]));
      out[static_cast<std::size_t>(y) * out_w + x] =
          sx >= 0 && sx < in_w && sy >= 0 && sy < in_h ? in[static_cast<std::size_t>(sy) * in_w + sx] : fill;
    }
  }
}

}  // namespace edl::lower
