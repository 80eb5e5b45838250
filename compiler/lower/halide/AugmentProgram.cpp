#include "compiler/lower/halide/AugmentProgram.h"

#include "compiler/support/Hash.h"
#include "stdlib/Catalogue.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace edl::lower {
namespace {

using Matrix = std::array<double, 9>;  // row-major 3x3, forward: input -> output coordinates

Matrix multiply(const Matrix &a, const Matrix &b) {
  Matrix r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) r[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return r;
}

Matrix affine(double a, double b, double c, double d, double e, double f) { return {a, b, c, d, e, f, 0, 0, 1}; }

// Rotation by `deg` counter-clockwise as seen on screen (y points down),
// scaling and shearing, all about the canvas centre.
Matrix about_center(double cx, double cy, const Matrix &m) {
  return multiply(affine(1, 0, cx, 0, 1, cy), multiply(m, affine(1, 0, -cx, 0, 1, -cy)));
}

// Pointwise ops that are not affine in the pixel value do not commute with
// interpolation, so before the warp they run on source pixels.
bool nonlinear(OpKind k) {
  return k == OpKind::Solarize || k == OpKind::Posterize || k == OpKind::Gamma || k == OpKind::Custom ||
         k == OpKind::Equalize || k == OpKind::Autocontrast || k == OpKind::Blur || k == OpKind::Sharpness;
}

// Blur's kernel radius: from the largest sigma its value can take.
double max_sigma(const Value &s) {
  double m = s.kind == Value::Const    ? s.a.value
             : s.kind == Value::Choice ? *std::max_element(s.options.begin(), s.options.end())
             : s.kind == Value::Normal ? s.a.value + 4 * s.b
                                       : std::max(s.a.value, s.b);
  return std::clamp(m, 0.1, 50.0);
}

// Output canvas size after every size-changing op (they are unconditional).
void plan_canvas(AugmentProgram &prog) {
  int w = prog.in_w, h = prog.in_h;
  for (const AugmentOp &op : prog.ops) {
    switch (op.kind) {
      case OpKind::Crop:
        if (op.size_w) w = op.size_w, h = op.size_h;
        else w = std::max(1, static_cast<int>(std::lround(w * op.size_fraction))), h = std::max(1, static_cast<int>(std::lround(h * op.size_fraction)));
        break;
      case OpKind::RandomResizedCrop:
      case OpKind::Resize: w = op.size_w, h = op.size_h; break;
      case OpKind::Pad: w += 2 * static_cast<int>(op.args[0].a), h += 2 * static_cast<int>(op.args[0].a); break;
      case OpKind::Rotate90:
        if (op.args[0].kind == Value::Const && static_cast<int>(op.args[0].a) % 2 != 0) std::swap(w, h);
        break;
      default: break;
    }
  }
  prog.out_w = w;
  prog.out_h = h;
}

// Ops under a maybe, one_of or some_of, or with p < 1.
void mark_conditional(const Control &c, bool under, std::vector<char> &out) {
  bool here = under || c.kind == Control::Maybe || c.kind == Control::OneOf || c.kind == Control::SomeOf;
  if (c.kind == Control::Op) out[static_cast<std::size_t>(c.op)] = under;
  for (const Control &child : c.children) mark_conditional(child, here, out);
}

}  // namespace

