// An augment block prepared for lowering: a flat list of ops with their
// argument values (constants or per-image distributions) and the control
// structure that decides, per image, which ops apply. Sampling happens on
// the host from the run's seed, so a batch is reproducible; the kernel
// receives one row of parameters per image. No Halide type appears here.
#pragma once

#include "compiler/sema/Checker.h"
#include "compiler/sema/SpaceValues.h"

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace edl::lower {

// A scalar argument: a constant or a distribution sampled per image.
struct Value {
  enum Kind { Const, Uniform, LogUniform, Int, Choice, Normal } kind = Const;
  double a = 0, b = 0;
  std::vector<double> options;
  double sample(std::mt19937_64 &rng) const;
};

enum class OpKind {
  FlipH, FlipV, Rotate, Rotate90, Affine, ShearX, ShearY, TranslateX, TranslateY, Crop, RandomResizedCrop, Resize,
  Pad, Brightness, Contrast, Saturation, Hue, Grayscale, Invert, Solarize, Posterize, Gamma, Cutout, Noise,
  Blur, Sharpness, Equalize, Autocontrast, Mixup, Cutmix, Custom
};

struct ProgramOp {
  OpKind kind;
  std::string name;
  SourceRange range;
  std::vector<Value> args;   // in the op's parameter order; what each means is per kind
  int size_w = 0, size_h = 0;    // resize / crop / random_resized_crop target in pixels
  double size_fraction = 0;      // crop(size = 80%)
  bool center = false;           // crop(position = center)
  int count = 1;                 // cutout
  const ast::Decl *custom = nullptr;
  bool geometric = false;
  bool before_warp = false;      // a pixel op applied to source pixels, before resampling
  double max_sigma = 0;          // blur: the largest sigma its value can take (sets the kernel radius)
  int enabled_slot = -1;         // parameter slots in the per-image row
  int first_arg_slot = -1;
};

// Which ops apply to an image: a tree over op indices.
struct Control {
  enum Kind { Op, Sequence, Maybe, OneOf, SomeOf } kind = Sequence;
  int op = -1;
  double p = 1;
  Value p_value;           // maybe(p = ...) or an op's p, sampled per image
  int n = 1;               // some_of
  std::vector<Control> children;
};

struct LoweringError {
  SourceRange range;
  DiagId id;
  std::vector<std::string> args;
  std::string message() const { return format_message(diagnostic_info(id).message, args); }
};

struct AugmentProgram {
  std::string name;
  std::vector<ProgramOp> ops;
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

using edl::SpaceValues;

// Prepares an augment block for images of the given size and channels.
// Errors (an op the lowering does not support, a size-changing op that is
// conditional) come back with their source ranges.
AugmentProgram build_program(const CheckedProject &project, const ast::Decl &augment, int width, int height,
                             int channels, std::vector<LoweringError> &errors, const SpaceValues &space = {});

}  // namespace edl::lower
