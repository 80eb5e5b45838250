// The augmentation compiler on real digits: each op against a plain
// reference (OpenCV or direct C++), control blocks, composition into one
// warp, determinism, custom ops, and the errors it gives for what it cannot do.
#include "TestSupport.h"

#include "compiler/lower/halide/LowerAugment.h"
#include "runtime/data/Dataset.h"

#include <catch2/catch.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <functional>
#include <map>
#include <filesystem>
#include <unistd.h>

using namespace edl;
using namespace edl::lower;

namespace {

// Real digits at 32x32, gray or as RGB with three different digits as channels.
const data::LoadedDataset &digits(int channels) {
  static std::map<int, data::LoadedDataset> cache;
  auto it = cache.find(channels);
  if (it != cache.end()) return it->second;
  data::DatasetSpec spec;
  spec.name = "digits";
  spec.path = test::source_dir() + "/data/digits";
  if (!std::filesystem::exists(spec.path + "/.complete")) FAIL("data/digits is missing: run scripts/fetch-data.sh");
  spec.width = spec.height = 32;
  spec.channels = 1;
  data::LoadedDataset d = data::load_dataset(spec, {false});
  if (channels == 3) {
    std::vector<std::uint8_t> rgb;
    const std::size_t px = 32 * 32;
    for (std::size_t i = 0; i + 2 < d.size(); i += 3)
      for (std::size_t p = 0; p < px; ++p)
        for (std::size_t ch = 0; ch < 3; ++ch) rgb.push_back(d.pixels[(i + ch) * px + p]);
    d.pixels = rgb;
    d.channels = 3;
    d.labels.resize(rgb.size() / (px * 3));
  }
  return cache.emplace(channels, std::move(d)).first->second;
}

struct Result {
  std::vector<std::uint8_t> out;
  AugmentProgram program;
  std::vector<std::vector<float>> params;
  std::shared_ptr<CompiledAugment> kernel;
};

// Compiles `steps` as an augment block and runs it on the first `count` images.
Result augment(const std::string &steps, int channels, int count, std::uint64_t seed = 1,
               const std::string &extra = "") {
  std::string text = "project \"t\" { seed = 1 }\n" + extra + "augment a {\n" + steps + "\n}\n";
  auto c = test::check_text(text);
  INFO(text);
  for (const Diagnostic &d : c->diags.diagnostics()) INFO(d.code << " " << d.message);
  REQUIRE(c->diags.error_count() == 0);
  std::vector<LoweringError> errors;
  Result r;
  r.program = build_program(*c->specs.augment("a"), 32, 32, channels, errors);
  for (const LoweringError &e : errors) INFO(e.message());
  REQUIRE(errors.empty());
  std::string error;
  auto compiled = CompiledAugment::compile(r.program, error);
  INFO(error);
  REQUIRE(compiled);
  std::vector<float> rows;
  for (int i = 0; i < count; ++i) {
    r.params.push_back(r.program.sample(seed, static_cast<std::uint64_t>(i)));
    rows.insert(rows.end(), r.params.back().begin(), r.params.back().end());
  }
  r.out.resize(static_cast<std::size_t>(count * r.program.out_w * r.program.out_h * channels));
  compiled->run(digits(channels).pixels.data(), count, rows.data(), r.out.data());
  r.kernel = std::move(compiled);
  return r;
}

cv::Mat image(const std::vector<std::uint8_t> &pixels, int index, int w, int h, int channels) {
  const std::uint8_t *p = pixels.data() + static_cast<std::size_t>(index) * w * h * channels;
  return cv::Mat(h, w, channels == 1 ? CV_8UC1 : CV_8UC3, const_cast<std::uint8_t *>(p)).clone();
}

// Largest difference over pixels at least `margin` away from the border.
int max_diff(const cv::Mat &a, const cv::Mat &b, int margin = 0) {
  cv::Rect inner(margin, margin, a.cols - 2 * margin, a.rows - 2 * margin);
  cv::Mat d;
  cv::absdiff(a(inner), b(inner), d);
  double mx;
  cv::minMaxLoc(d.reshape(1), nullptr, &mx);
  return static_cast<int>(mx);
}

double mean_diff(const cv::Mat &a, const cv::Mat &b, int margin) {
  cv::Rect inner(margin, margin, a.cols - 2 * margin, a.rows - 2 * margin);
  cv::Mat d;
  cv::absdiff(a(inner), b(inner), d);
  return cv::mean(d)[0];
}

template <typename F>
cv::Mat per_value(const cv::Mat &in, F f) {
  cv::Mat out = in.clone();
  for (std::size_t i = 0; i < out.total() * out.channels(); ++i)
    out.data[i] = cv::saturate_cast<std::uint8_t>(std::lround(f(in.data[i] / 255.0) * 255.0));
  return out;
}

}  // namespace