AugmentProgram build_program(const spec::Augment &augment, int width, int height, int channels,
                             std::vector<LoweringError> &errors) {
  AugmentProgram prog;
  prog.name = augment.name;
  prog.ops = augment.ops;
  prog.root = augment.root;
  prog.fill = augment.fill;
  prog.in_w = width;
  prog.in_h = height;
  prog.channels = channels;
  // Token ops work on text (runtime/train/TokenAugment.h), audio ops on
  // sound (runtime/train/AudioAugment.h); the checker keeps them off images
  // (E0522), a plan built in code finds it here.
  for (const AugmentOp &op : prog.ops)
    if (spec::is_token_op(op.kind) || spec::is_audio_only_op(op.kind))
      errors.push_back({op.range, DiagId::OpOfOtherData,
                        {augment.name, op.name, spec::is_token_op(op.kind) ? "text" : "sound", "", "images"}});
  if (!errors.empty()) return prog;
  // A quarter turn that may or may not apply cannot keep one output shape
  // for images that are not square (E0702, found here when the dataset
  // does not declare its size).
  std::vector<char> conditional(prog.ops.size(), 0);
  mark_conditional(prog.root, false, conditional);
  for (std::size_t i = 0; i < prog.ops.size(); ++i) {
    const AugmentOp &op = prog.ops[i];
    if (op.kind == OpKind::Rotate90 && width != height && conditional[i] && !op.args.empty() &&
        (op.args[0].kind != Value::Const || static_cast<int>(op.args[0].a) % 2 != 0))
      errors.push_back({op.range, DiagId::ConditionalSizeChange, {op.name}});
  }
  plan_canvas(prog);
  // Pixel ops before the last geometric op, if nonlinear, run on the source.
  int last_geometric = -1;
  for (std::size_t i = 0; i < prog.ops.size(); ++i)
    if (prog.ops[i].geometric) last_geometric = static_cast<int>(i);
  prog.has_warp = last_geometric >= 0;
  int slot = 6;
  for (std::size_t i = 0; i < prog.ops.size(); ++i) {
    AugmentOp &op = prog.ops[i];
    if (op.kind == OpKind::Blur) op.max_sigma = max_sigma(op.args[0]);
    op.before_warp = !op.geometric && static_cast<int>(i) < last_geometric && nonlinear(op.kind);
    op.enabled_slot = slot++;
    op.first_arg_slot = slot;
    slot += static_cast<int>(op.args.size());
  }
  prog.slots = slot;
  // What shapes the generated kernel: the ops, their order and placement, sizes.
  std::string fp = "in " + std::to_string(width) + "x" + std::to_string(height) + "x" + std::to_string(channels) +
                   " out " + std::to_string(prog.out_w) + "x" + std::to_string(prog.out_h) + " fill " +
                   std::to_string(prog.fill) + "\n";
  for (const AugmentOp &op : prog.ops) {
    fp += op.name + (op.before_warp ? " pre" : "") + " args " + std::to_string(op.args.size()) + " count " +
          std::to_string(op.count) + " slot " + std::to_string(op.enabled_slot);
    if (op.custom) fp += " = " + spec::to_text(op.custom->body);
    if (op.kind == OpKind::Blur) fp += " sigma " + std::to_string(op.max_sigma);
    if (op.kind == OpKind::Cutout) fp += " size " + std::to_string(op.size_w) + "x" + std::to_string(op.size_h) + "/" + std::to_string(op.size_fraction);
    fp += "\n";
  }
  prog.fingerprint = content_hash(fp);
  return prog;
}

