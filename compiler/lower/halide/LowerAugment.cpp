#include "compiler/lower/halide/LowerAugment.h"

#include "Halide.h"
#include "compiler/lower/halide/HostTarget.h"
#include "compiler/lower/halide/LowerFormula.h"

#include "compiler/support/Hash.h"

#include <dlfcn.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <cmath>

namespace edl::lower {

using namespace Halide;

namespace {


bool pre_ops(const AugmentProgram &p) {
  for (const AugmentOp &op : p.ops)
    if (op.before_warp) return true;
  return false;
}

// mixup and cutmix blend an image with a partner of the same batch.
bool is_batch_op(const AugmentOp &op) { return op.kind == OpKind::Mixup || op.kind == OpKind::Cutmix; }

// Whether the kernel has the whole-pixel paths next to the resampling:
// not when pixel ops come before the warp (they read the source through
// them), when the output is larger than the source (it always resamples),
// or when batch ops need the whole batch in one call.
bool has_whole_pixel_paths(const AugmentProgram &p) {
  bool batch_ops = std::any_of(p.ops.begin(), p.ops.end(), is_batch_op);
  return p.has_warp && !pre_ops(p) && !batch_ops && p.out_w <= p.in_w && p.out_h <= p.in_h;
}

// The kernel's warp for a call. The host sorts images into runs by it.
enum class WarpPath { Resample = 0, Forwards = 1, Mirrored = 2 };

// Which warp an image of `program` with the parameter row `row` needs: one
// of the whole-pixel copies when its matrix is diagonal with entries of
// +-1, its offsets are whole pixels and every output pixel lies inside the
// source; else the bilinear resampling.
WarpPath whole_pixel_path(const AugmentProgram &program, const float *row) {
  auto near = [](double a, double b) { return std::fabs(a - b) < 1e-4; };
  auto whole = [&](double v) { return near(v, std::round(v)); };
  if (!near(row[1], 0) || !near(row[3], 0) || !(near(row[4], 1) || near(row[4], -1))) return WarpPath::Resample;
  // Source pixel of output pixel (x, y): column row[0] * x + first, row row[4] * y + top.
  double first = row[0] * 0.5 + row[2] - 0.5, top = row[4] * 0.5 + row[5] - 0.5;
  if (!whole(first) || !whole(top)) return WarpPath::Resample;
  double last = first + row[0] * (program.out_w - 1), bottom = top + row[4] * (program.out_h - 1);
  auto inside = [](double v, int size) { return std::round(v) >= 0 && std::round(v) <= size - 1; };
  if (!inside(first, program.in_w) || !inside(last, program.in_w) || !inside(top, program.in_h) ||
      !inside(bottom, program.in_h))
    return WarpPath::Resample;
  if (near(row[0], 1)) return WarpPath::Forwards;
  if (near(row[0], -1)) return WarpPath::Mirrored;
  return WarpPath::Resample;
}

// Per-pixel random numbers: an integer hash of position, channel and the
// image's own seed, so noise does not depend on the batch an image is in.
Expr hash_uniform(Expr x, Expr y, Expr c, Expr seed, int salt) {
  auto u32 = [](std::uint32_t v) { return Expr(v); };
  Expr h = (cast<uint32_t>(x) * u32(73856093u)) ^ (cast<uint32_t>(y) * u32(19349663u)) ^
           (cast<uint32_t>(c) * u32(83492791u)) ^ (cast<uint32_t>(seed) * u32(2654435761u)) ^
           u32(static_cast<std::uint32_t>(salt) * 0x9e3779b9u);
  h = h ^ (h >> u32(16));
  h = h * u32(0x7feb352du);
  h = h ^ (h >> u32(15));
  h = h * u32(0x846ca68bu);
  h = h ^ (h >> u32(16));
  return (cast<float>(h >> u32(8)) + 0.5f) * (1.0f / 16777216.0f);
}

}  // namespace

struct CompiledAugment::Impl {
  AugmentProgram program;
  ImageParam input{UInt(8), 4, "input"};
  ImageParam params{Float(32), 2, "params"};
  Func output{"augmented"};
  Func packed{"packed"}, pixel{"pixel"};  // the packed-pixel warp for three channels
  bool packed_warp = false;
  // Which warp a call runs (WarpPath); the host picks it per run of images.
  Param<int> path{"path"};
  bool whole_pixel_paths = false;
  Pipeline pipeline;
  double compile_seconds = 0;
  // The ahead-of-time kernel from the cache, when there is one.
  using Kernel = int (*)(halide_buffer_t *, halide_buffer_t *, int, halide_buffer_t *);
  void *library = nullptr;
  Kernel kernel = nullptr;
  bool from_cache = false;
  ~Impl() {
    if (library) dlclose(library);
  }
  Var c{"c"}, x{"x"}, y{"y"}, n{"n"};

