#include "compiler/lower/halide/WarpBoxes.h"

#include <algorithm>
#include <cmath>

namespace edl::lower {

std::vector<std::size_t> warp_boxes(const AugmentProgram &program, const std::vector<float> &row,
                                    std::vector<BoxCorners> &boxes, double min_visible) {
  // The row holds output -> input (what the kernel needs); invert it back.
  const double i0 = row[0], i1 = row[1], i2 = row[2], i3 = row[3], i4 = row[4], i5 = row[5];
  double det = i0 * i4 - i1 * i3;
  if (std::fabs(det) < 1e-12) det = 1e-12;
  const double m0 = i4 / det, m1 = -i1 / det, m3 = -i3 / det, m4 = i0 / det;
  const double m2 = -(m0 * i2 + m1 * i5), m5 = -(m3 * i2 + m4 * i5);
  std::vector<std::size_t> kept;
  std::vector<BoxCorners> out;
  for (std::size_t k = 0; k < boxes.size(); ++k) {
    const BoxCorners &b = boxes[k];
    double x0 = 1e30, y0 = 1e30, x1 = -1e30, y1 = -1e30;
    for (const auto &[x, y] : {std::pair{b[0], b[1]}, {b[2], b[1]}, {b[0], b[3]}, {b[2], b[3]}}) {
      const double u = m0 * x + m1 * y + m2, v = m3 * x + m4 * y + m5;
      x0 = std::min(x0, u), x1 = std::max(x1, u), y0 = std::min(y0, v), y1 = std::max(y1, v);
    }
    const double area = (x1 - x0) * (y1 - y0);
    const double cx0 = std::clamp(x0, 0.0, static_cast<double>(program.out_w)),
                 cx1 = std::clamp(x1, 0.0, static_cast<double>(program.out_w)),
                 cy0 = std::clamp(y0, 0.0, static_cast<double>(program.out_h)),
                 cy1 = std::clamp(y1, 0.0, static_cast<double>(program.out_h));
    const double visible = std::max(0.0, cx1 - cx0) * std::max(0.0, cy1 - cy0);
    if (area <= 0 || visible <= 0 || visible < min_visible * area) continue;
    kept.push_back(k);
    out.push_back({static_cast<float>(cx0), static_cast<float>(cy0), static_cast<float>(cx1), static_cast<float>(cy1)});
  }
  boxes = std::move(out);
  return kept;
}

const AugmentOp *op_without_boxes(const spec::Augment &augment) {
  for (const AugmentOp &op : augment.ops)
    if (op.kind == spec::OpKind::Mixup || op.kind == spec::OpKind::Cutmix) return &op;
  return nullptr;
}

}  // namespace edl::lower