std::vector<float> AugmentProgram::sample(std::uint64_t seed, std::uint64_t index) const {
  // One generator per image, from the seed and the image's index, so an
  // image's augmentation does not depend on which batch it is in.
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32)};
  std::mt19937_64 rng(seq);
  const std::vector<char> enabled = spec::enabled_ops(root, ops.size(), rng);
  std::vector<float> row(static_cast<std::size_t>(slots), 0.0f);
  std::vector<std::vector<double>> values(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    for (const Value &v : ops[i].args) values[i].push_back(v.sample(rng));
    if (ops[i].kind == OpKind::Mixup || ops[i].kind == OpKind::Cutmix) {
      // lambda ~ Beta(alpha, alpha), from two gamma draws.
      double alpha = std::max(1e-3, ops[i].args[1].a.value);
      double g1 = std::gamma_distribution<double>(alpha, 1)(rng), g2 = std::gamma_distribution<double>(alpha, 1)(rng);
      values[i][1] = g1 + g2 > 0 ? g1 / (g1 + g2) : 0.5;
    }
  }

  Matrix m = affine(1, 0, 0, 0, 1, 0);
  double w = in_w, h = in_h;
  std::uniform_real_distribution<double> u01(0, 1);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const AugmentOp &op = ops[i];
    const std::vector<double> &a = values[i];
    row[static_cast<std::size_t>(op.enabled_slot)] = enabled[i] ? 1.0f : 0.0f;
    for (std::size_t k = 0; k < a.size(); ++k) row[static_cast<std::size_t>(op.first_arg_slot) + k] = static_cast<float>(a[k]);
    if (!op.geometric || !enabled[i]) continue;
    double cx = w / 2, cy = h / 2;
    Matrix step = affine(1, 0, 0, 0, 1, 0);
    switch (op.kind) {
      case OpKind::FlipH: step = affine(-1, 0, w, 0, 1, 0); break;
      case OpKind::FlipV: step = affine(1, 0, 0, 0, -1, h); break;
      case OpKind::Rotate: {
        double t = a[0] * M_PI / 180;  // counter-clockwise on screen, where y points down
        step = about_center(cx, cy, affine(std::cos(t), std::sin(t), 0, -std::sin(t), std::cos(t), 0));
        break;
      }
      case OpKind::Rotate90: {
        int k = ((static_cast<int>(std::lround(a[0])) % 4) + 4) % 4;
        for (int r = 0; r < k; ++r) {  // a quarter turn counter-clockwise: (x, y) -> (y, w - x)
          step = multiply(affine(0, 1, 0, -1, 0, w), step);
          std::swap(w, h);
        }
        break;
      }
      case OpKind::Affine: {
        double s = a[0], t = a[1] * M_PI / 180;
        Matrix lin = multiply(affine(s * std::cos(t), s * std::sin(t), 0, -s * std::sin(t), s * std::cos(t), 0),
                              affine(1, a[2], 0, a[3], 1, 0));
        step = multiply(affine(1, 0, a[4] * w, 0, 1, a[5] * h), about_center(cx, cy, lin));
        break;
      }
      case OpKind::ShearX: step = about_center(cx, cy, affine(1, a[0], 0, 0, 1, 0)); break;
      case OpKind::ShearY: step = about_center(cx, cy, affine(1, 0, 0, a[0], 1, 0)); break;
      case OpKind::TranslateX: step = affine(1, 0, a[0] * w, 0, 1, 0); break;
      case OpKind::TranslateY: step = affine(1, 0, 0, 0, 1, a[0] * h); break;
      case OpKind::Crop: {
        double cw = op.size_w ? op.size_w : std::max(1.0, std::round(w * op.size_fraction));
        double ch = op.size_w ? op.size_h : std::max(1.0, std::round(h * op.size_fraction));
        double x0 = op.center ? (w - cw) / 2 : std::floor(a[0] * (w - cw + 1));
        double y0 = op.center ? (h - ch) / 2 : std::floor(a[1] * (h - ch + 1));
        step = affine(1, 0, -x0, 0, 1, -y0);
        w = cw, h = ch;
        break;
      }
      case OpKind::RandomResizedCrop: {
        // torchvision's sampler: up to 10 tries at a random area and aspect
        // ratio, else a centre crop of the nearest allowed ratio.
        double area = w * h, cw = w, ch = h, x0 = 0, y0 = 0;
        bool found = false;
        for (int tries = 0; tries < 10 && !found; ++tries) {
          double target = area * std::uniform_real_distribution<double>(a[0], a[1])(rng);
          double ratio = std::exp(std::uniform_real_distribution<double>(std::log(a[2]), std::log(a[3]))(rng));
          double tw = std::round(std::sqrt(target * ratio)), th = std::round(std::sqrt(target / ratio));
          if (tw > 0 && th > 0 && tw <= w && th <= h) {
            cw = tw, ch = th;
            x0 = std::floor(u01(rng) * (w - cw + 1));
            y0 = std::floor(u01(rng) * (h - ch + 1));
            found = true;
          }
        }
        if (!found) {
          double r = w / h;
          if (r < a[2]) cw = w, ch = std::round(w / a[2]);
          else if (r > a[3]) ch = h, cw = std::round(h * a[3]);
          x0 = (w - cw) / 2, y0 = (h - ch) / 2;
        }
        step = affine(op.size_w / cw, 0, -x0 * op.size_w / cw, 0, op.size_h / ch, -y0 * op.size_h / ch);
        w = op.size_w, h = op.size_h;
        break;
      }
      case OpKind::Resize:
        step = affine(op.size_w / w, 0, 0, 0, op.size_h / h, 0);
        w = op.size_w, h = op.size_h;
        break;
      case OpKind::Pad: {
        double p = a[0];
        step = affine(1, 0, p, 0, 1, p);
        w += 2 * p, h += 2 * p;
        break;
      }
      default: break;
    }
    m = multiply(step, m);
  }
  // The kernel needs output -> input: invert the 2x3 affine part.
  double det = m[0] * m[4] - m[1] * m[3];
  if (std::fabs(det) < 1e-12) det = 1e-12;
  double i0 = m[4] / det, i1 = -m[1] / det, i3 = -m[3] / det, i4 = m[0] / det;
  row[0] = static_cast<float>(i0);
  row[1] = static_cast<float>(i1);
  row[2] = static_cast<float>(-(i0 * m[2] + i1 * m[5]));
  row[3] = static_cast<float>(i3);
  row[4] = static_cast<float>(i4);
  row[5] = static_cast<float>(-(i3 * m[2] + i4 * m[5]));
  return row;
}

}  // namespace edl::lower