  Expr param(int slot) { return params(slot, n); }

  // One call of the kernel on n images, all taking the warp `warp_path`.
  void run(const std::uint8_t *in_pixels, int count, const float *rows, std::uint8_t *out_pixels, int warp_path) {
    const int C = program.channels;
    halide_dimension_t in_dims[4] = {{0, C, 1}, {0, program.in_w, C}, {0, program.in_h, C * program.in_w},
                                     {0, count, C * program.in_w * program.in_h}};
    halide_dimension_t par_dims[2] = {{0, program.slots, 1}, {0, count, program.slots}};
    halide_dimension_t out_dims[4] = {{0, C, 1}, {0, program.out_w, C}, {0, program.out_h, C * program.out_w},
                                      {0, count, C * program.out_w * program.out_h}};
    Buffer<std::uint8_t> in(const_cast<std::uint8_t *>(in_pixels), 4, in_dims);
    Buffer<float> par(const_cast<float *>(rows), 2, par_dims);
    Buffer<std::uint8_t> out(out_pixels, 4, out_dims);
    if (kernel) {
      if (int code = kernel(in.raw_buffer(), par.raw_buffer(), warp_path, out.raw_buffer()))
        throw std::runtime_error("the augmentation kernel failed with Halide error " + std::to_string(code));
      return;
    }
    input.set(in);
    params.set(par);
    path.set(warp_path);
    pipeline.realize(out);
  }

  // gray of the three colour channels of f at (x, y, n); itself for one channel.
  Expr gray(Func f, int channels) {
    if (channels < 3) return f(0, x, y, n);
    return 0.299f * f(0, x, y, n) + 0.587f * f(1, x, y, n) + 0.114f * f(2, x, y, n);
  }

