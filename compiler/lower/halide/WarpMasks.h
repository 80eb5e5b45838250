// Label maps through an augment block's warp, beside the fused kernel that
// warps their images: the same row of sampled parameters, read at the same
// pixel centres, but the nearest source pixel is taken instead of a
// bilinear blend (a blend of class 2 and class 4 is not class 3).
// Photometric ops leave masks alone; pixels the warp brings in from outside
// the image are `fill` (the dataset's ignore_index).
#pragma once

#include <cstdint>
#include <vector>

namespace edl::lower {

// One image's label map, in_w x in_h, into out (out_w x out_h), by the
// output → input matrix at the front of `row` (AugmentProgram::sample).
void warp_mask(const std::vector<float> &row, const std::uint8_t *in, int in_w, int in_h, std::uint8_t *out, int out_w,
               int out_h, std::uint8_t fill);

}  // namespace edl::lower
