// An augment spec laid out for one image size: the output canvas, the
// per-image parameter slots the kernel reads, and a fingerprint of what
// shapes the kernel. Sampling happens on the host from the run's seed, so a
// batch is reproducible; the kernel receives one row of parameters per
// image. No Halide type appears here.
#pragma once

#include "compiler/resolve/AugmentSpec.h"
#include "compiler/support/Diagnostics.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edl::lower {

using spec::AugmentOp;
using spec::Control;
using spec::OpKind;
using spec::Value;

struct LoweringError {
  SourceRange range;
  DiagId id;
  std::vector<std::string> args;
  std::string message() const { return format_message(diagnostic_info(id).message, args); }
};

struct AugmentProgram {
  std::string name;
  std::vector<AugmentOp> ops;  // with their slots laid out
  Control root;
  int in_w = 0, in_h = 0, channels = 0;
  int out_w = 0, out_h = 0;
  int slots = 0;             // parameters per image: 6 for the warp matrix, then the ops'
  bool has_warp = false;
  double fill = 0;           // value outside the source image (pad's fill)
  std::string fingerprint;   // canonical text of everything that shapes the kernel

  // One row of `slots` parameters for image `index` of a run seeded `seed`.
  std::vector<float> sample(std::uint64_t seed, std::uint64_t index) const;
};

// Lays out a bound augment spec (spec::bind: searched values set) for
// images of the given size and channels. A conditional quarter turn on
// images that are not square comes back as an error (E0702).
AugmentProgram build_program(const spec::Augment &augment, int width, int height, int channels,
                             std::vector<LoweringError> &errors);

}  // namespace edl::lower