  // One pixel op applied to f, on the canvas of width w and height h.
  Func apply(const AugmentOp &op, Func f, Expr w, Expr h, const Func &mean_gray) {
    const int C = program.channels;
    Expr v = f(c, x, y, n);
    Expr a0 = op.args.empty() ? Expr(0.0f) : param(op.first_arg_slot);
    Expr color = C == 4 ? c < 3 : Internal::const_true();  // alpha is not a colour
    Expr r;
    switch (op.kind) {
      case OpKind::Brightness: r = select(color, v * a0, v); break;
      case OpKind::Contrast: r = select(color, (v - mean_gray(n)) * a0 + mean_gray(n), v); break;
      case OpKind::Saturation: r = C < 3 ? v : select(color, gray(f, C) + (v - gray(f, C)) * a0, v); break;
      case OpKind::Grayscale: r = select(color, gray(f, C), v); break;
      case OpKind::Invert: r = select(color, 1.0f - v, v); break;
      case OpKind::Solarize: r = select(color && v >= a0, 1.0f - v, v); break;
      case OpKind::Posterize: {
        Expr step = pow(2.0f, 8.0f - clamp(floor(a0), 1.0f, 8.0f));
        r = select(color, floor(floor(v * 255.0f + 0.5f) / step) * step / 255.0f, v);
        break;
      }
      case OpKind::Gamma: r = select(color, pow(max(v, 0.0f), a0), v); break;
      case OpKind::Noise: {
        Expr seed = cast<int>(param(op.first_arg_slot + 1));
        Expr u1 = hash_uniform(x, y, c, seed, 1), u2 = hash_uniform(x, y, c, seed, 2);
        r = select(color, v + a0 * sqrt(-2.0f * log(u1)) * cos(6.2831853f * u2), v);
        break;
      }
      case OpKind::Cutout: {
        Expr sw = op.size_w ? Expr(static_cast<float>(op.size_w)) : cast<float>(w) * static_cast<float>(op.size_fraction);
        Expr sh = op.size_w ? Expr(static_cast<float>(op.size_h)) : cast<float>(h) * static_cast<float>(op.size_fraction);
        Expr inside = Internal::const_false();
        for (int i = 0; i < op.count; ++i) {
          Expr cx = param(op.first_arg_slot + 2 * i) * cast<float>(w);
          Expr cy = param(op.first_arg_slot + 2 * i + 1) * cast<float>(h);
          inside = inside || (abs(cast<float>(x) + 0.5f - cx) < sw / 2 && abs(cast<float>(y) + 0.5f - cy) < sh / 2);
        }
        r = select(color && inside, 0.0f, v);
        break;
      }
      case OpKind::Hue: {
        if (C < 3) {
          r = v;
          break;
        }
        // A rotation of the chroma plane in YIQ space by shift turns.
        Expr R = f(0, x, y, n), G = f(1, x, y, n), B = f(2, x, y, n);
        Expr Y = 0.299f * R + 0.587f * G + 0.114f * B;
        Expr I = 0.596f * R - 0.274f * G - 0.322f * B, Q = 0.211f * R - 0.523f * G + 0.312f * B;
        Expr t = a0 * 6.2831853f;
        Expr I2 = I * cos(t) - Q * sin(t), Q2 = I * sin(t) + Q * cos(t);
        r = select(c == 0, Y + 0.956f * I2 + 0.621f * Q2, c == 1, Y - 0.272f * I2 - 0.647f * Q2,
                   c == 2, Y - 1.106f * I2 + 1.703f * Q2, v);
        break;
      }
      case OpKind::Blur: {
        // Separable Gaussian; the radius covers the largest sigma the value can take.
        const int R = static_cast<int>(std::ceil(3 * op.max_sigma));
        Expr sigma = max(a0, 0.05f);
        Func weight(op.name + "_w"), norm(op.name + "_norm"), bx(op.name + "_x"), by(op.name + "_y");
        Var k("k");
        weight(k, n) = exp(-cast<float>(k * k) / (2.0f * sigma * sigma));
        RDom t(-R, 2 * R + 1);
        norm(n) = sum(weight(t, n));
        f.compute_root();
        bx(c, x, y, n) = sum(weight(t, n) * f(c, clamp(x + t, 0, w - 1), y, n)) / norm(n);
        by(c, x, y, n) = sum(weight(t, n) * bx(c, x, clamp(y + t, 0, h - 1), n)) / norm(n);
        norm.compute_root();
        bx.compute_root().vectorize(x, 8, TailStrategy::GuardWithIf);
        by.compute_root().vectorize(x, 8, TailStrategy::GuardWithIf);
        r = select(color, by(c, x, y, n), v);
        break;
      }
      case OpKind::Sharpness: {
        // torchvision: blend with a 3x3 smoothing ([1 1 1; 1 5 1; 1 1 1] / 13); borders keep their value.
        f.compute_root();
        Expr s = 0.0f;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) s += f(c, clamp(x + dx, 0, w - 1), clamp(y + dy, 0, h - 1), n) * (dx == 0 && dy == 0 ? 5.0f : 1.0f);
        Expr smooth = select(x > 0 && y > 0 && x < w - 1 && y < h - 1, s / 13.0f, v);
        r = select(color, clamp(smooth + (v - smooth) * a0, 0.0f, 1.0f), v);
        break;
      }
      case OpKind::Equalize: {
        // Per channel, the histogram equalisation of OpenCV's equalizeHist.
        f.compute_root();
        Func q(op.name + "_q"), hist(op.name + "_hist"), cdf(op.name + "_cdf"), low(op.name + "_low");
        Var b("b");
        q(c, x, y, n) = cast<int>(clamp(f(c, x, y, n) * 255.0f + 0.5f, 0.0f, 255.0f));
        RDom px(0, w, 0, h);
        hist(b, c, n) = 0;
        hist(q(c, px.x, px.y, n), c, n) += 1;
        RDom scan(1, 255);
        cdf(b, c, n) = hist(0, c, n);
        cdf(scan, c, n) = cdf(scan - 1, c, n) + hist(scan, c, n);
        RDom bins(0, 256);
        Expr total = w * h;
        low(c, n) = minimum(select(hist(bins, c, n) > 0, cdf(bins, c, n), total));
        hist.compute_root();
        cdf.compute_root();
        low.compute_root();
        Expr lvl = q(c, x, y, n);
        Expr scale = 255.0f / cast<float>(max(total - low(c, n), 1));
        Expr mapped = clamp(floor(cast<float>(cdf(lvl, c, n) - low(c, n)) * scale + 0.5f), 0.0f, 255.0f);
        r = select(color, select(low(c, n) >= total, v, mapped / 255.0f), v);
        break;
      }
      case OpKind::Autocontrast: {
        f.compute_root();
        Func lo(op.name + "_lo"), hi(op.name + "_hi");
        RDom px(0, w, 0, h);
        lo(c, n) = minimum(f(c, px.x, px.y, n));
        hi(c, n) = maximum(f(c, px.x, px.y, n));
        lo.compute_root();
        hi.compute_root();
        r = select(color && hi(c, n) > lo(c, n), (v - lo(c, n)) / (hi(c, n) - lo(c, n)), v);
        break;
      }
      case OpKind::Mixup:
      case OpKind::Cutmix: {
        // Another image of the batch: params hold the partner as a fraction of the batch.
        Expr N = input.dim(3).extent();
        Expr partner = clamp(cast<int>(param(op.first_arg_slot) * cast<float>(N)), 0, N - 1);
        Expr lambda = param(op.first_arg_slot + 1);
        f.compute_root();
        Expr other = f(c, x, y, partner);
        if (op.kind == OpKind::Mixup) {
          r = lambda * v + (1.0f - lambda) * other;
        } else {
          Expr side = sqrt(max(1.0f - lambda, 0.0f));
          Expr bw = cast<float>(w) * side, bh = cast<float>(h) * side;
          Expr cx = param(op.first_arg_slot + 2) * cast<float>(w), cy = param(op.first_arg_slot + 3) * cast<float>(h);
          Expr inside = abs(cast<float>(x) + 0.5f - cx) < bw / 2 && abs(cast<float>(y) + 0.5f - cy) < bh / 2;
          r = select(inside, other, v);
        }
        break;
      }
      case OpKind::Custom: {
        std::map<std::string, Expr> ps;
        for (std::size_t i = 0; i < op.custom->params.size(); ++i) {
          Expr p = param(op.first_arg_slot + static_cast<int>(i));
          const std::string &t = op.custom->params[i].type;
          ps[op.custom->params[i].name] = t == "int" ? floor(p) : t == "bool" ? cast<float>(p > 0.5f) : p;
        }
        Expr u = (cast<float>(x) + 0.5f) / cast<float>(w), vv = (cast<float>(y) + 0.5f) / cast<float>(h);
        ps["x"] = v, ps["c"] = cast<float>(c), ps["u"] = u, ps["v"] = vv;
        r = select(color, lower_formula(op.custom->body, ps), v);
        break;
      }
      default: r = v; break;
    }
    Func g(op.name);
    g(c, x, y, n) = select(param(op.enabled_slot) > 0.5f, r, v);
    return g;
  }