TEST_CASE("augment: identities are exact", "[augment]") {
  for (const char *steps : {"rotate(degrees = 0)", "brightness(factor = 1)", "flip_horizontal(p = 0)",
                            "noise(std = 0)", "affine()", "translate_x(fraction = 0)"}) {
    INFO(steps);
    Result r = augment(steps, 1, 8);
    CHECK(std::equal(r.out.begin(), r.out.end(), digits(1).pixels.begin()));
  }
}

TEST_CASE("augment: flips and quarter turns move pixels exactly", "[augment]") {
  Result h = augment("flip_horizontal()", 1, 4);
  Result v = augment("flip_vertical()", 3, 4);
  Result q = augment("rotate90(k = 1)", 1, 4);
  for (int i = 0; i < 4; ++i) {
    cv::Mat in1 = image(digits(1).pixels, i, 32, 32, 1), in3 = image(digits(3).pixels, i, 32, 32, 3), ref;
    cv::flip(in1, ref, 1);
    CHECK(max_diff(image(h.out, i, 32, 32, 1), ref) == 0);
    cv::flip(in3, ref, 0);
    CHECK(max_diff(image(v.out, i, 32, 32, 3), ref) == 0);
    cv::rotate(in1, ref, cv::ROTATE_90_COUNTERCLOCKWISE);
    CHECK(max_diff(image(q.out, i, 32, 32, 1), ref) == 0);
  }
}

TEST_CASE("augment: in one batch, images that only move whole pixels are copied, the others resampled", "[augment]") {
  Result r = augment("flip_horizontal(p = 0.5)\n maybe(p = 0.5) { rotate(degrees = uniform(-20, 20)) }\n"
                     " crop(size = 24x24)\n brightness(factor = uniform(0.8, 1.2))", 3, 24);
  int brightness_slot = -1;
  for (const AugmentOp &op : r.program.ops)
    if (op.kind == OpKind::Brightness) brightness_slot = op.first_arg_slot;
  REQUIRE(brightness_slot >= 0);
  const std::size_t in_image = 32 * 32 * 3, out_image = 24 * 24 * 3;
  const std::uint8_t *source = digits(3).pixels.data();
  int copied = 0, resampled = 0;
  for (int i = 0; i < 24; ++i) {
    INFO("image " << i);
    const std::vector<float> &row = r.params[static_cast<std::size_t>(i)];
    // Alone, an image comes out as it did in the batch: the batch is cut
    // into runs by warp at the right places.
    std::vector<std::uint8_t> alone(out_image);
    r.kernel->run(source + i * in_image, 1, row.data(), alone.data());
    CHECK(std::equal(alone.begin(), alone.end(), r.out.begin() + static_cast<long>(i * out_image)));
    if (std::fabs(row[1]) > 1e-6) {  // rotated
      ++resampled;
      continue;
    }
    ++copied;
    // Output (x, y) is source pixel (row[0] x + first, y + top), times the brightness.
    int first = static_cast<int>(std::lround(row[0] * 0.5 + row[2] - 0.5));
    int top = static_cast<int>(std::lround(row[4] * 0.5 + row[5] - 0.5));
    int worst = 0;
    for (int y = 0; y < 24; ++y)
      for (int x = 0; x < 24; ++x)
        for (int c = 0; c < 3; ++c) {
          int sx = first + static_cast<int>(std::lround(row[0])) * x, sy = top + y;
          double want = source[i * in_image + static_cast<std::size_t>((sy * 32 + sx) * 3 + c)] * row[brightness_slot];
          int got = r.out[i * out_image + static_cast<std::size_t>((y * 24 + x) * 3 + c)];
          worst = std::max(worst, std::abs(got - static_cast<int>(std::lround(std::min(want, 255.0)))));
        }
    CHECK(worst <= 1);
  }
  // Both warps ran, so the test can see either go wrong.
  CHECK(copied >= 4);
  CHECK(resampled >= 4);
}

