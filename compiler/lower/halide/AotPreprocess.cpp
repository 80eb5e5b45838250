#include "compiler/lower/halide/AotPreprocess.h"

#include <Halide.h>
#include "compiler/lower/halide/HostTarget.h"

#include <filesystem>

namespace edl::lower {

bool compile_preprocess(const PreprocessSpec &spec, const std::string &dir, std::string &error) {
  using namespace Halide;
  try {
    ImageParam input(UInt(8), 3, "input");  // (c, x, y), interleaved
    input.dim(0).set_stride(1).set_min(0).set_extent(spec.channels);
    input.dim(1).set_stride(spec.channels);
    Var x("x"), y("y"), c("c");
    Expr in_w = input.dim(1).extent(), in_h = input.dim(2).extent();
    // Pixel centres aligned, as OpenCV's INTER_LINEAR.
    Expr sx = clamp((cast<float>(x) + 0.5f) * cast<float>(in_w) / spec.width - 0.5f, 0.0f, cast<float>(in_w - 1));
    Expr sy = clamp((cast<float>(y) + 0.5f) * cast<float>(in_h) / spec.height - 0.5f, 0.0f, cast<float>(in_h - 1));
    Expr x0 = cast<int>(floor(sx)), y0 = cast<int>(floor(sy));
    Expr x1 = min(x0 + 1, in_w - 1), y1 = min(y0 + 1, in_h - 1);
    Expr fx = sx - cast<float>(x0), fy = sy - cast<float>(y0);
    auto at = [&](Expr px, Expr py) { return cast<float>(input(c, px, py)); };
    Expr value = (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) + (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy;
    // The training batches' arithmetic: x * (1 / (255 * std)) - mean / std.
    Expr scale = 1.0f / (255.0f * spec.std[0]), shift = spec.mean[0] / spec.std[0];
    for (int k = 1; k < spec.channels; ++k) {
      const std::size_t i = std::min<std::size_t>(k, spec.std.size() - 1), j = std::min<std::size_t>(k, spec.mean.size() - 1);
      scale = select(c == k, 1.0f / (255.0f * spec.std[i]), scale);
      shift = select(c == k, spec.mean[j] / spec.std[i], shift);
    }
    Func out("edl_preprocess");
    out(x, y, c) = value * scale - shift;
    out.output_buffer().dim(0).set_extent(spec.width).dim(1).set_extent(spec.height).dim(2).set_extent(spec.channels);
    out.reorder(x, y, c).vectorize(x, 8, TailStrategy::GuardWithIf);
    std::filesystem::create_directories(dir);
    out.compile_to_static_library((std::filesystem::path(dir) / "edl_preprocess").string(), {input}, "edl_preprocess",
                                  runnable(get_host_target()).without_feature(Target::JIT));
    return true;
  } catch (const Halide::Error &e) {
    error = e.what();
    return false;
  }
}

}  // namespace edl::lower