  void build() {
    const AugmentProgram &p = program;
    const int C = p.channels;
    Expr W = input.dim(1).extent(), H = input.dim(2).extent();
    Func src("source");
    src(c, x, y, n) = cast<float>(input(c, clamp(x, 0, W - 1), clamp(y, 0, H - 1), n)) * (1.0f / 255.0f);

    // The source's mean gray level per image, for contrast.
    Func mean_gray("mean_gray");
    bool needs_mean = false;
    for (const AugmentOp &op : p.ops) needs_mean = needs_mean || op.kind == OpKind::Contrast;
    Func mean_part("mean_part");
    Var lane("lane");
    if (needs_mean) {
      // 16 partial sums side by side (one vector) over whole 16-pixel runs,
      // then the few pixels left of each row: the reduction vectorises
      // without clamped (gathered) reads.
      auto gray_at = [&](Expr px, Expr py) {
        auto v = [&](int ch) { return cast<float>(input(ch, px, py, n)); };
        return (C < 3 ? v(0) : 0.299f * v(0) + 0.587f * v(1) + 0.114f * v(2)) * (1.0f / 255.0f);
      };
      RDom runs(0, W / 16, 0, H);
      mean_part(lane, n) = 0.0f;
      mean_part(lane, n) += gray_at(runs.x * 16 + lane, runs.y);
      RDom lanes(0, 16), rest(0, W % 16, 0, H);
      mean_gray(n) = (sum(mean_part(lanes, n)) + sum(gray_at(W / 16 * 16 + rest.x, rest.y))) / cast<float>(W * H);
    } else {
      mean_gray(n) = 0.5f;
    }

    Func f = src;
    for (const AugmentOp &op : p.ops)
      if (op.before_warp) f = apply(op, f, W, H, mean_gray);

    Func warped("warped");
    if (p.has_warp) {
      Expr fx = cast<float>(x) + 0.5f, fy = cast<float>(y) + 0.5f;
      Expr sx = param(0) * fx + param(1) * fy + param(2) - 0.5f;
      Expr sy = param(3) * fx + param(4) * fy + param(5) - 0.5f;
      Expr x0 = cast<int>(floor(sx)), y0 = cast<int>(floor(sy));
      Expr wx = sx - floor(sx), wy = sy - floor(sy);
      Expr fill = static_cast<float>(p.fill);
      // Taps read clamped coordinates; how much of the sample lies inside the
      // source (1 inside, falling to 0 over the pixel beyond the edge)
      // blends towards the fill, without a test per tap.
      auto tap = [&](Expr tx, Expr ty) { return f(c, clamp(tx, 0, W - 1), clamp(ty, 0, H - 1), n); };
      Expr bilinear = lerp(lerp(tap(x0, y0), tap(x0 + 1, y0), wx), lerp(tap(x0, y0 + 1), tap(x0 + 1, y0 + 1), wx), wy);
      Expr cover_x = clamp(min(sx + 1.0f, cast<float>(W) - sx), 0.0f, 1.0f);
      Expr cover_y = clamp(min(sy + 1.0f, cast<float>(H) - sy), 0.0f, 1.0f);
      Expr cover = cover_x * cover_y;
      if (C == 3 && !pre_ops(p)) {
        // Taps gather whole pixels: the three bytes of a pixel packed in one
        // 32-bit word, so a tap is one load instead of three, and all three
        // channels of an output pixel come from the same four loads.
        packed(x, y, n) = cast<uint32_t>(input(0, x, y, n)) | (cast<uint32_t>(input(1, x, y, n)) << 8) |
                          (cast<uint32_t>(input(2, x, y, n)) << 16);
        auto word = [&](Expr tx, Expr ty) { return packed(clamp(tx, 0, W - 1), clamp(ty, 0, H - 1), n); };
        Expr w00 = word(x0, y0), w10 = word(x0 + 1, y0), w01 = word(x0, y0 + 1), w11 = word(x0 + 1, y0 + 1);
        std::vector<Expr> rgb;
        for (int ch = 0; ch < 3; ++ch) {
          auto byte = [&](Expr w) { return cast<float>((w >> static_cast<uint32_t>(8 * ch)) & 255u) * (1.0f / 255.0f); };
          Expr v = lerp(lerp(byte(w00), byte(w10), wx), lerp(byte(w01), byte(w11), wx), wy);
          rgb.push_back(v * cover + fill * (1.0f - cover));
        }
        pixel(x, y, n) = Tuple(rgb);
        warped(c, x, y, n) = mux(c, {pixel(x, y, n)[0], pixel(x, y, n)[1], pixel(x, y, n)[2]});
        packed_warp = true;
      } else {
        warped(c, x, y, n) = bilinear * cover + fill * (1.0f - cover);
      }
    } else {
      warped(c, x, y, n) = f(c, x, y, n);
    }
    // An image whose warp only moves whole pixels (identity, flips,
    // whole-pixel crops and translations: no rotation, no scaling, all of
    // the output inside the source) needs no resampling: its rows are
    // copied, forwards or mirrored, with dense loads. The host sends such
    // images down these paths (whole_pixel_path); the rest resample.
    if (whole_pixel_paths) {
      Expr OW = p.out_w;
      // On these paths the matrix is diagonal with entries +-1 and whole-pixel offsets.
      Expr first_column = cast<int>(floor(param(0) * 0.5f + param(2)));
      Expr row = clamp(cast<int>(floor(param(4) * (cast<float>(y) + 0.5f) + param(5))), 0, H - 1);
      Expr forwards = input(c, clamp(first_column, 0, W - OW) + x, row, n);
      Expr mirrored = input(c, clamp(first_column, OW - 1, W - 1) - x, row, n);
      auto level = [](Expr v) { return cast<float>(v) * (1.0f / 255.0f); };
      Func resampled = warped;
      warped = Func("warped_or_copied");
      warped(c, x, y, n) = select(path == int(WarpPath::Forwards), level(forwards),
                                  select(path == int(WarpPath::Mirrored), level(mirrored), resampled(c, x, y, n)));
    }

    Func g = warped;
    Expr OW = p.out_w, OH = p.out_h;
    for (const AugmentOp &op : p.ops)
      if (!op.geometric && !op.before_warp && !is_batch_op(op)) g = apply(op, g, OW, OH, mean_gray);
    // Batch ops mix finished images, so they come last.
    for (const AugmentOp &op : p.ops)
      if (is_batch_op(op)) g = apply(op, g, OW, OH, mean_gray);

    output(c, x, y, n) = cast<uint8_t>(clamp(g(c, x, y, n) * 255.0f + 0.5f, 0.0f, 255.0f));

    // Interleaved layout, as loaded: channels innermost.
    input.dim(0).set_bounds(0, C).dim(1).set_stride(C);
    output.output_buffer().dim(0).set_bounds(0, C).dim(1).set_stride(C);
    Var yo("yo"), yi("yi");
    Var xo("xo"), xi("xi");
    output.bound(c, 0, C).reorder(c, x, y, n).split(x, xo, xi, 16, TailStrategy::GuardWithIf).unroll(c).vectorize(xi)
        .split(y, yo, yi, 16, TailStrategy::GuardWithIf).parallel(yo).parallel(n);
    if (packed_warp) {
      packed.compute_at(output, n).vectorize(x, 16, TailStrategy::GuardWithIf);
      pixel.compute_at(output, xo).bound_extent(x, 16).vectorize(x);
    }
    if (needs_mean) {
      mean_gray.compute_root();
      mean_part.compute_at(mean_gray, n).vectorize(lane);
      mean_part.update().vectorize(lane);
    }
    if (whole_pixel_paths) {
      // One loop nest per path, each simplified for it; the schedule above is shared.
      output.specialize(path == int(WarpPath::Forwards));
      output.specialize(path == int(WarpPath::Mirrored));
    }
    pipeline = Pipeline(output);
  }
};

