// An augment block resolved: a flat list of ops with their argument values
// (constants, searched values or per-image distributions) and the control
// structure that decides, per image, which ops apply. lower::build_program
// lays it out for one image size (canvas, parameter slots) and Halide
// lowers that; sampling happens on the host from the run's seed.
#pragma once

#include "compiler/resolve/Scalar.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace edl::spec {

// A scalar argument: a constant (possibly searched) or a distribution
// sampled per image.
struct Value {
  enum Kind { Const, Uniform, LogUniform, Int, Choice, Normal } kind = Const;
  Scalar a;
  double b = 0;
  std::vector<double> options;
  double sample(std::mt19937_64 &rng) const;
  static Value constant(double v) { return Value{Const, v, 0, {}}; }
  static Value uniform(double lo, double hi) { return Value{Uniform, lo, hi, {}}; }
};

enum class OpKind {
  FlipH, FlipV, Rotate, Rotate90, Affine, ShearX, ShearY, TranslateX, TranslateY, Crop, RandomResizedCrop, Resize,
  Pad, Brightness, Contrast, Saturation, Hue, Grayscale, Invert, Solarize, Posterize, Gamma, Cutout, Noise,
  Blur, Sharpness, Equalize, Autocontrast, Mixup, Cutmix,
  TokenDropout, TokenSwap,  // text: applied to token ids on the host (runtime/train/TokenAugment.h)
  TimeShift, Gain, TimeMask, FreqMask,  // sound, with Noise: on the host (runtime/train/AudioAugment.h)
  Custom
};

bool is_geometric(OpKind k);
bool is_token_op(OpKind k);
bool is_audio_only_op(OpKind k);  // time_shift gain time_mask freq_mask (noise works on images too)
bool changes_size(OpKind k);

// A user-defined `op`: its parameters and the per-pixel formula (over x, c,
// u, v and the parameters).
struct CustomOp {
  struct Param {
    std::string name, type;  // type: float, int or bool
  };
  std::string name;
  std::vector<Param> params;
  Formula body;
};

struct AugmentOp {
  OpKind kind = OpKind::Custom;
  std::string name;
  SourceRange range;
  std::vector<Value> args;       // in the op's parameter order; what each means is per kind
  int size_w = 0, size_h = 0;    // resize / crop / random_resized_crop target in pixels
  double size_fraction = 0;      // crop(size = 80%)
  bool center = false;           // crop(position = center)
  int count = 1;                 // cutout, time_mask, freq_mask
  std::shared_ptr<const CustomOp> custom;
  bool geometric = false;
  // Laid out by lower::build_program for one image size:
  bool before_warp = false;      // a pixel op applied to source pixels, before resampling
  double max_sigma = 0;          // blur: the largest sigma its value can take (sets the kernel radius)
  int enabled_slot = -1;         // parameter slots in the per-image row
  int first_arg_slot = -1;
};

// Which ops apply to an image: a tree over op indices.
struct Control {
  enum Kind { Op, Sequence, Maybe, OneOf, SomeOf } kind = Sequence;
  int op = -1;
  Value p_value = Value::constant(1);  // maybe(p = ...) or an op's p, sampled per image
  int n = 1;                           // some_of
  Scalar n_value;                      // n as written: bind() sets `n` from it when searched
  std::vector<Control> children;
  // A policy's group: its ops' values follow the magnitude (which a search
  // may set), so bind() sets them again from the bound magnitude.
  enum Policy { None, RandAugment, TrivialAugment } policy = None;
  Scalar magnitude;                    // randaugment's m, of 30
};

// The values of `op` (of kind `k`) in a policy at magnitude `m`: a random
// sign at the magnitude, or for trivialaugment uniform over the whole
// range, as in torchvision. False for an op no policy can apply.
bool set_policy_args(AugmentOp &op, OpKind k, bool trivial, double m);

struct Augment {
  std::string name;
  std::vector<AugmentOp> ops;
  Control root;
  double fill = 0;  // value outside the source image (pad's fill)
};

// Which of `ops` ops apply to one sample: the control tree walked with
// `rng` (maybe's p, one_of's and some_of's picks). 1 where an op applies.
std::vector<char> enabled_ops(const Control &root, std::size_t ops, std::mt19937_64 &rng);

}  // namespace edl::spec
