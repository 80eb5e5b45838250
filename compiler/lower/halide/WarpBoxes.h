// Boxes through an augment block's warp: the same matrix the Halide kernel
// samples with (AugmentProgram::sample's row), applied on the host. Photometric
// ops leave boxes alone; every geometric op is in the matrix.
#pragma once

#include "compiler/lower/halide/AugmentProgram.h"

#include <array>
#include <vector>

namespace edl::lower {

using BoxCorners = std::array<float, 4>;  // x0 y0 x1 y1, pixel edges (a pixel's centre at +0.5)

// A box keeps this share of its warped area inside the output, or is dropped:
// an object cropped down to a sliver is no longer a fair target.
inline constexpr double kMinVisibleShare = 0.25;

// Maps each box of one image by the forward warp of `row` (the sampled
// parameters of that image): the box around its four mapped corners,
// clipped to the out_w x out_h canvas. Returns the indices of the boxes
// kept; `boxes` then holds only those, in order.
std::vector<std::size_t> warp_boxes(const AugmentProgram &program, const std::vector<float> &row,
                                    std::vector<BoxCorners> &boxes, double min_visible = kMinVisibleShare);

// The op of the block that cannot carry boxes (mixup, cutmix: they blend
// two images, and with them two sets of boxes), or null.
const AugmentOp *op_without_boxes(const spec::Augment &augment);

}  // namespace edl::lower