CompiledAugment::CompiledAugment(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledAugment::~CompiledAugment() = default;

namespace {

extern "C" char **environ;

// Links an object file into a shared library with the system C++ compiler.
bool link_shared(const std::string &object, const std::string &library) {
  std::vector<std::string> args = {"c++", "-shared", "-o", library, object, "-lpthread", "-ldl"};
  std::vector<char *> argv;
  for (std::string &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawnp(&pid, "c++", nullptr, nullptr, argv.data(), environ) != 0) return false;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

std::unique_ptr<CompiledAugment> CompiledAugment::compile(const AugmentProgram &program, std::string &error,
                                                          const std::string &cache_dir) {
  namespace fs = std::filesystem;
  auto impl = std::make_unique<Impl>();
  impl->program = program;
  impl->whole_pixel_paths = has_whole_pixel_paths(program);
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  Target target = runnable(get_jit_target_from_environment());
  std::string library;
  if (!cache_dir.empty()) {
    // The kernel's identity: the program, the target, and the version of the lowering (this file and
    // LowerFormula.cpp; 5: formula functions as stdlib::formula_reference defines them).
    std::string key = content_hash(program.fingerprint + "|" + target.to_string() + "|lowering 6");
    library = (fs::path(cache_dir) / ("augment-" + key.substr(0, 24) + ".so")).string();
    if (fs::exists(library)) {
      impl->library = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (impl->library) impl->kernel = reinterpret_cast<Impl::Kernel>(dlsym(impl->library, "edl_augment"));
      if (impl->kernel) {
        impl->from_cache = true;
        impl->compile_seconds = elapsed();
        return std::unique_ptr<CompiledAugment>(new CompiledAugment(std::move(impl)));
      }
    }
  }
  try {
    impl->build();
    if (!library.empty()) {
      // Ahead of time into the cache; a machine without a C++ compiler to
      // link the library falls back to the JIT below.
      std::error_code ec;
      fs::create_directories(cache_dir, ec);
      std::string object = library + "." + std::to_string(getpid()) + ".o";
      std::string partial = library + "." + std::to_string(getpid()) + ".tmp";
      // A JIT target leaves the Halide runtime out; the library needs its own.
      impl->pipeline.compile_to_object(object, {impl->input, impl->params, impl->path}, "edl_augment",
                                       target.without_feature(Target::JIT));
      bool linked = link_shared(object, partial);
      fs::remove(object, ec);
      if (linked) fs::rename(partial, library, ec);
      else fs::remove(partial, ec);
      if (linked && !ec) {
        impl->library = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (impl->library) impl->kernel = reinterpret_cast<Impl::Kernel>(dlsym(impl->library, "edl_augment"));
      }
    }
    if (!impl->kernel) impl->pipeline.compile_jit(target);
    impl->compile_seconds = elapsed();
  } catch (const Halide::Error &e) {
    error = std::string("the augmentation compiler failed: ") + e.what();
    return nullptr;
  }
  return std::unique_ptr<CompiledAugment>(new CompiledAugment(std::move(impl)));
}

void CompiledAugment::run(const std::uint8_t *input, int n, const float *params, std::uint8_t *output) const {
  const AugmentProgram &p = impl_->program;
  auto path_of = [&](int i) {
    if (!impl_->whole_pixel_paths) return WarpPath::Resample;
    return whole_pixel_path(p, params + static_cast<std::size_t>(i) * p.slots);
  };
  // Runs of images that take the same warp, one call each.
  const std::size_t in_image = static_cast<std::size_t>(p.channels) * p.in_w * p.in_h;
  const std::size_t out_image = static_cast<std::size_t>(p.channels) * p.out_w * p.out_h;
  for (int first = 0; first < n;) {
    WarpPath path = path_of(first);
    int end = first + 1;
    while (end < n && path_of(end) == path) ++end;
    impl_->run(input + first * in_image, end - first, params + static_cast<std::size_t>(first) * p.slots,
               output + first * out_image, static_cast<int>(path));
    first = end;
  }
}

const AugmentProgram &CompiledAugment::program() const { return impl_->program; }
double CompiledAugment::compile_seconds() const { return impl_->compile_seconds; }
bool CompiledAugment::from_cache() const { return impl_->from_cache; }

}  // namespace edl::lower