TEST_CASE("augment: translate, affine, pad, rotate90 and random_resized_crop move pixels as stated", "[augment]") {
  Result tx = augment("translate_x(fraction = 0.25)", 1, 3);
  Result af = augment("affine(translate = [0, -0.125])", 1, 3);
  Result pad = augment("pad(pixels = 4)", 1, 3);
  REQUIRE(pad.program.out_w == 40);
  Result half = augment("rotate90(k = 2)", 1, 3);
  Result rrc = augment("random_resized_crop(size = 16x16, scale = [1.0, 1.0], ratio = [1.0, 1.0])", 1, 3);
  REQUIRE(rrc.program.out_w == 16);
  for (int i = 0; i < 3; ++i) {
    cv::Mat in = image(digits(1).pixels, i, 32, 32, 1), ref;
    cv::Mat shift = (cv::Mat_<double>(2, 3) << 1, 0, 8, 0, 1, 0);
    cv::warpAffine(in, ref, shift, in.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    CHECK(max_diff(image(tx.out, i, 32, 32, 1), ref) == 0);  // a whole number of pixels: exact
    cv::Mat up = (cv::Mat_<double>(2, 3) << 1, 0, 0, 0, 1, -4);
    cv::warpAffine(in, ref, up, in.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    CHECK(max_diff(image(af.out, i, 32, 32, 1), ref) == 0);
    cv::copyMakeBorder(in, ref, 4, 4, 4, 4, cv::BORDER_CONSTANT, 0);
    CHECK(max_diff(image(pad.out, i, 40, 40, 1), ref) == 0);
    cv::rotate(in, ref, cv::ROTATE_180);
    CHECK(max_diff(image(half.out, i, 32, 32, 1), ref) == 0);
    cv::resize(in, ref, cv::Size(16, 16), 0, 0, cv::INTER_LINEAR);  // the whole image, halved
    CHECK(max_diff(image(rrc.out, i, 16, 16, 1), ref) <= 1);
  }
}

TEST_CASE("augment: rotate and shear match OpenCV's bilinear warp", "[augment]") {
  Result r = augment("rotate(degrees = 30)", 1, 6);
  Result s = augment("shear_x(amount = 0.3)", 1, 6);
  for (int i = 0; i < 6; ++i) {
    cv::Mat in = image(digits(1).pixels, i, 32, 32, 1), ref;
    cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(15.5f, 15.5f), 30, 1);
    cv::warpAffine(in, ref, m, in.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    // OpenCV rounds sub-pixel positions to 1/32 of a pixel; on the sharp
    // edges of a digit that moves a value by a few levels.
    CHECK(max_diff(image(r.out, i, 32, 32, 1), ref, 2) <= 4);
    CHECK(mean_diff(image(r.out, i, 32, 32, 1), ref, 2) < 0.5);
    cv::Mat shear = (cv::Mat_<double>(2, 3) << 1, 0.3, -0.3 * 15.5, 0, 1, 0);
    cv::warpAffine(in, ref, shear, in.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    CHECK(max_diff(image(s.out, i, 32, 32, 1), ref, 2) <= 4);
    CHECK(mean_diff(image(s.out, i, 32, 32, 1), ref, 2) < 0.5);
  }
}

TEST_CASE("augment: pixel ops match their formulas", "[augment]") {
  struct Case {
    const char *steps;
    std::function<double(double)> f;
  };
  std::vector<Case> cases = {
      {"brightness(factor = 1.3)", [](double v) { return v * 1.3; }},
      {"invert()", [](double v) { return 1 - v; }},
      {"solarize(threshold = 0.5)", [](double v) { return v >= 0.5 ? 1 - v : v; }},
      {"gamma(g = 2.2)", [](double v) { return std::pow(v, 2.2); }},
      {"posterize(bits = 3)", [](double v) { return std::floor(std::round(v * 255) / 32) * 32 / 255; }},
  };
  for (const Case &c : cases) {
    INFO(c.steps);
    Result r = augment(c.steps, 1, 6);
    for (int i = 0; i < 6; ++i)
      CHECK(max_diff(image(r.out, i, 32, 32, 1), per_value(image(digits(1).pixels, i, 32, 32, 1), c.f)) <= 1);
  }
}

TEST_CASE("augment: contrast, grayscale and saturation use the image's gray", "[augment]") {
  Result con = augment("contrast(factor = 0.5)", 1, 4);
  Result gray = augment("grayscale()", 3, 4);
  Result desat = augment("saturation(factor = 0)", 3, 4);
  for (int i = 0; i < 4; ++i) {
    cv::Mat in = image(digits(1).pixels, i, 32, 32, 1);
    double mean = cv::mean(in)[0] / 255.0;
    CHECK(max_diff(image(con.out, i, 32, 32, 1), per_value(in, [&](double v) { return (v - mean) * 0.5 + mean; })) <= 1);
    cv::Mat rgb = image(digits(3).pixels, i, 32, 32, 3), g(32, 32, CV_8UC3);
    for (int p = 0; p < 32 * 32; ++p) {
      const std::uint8_t *px = rgb.data + p * 3;
      auto y = cv::saturate_cast<std::uint8_t>(std::lround(0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2]));
      g.data[p * 3] = g.data[p * 3 + 1] = g.data[p * 3 + 2] = y;
    }
    CHECK(max_diff(image(gray.out, i, 32, 32, 3), g) <= 1);
    CHECK(max_diff(image(desat.out, i, 32, 32, 3), g) <= 1);
  }
}

TEST_CASE("augment: crop at the centre and resize match OpenCV", "[augment]") {
  Result crop = augment("crop(size = 16x16, position = center)", 1, 4);
  REQUIRE(crop.program.out_w == 16);
  Result resize = augment("resize(size = 64x48)", 1, 4);
  REQUIRE(resize.program.out_w == 64);
  REQUIRE(resize.program.out_h == 48);
  for (int i = 0; i < 4; ++i) {
    cv::Mat in = image(digits(1).pixels, i, 32, 32, 1), ref;
    CHECK(max_diff(image(crop.out, i, 16, 16, 1), in(cv::Rect(8, 8, 16, 16))) == 0);
    cv::resize(in, ref, cv::Size(64, 48), 0, 0, cv::INTER_LINEAR);
    CHECK(max_diff(image(resize.out, i, 64, 48, 1), ref, 1) <= 1);
  }
}

TEST_CASE("augment: a chain of geometric ops is one resampling close to the sequential reference", "[augment]") {
  Result r = augment("rotate(degrees = 20)\n translate_x(fraction = 0.1)\n resize(size = 48x48)", 1, 6);
  for (int i = 0; i < 6; ++i) {
    cv::Mat in = image(digits(1).pixels, i, 32, 32, 1), a, b, ref;
    cv::warpAffine(in, a, cv::getRotationMatrix2D(cv::Point2f(15.5f, 15.5f), 20, 1), in.size(), cv::INTER_LINEAR,
                   cv::BORDER_CONSTANT, 0);
    cv::Mat shift = (cv::Mat_<double>(2, 3) << 1, 0, 3.2, 0, 1, 0);
    cv::warpAffine(a, b, shift, in.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    cv::resize(b, ref, cv::Size(48, 48), 0, 0, cv::INTER_LINEAR);
    cv::Mat got = image(r.out, i, 48, 48, 1), d;
    cv::absdiff(got(cv::Rect(8, 8, 32, 32)), ref(cv::Rect(8, 8, 32, 32)), d);
    CHECK(cv::mean(d)[0] < 3.0);  // three resamplings blur; one does not
  }
}

TEST_CASE("augment: p, maybe, one_of and some_of decide per image", "[augment]") {
  auto changed = [](const Result &r, int i) {
    const std::size_t px = 32 * 32;
    return !std::equal(r.out.begin() + static_cast<long>(i * px), r.out.begin() + static_cast<long>((i + 1) * px),
                       digits(1).pixels.begin() + static_cast<long>(i * px));
  };
  Result always = augment("invert(p = 1)", 1, 50);
  Result never = augment("invert(p = 0)", 1, 50);
  Result half = augment("maybe(p = 0.5) { invert() }", 1, 200);
  int n_always = 0, n_never = 0, n_half = 0;
  for (int i = 0; i < 50; ++i) n_always += changed(always, i), n_never += changed(never, i);
  for (int i = 0; i < 200; ++i) n_half += changed(half, i);
  CHECK(n_always == 50);
  CHECK(n_never == 0);
  CHECK(n_half > 70);
  CHECK(n_half < 130);

  Result one = augment("one_of { invert()\n flip_horizontal() }", 1, 40);
  Result some = augment("some_of(n = 2) { invert()\n flip_horizontal()\n flip_vertical() }", 1, 40);
  for (int i = 0; i < 40; ++i) {
    const auto &p = one.params[static_cast<std::size_t>(i)];
    CHECK(p[static_cast<std::size_t>(one.program.ops[0].enabled_slot)] + p[static_cast<std::size_t>(one.program.ops[1].enabled_slot)] == 1.0f);
    float on = 0;
    for (const AugmentOp &op : some.program.ops) on += some.params[static_cast<std::size_t>(i)][static_cast<std::size_t>(op.enabled_slot)];
    CHECK(on == 2.0f);
  }
}

TEST_CASE("augment: the same seed gives the same batch, another seed another", "[augment]") {
  const char *steps = "rotate(degrees = uniform(-30, 30))\n brightness(factor = uniform(0.7, 1.3))\n noise(std = 0.05)";
  Result a = augment(steps, 3, 16, 7), b = augment(steps, 3, 16, 7), c = augment(steps, 3, 16, 8);
  CHECK(a.out == b.out);
  CHECK(a.out != c.out);
  // An image's augmentation depends on its index, not on the batch around it.
  CHECK(a.program.sample(7, 5) == b.program.sample(7, 5));
}

TEST_CASE("augment: a custom op is lowered from its formula", "[augment]") {
  Result r = augment("vignette(k = 0.8)", 1, 4, 1, "op vignette(k: float) = x * (1 - k * ((u - 0.5)^2 + (v - 0.5)^2))\n");
  for (int i = 0; i < 4; ++i) {
    cv::Mat in = image(digits(1).pixels, i, 32, 32, 1), ref = in.clone();
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) {
        double u = (x + 0.5) / 32, v = (y + 0.5) / 32;
        double val = in.at<std::uint8_t>(y, x) / 255.0 * (1 - 0.8 * ((u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5)));
        ref.at<std::uint8_t>(y, x) = cv::saturate_cast<std::uint8_t>(std::lround(val * 255));
      }
    CHECK(max_diff(image(r.out, i, 32, 32, 1), ref) <= 1);
  }
}

TEST_CASE("augment: noise has the asked spread, cutout blanks one box", "[augment]") {
  Result r = augment("brightness(factor = 0)\n brightness(factor = 1)\n noise(std = 0.1)", 1, 4);
  // On a black image, noise clips below 0: look at the positive half.
  double sum = 0, sq = 0;
  int n = 0;
  for (std::uint8_t v : r.out)
    if (v > 0) sum += v, sq += static_cast<double>(v) * v, ++n;
  double rms = std::sqrt(sq / n);
  CHECK(rms == Approx(0.1 * 255).epsilon(0.15));
  Result c = augment("cutout(size = 8x8)", 1, 10);
  for (int i = 0; i < 10; ++i) {
    cv::Mat in = image(digits(1).pixels, i, 32, 32, 1), out = image(c.out, i, 32, 32, 1), d;
    cv::absdiff(in, out, d);
    cv::Rect box = cv::boundingRect(d);
    CHECK(box.width <= 8);
    CHECK(box.height <= 8);
  }
}

TEST_CASE("augment: blur, sharpness, equalize, autocontrast and hue match their references", "[augment]") {
  Result blur = augment("blur(sigma = 1.5)", 1, 4);
  Result sharp = augment("sharpness(factor = 2)", 1, 4);
  Result eq = augment("equalize()", 1, 4);
  Result ac = augment("brightness(factor = 0.5)\n autocontrast()", 1, 4);
  Result hue0 = augment("hue(shift = 0)", 3, 4);
  Result hue = augment("hue(shift = 0.25)", 3, 4);
  for (int i = 0; i < 4; ++i) {
    cv::Mat in = image(digits(1).pixels, i, 32, 32, 1), ref;
    cv::GaussianBlur(in, ref, cv::Size(11, 11), 1.5, 1.5, cv::BORDER_REPLICATE);
    CHECK(max_diff(image(blur.out, i, 32, 32, 1), ref) <= 2);
    cv::Mat sm = in.clone();
    for (int y = 1; y < 31; ++y)
      for (int x = 1; x < 31; ++x) {
        int s = 0;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) s += in.at<std::uint8_t>(y + dy, x + dx) * (dx == 0 && dy == 0 ? 5 : 1);
        double smooth = s / 13.0, v = in.at<std::uint8_t>(y, x);
        sm.at<std::uint8_t>(y, x) = cv::saturate_cast<std::uint8_t>(std::lround(std::clamp(smooth + (v - smooth) * 2, 0.0, 255.0)));
      }
    CHECK(max_diff(image(sharp.out, i, 32, 32, 1), sm) <= 1);
    cv::equalizeHist(in, ref);
    CHECK(max_diff(image(eq.out, i, 32, 32, 1), ref) <= 1);
    cv::Mat dark = per_value(in, [](double v) { return v * 0.5; }), stretched;
    cv::normalize(dark, stretched, 0, 255, cv::NORM_MINMAX);
    CHECK(max_diff(image(ac.out, i, 32, 32, 1), stretched) <= 2);
    cv::Mat rgb = image(digits(3).pixels, i, 32, 32, 3);
    CHECK(max_diff(image(hue0.out, i, 32, 32, 3), rgb) <= 1);
    cv::Mat turned = rgb.clone();
    for (int p = 0; p < 32 * 32; ++p) {
      double R = rgb.data[p * 3] / 255.0, G = rgb.data[p * 3 + 1] / 255.0, B = rgb.data[p * 3 + 2] / 255.0;
      double Y = 0.299 * R + 0.587 * G + 0.114 * B, I = 0.596 * R - 0.274 * G - 0.322 * B, Q = 0.211 * R - 0.523 * G + 0.312 * B;
      double t = 0.25 * 2 * M_PI, I2 = I * std::cos(t) - Q * std::sin(t), Q2 = I * std::sin(t) + Q * std::cos(t);
      double out[3] = {Y + 0.956 * I2 + 0.621 * Q2, Y - 0.272 * I2 - 0.647 * Q2, Y - 1.106 * I2 + 1.703 * Q2};
      for (int ch = 0; ch < 3; ++ch) turned.data[p * 3 + ch] = cv::saturate_cast<std::uint8_t>(std::lround(out[ch] * 255));
    }
    CHECK(max_diff(image(hue.out, i, 32, 32, 3), turned) <= 1);
  }
}

TEST_CASE("augment: mixup blends with a partner of the batch by a Beta-distributed weight", "[augment]") {
  Result m = augment("mixup(alpha = 0.4)", 1, 8);
  const AugmentOp &op = m.program.ops[0];
  for (int i = 0; i < 8; ++i) {
    const auto &row = m.params[static_cast<std::size_t>(i)];
    int partner = std::clamp(static_cast<int>(row[static_cast<std::size_t>(op.first_arg_slot)] * 8), 0, 7);
    double lambda = row[static_cast<std::size_t>(op.first_arg_slot + 1)];
    CHECK(lambda >= 0);
    CHECK(lambda <= 1);
    cv::Mat a = image(digits(1).pixels, i, 32, 32, 1), b = image(digits(1).pixels, partner, 32, 32, 1), ref;
    cv::addWeighted(a, lambda, b, 1 - lambda, 0, ref);
    CHECK(max_diff(image(m.out, i, 32, 32, 1), ref) <= 1);
  }
}

TEST_CASE("augment: randaugment applies n ops of its list at magnitude m, trivialaugment one", "[augment]") {
  Result r = augment("randaugment(n = 2, m = 15, ops = [shear_x, brightness, contrast, invert])", 1, 30);
  REQUIRE(r.program.ops.size() == 4);
  for (const auto &row : r.params) {
    float on = 0;
    for (const AugmentOp &op : r.program.ops) on += row[static_cast<std::size_t>(op.enabled_slot)];
    CHECK(on == 2.0f);
    // Magnitude 15 of 30: shear 0.15 and brightness 1 +- 0.45, with a random sign.
    CHECK(std::fabs(row[static_cast<std::size_t>(r.program.ops[0].first_arg_slot)]) == Approx(0.15f));
    float b = row[static_cast<std::size_t>(r.program.ops[1].first_arg_slot)];
    CHECK((b == Approx(0.55f) || b == Approx(1.45f)));
  }
  Result t = augment("trivialaugment(ops = [rotate, solarize, posterize])", 1, 30);
  for (const auto &row : t.params) {
    float on = 0;
    for (const AugmentOp &op : t.program.ops) on += row[static_cast<std::size_t>(op.enabled_slot)];
    CHECK(on == 1.0f);
  }
}

TEST_CASE("augment: a searched value takes the trial's value, or its domain's middle", "[augment]") {
  auto c = test::check_text("project \"t\" {}\nspace aug { m = int(1, 9); d = uniform(10, 20) }\n"
                            "augment a { randaugment(n = 1, m = aug.m, ops = [rotate])\n rotate(degrees = aug.d) }\n");
  std::vector<LoweringError> errors;
  const spec::Augment &a = *c->specs.augment("a");
  AugmentProgram mid = build_program(spec::bind(a, {}, c->specs.project.space_defaults), 32, 32, 1, errors);
  REQUIRE(errors.empty());
  CHECK(mid.ops[0].args[0].options[1] == Approx(30.0 * 5 / 30));  // m = 5, the middle of int(1, 9)
  CHECK(mid.ops[1].args[0].a == Approx(15));
  AugmentProgram trial =
      build_program(spec::bind(a, {{"aug.m", 3}, {"aug.d", 12}}, c->specs.project.space_defaults), 32, 32, 1, errors);
  CHECK(trial.ops[0].args[0].options[1] == Approx(3.0));
  CHECK(trial.ops[1].args[0].a == Approx(12));
}

TEST_CASE("augment: kernels are cached on disk and give the JIT's output bit for bit", "[augment]") {
  auto c = test::check_text("project \"t\" {}\naugment a { rotate(degrees = uniform(-20, 20))\n contrast(factor = 0.8) }\n");
  std::vector<LoweringError> errors;
  AugmentProgram program = build_program(*c->specs.augment("a"), 32, 32, 3, errors);
  std::string error;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("edl-kernels-" + std::to_string(::getpid()));
  auto jit = CompiledAugment::compile(program, error);
  auto first = CompiledAugment::compile(program, error, dir.string());
  auto second = CompiledAugment::compile(program, error, dir.string());
  REQUIRE(jit);
  REQUIRE(first);
  REQUIRE(second);
  CHECK_FALSE(first->from_cache());
  CHECK(second->from_cache());  // needs a system C++ compiler, as the build has
  std::vector<float> rows;
  for (int i = 0; i < 6; ++i) {
    auto row = program.sample(3, static_cast<std::uint64_t>(i));
    rows.insert(rows.end(), row.begin(), row.end());
  }
  std::vector<std::uint8_t> a(6 * 32 * 32 * 3), b(a.size());
  jit->run(digits(3).pixels.data(), 6, rows.data(), a.data());
  second->run(digits(3).pixels.data(), 6, rows.data(), b.data());
  CHECK(a == b);
  std::filesystem::remove_all(dir);
}

TEST_CASE("augment: what the compiler cannot do is an error at the step", "[augment]") {
  // Reported by `edlc check` (the resolve stage) for a block a job uses.
  auto errors_of = [](const std::string &steps) {
    auto c = test::check_text("project \"t\" {}\ndataset d { source = image_folder(\"data\") }\n"
                              "model m { backbone = mlp(hidden = [8]) }\n"
                              "train j { data = d; model = m; augment = a; optimizer = sgd(lr = 0.1); epochs = 1 }\n"
                              "augment a {\n" + steps + "\n}\n");
    std::vector<Diagnostic> errors;
    for (const Diagnostic &d : c->diags.diagnostics())
      if (d.severity == Severity::Error) errors.push_back(d);
    return errors;
  };
  // A policy's op that no policy can apply.
  auto unsupported = errors_of("randaugment(n = 1, m = 9, ops = [rotate, crop])");
  REQUIRE(unsupported.size() == 1);
  CHECK(unsupported[0].message == "the augmentation compiler does not support 'crop' in 'randaugment' yet");
  CHECK(unsupported[0].id == DiagId::UnsupportedAugmentOp);
  auto conditional = errors_of("maybe(p = 0.5) { resize(size = 16x16) }");
  REQUIRE(conditional.size() == 1);
  CHECK(conditional[0].message.find("changes the image size, so it cannot be conditional") != std::string::npos);
  CHECK(errors_of("flip_horizontal()\n maybe(p = 0.2) { rotate(degrees = 10) }").empty());
}
