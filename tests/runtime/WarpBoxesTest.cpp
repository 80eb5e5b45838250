// Boxes follow the compiled warp: objects of the generated scenes (real
// Fashion-MNIST items, their pixels from the scenes' masks) are warped by
// the Halide kernel itself, and the tight box of what comes out must be the
// box warp_boxes computes on the host from the same sampled row.
#include "TestSupport.h"

#include "compiler/lower/halide/LowerAugment.h"
#include "compiler/lower/halide/WarpBoxes.h"
#include "runtime/data/Dataset.h"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>

using namespace edl;
using namespace edl::lower;
namespace fs = std::filesystem;

namespace {

constexpr int kSide = 128;
constexpr int kImages = 40;

struct Objects {
  std::vector<std::uint8_t> item_masks, box_masks;  // kImages x 128 x 128, 255 on the object (its box)
  std::vector<BoxCorners> boxes;                     // each image's first object
};

// The first object of each of the first scenes: a mask of its own pixels
// (of its class, inside its box) and a mask of its whole box.
const Objects &objects() {
  static Objects o = [] {
    const fs::path dir = test::source_dir() + "/data/scenes";
    if (!fs::exists(dir / ".complete")) FAIL("data/scenes is missing: run scripts/fetch-data.sh");
    data::DatasetSpec spec;
    spec.name = "scenes";
    spec.source = data::SourceKind::Coco;
    spec.annotations = (dir / "annotations.json").string();
    spec.path = (dir / "images").string();
    spec.width = spec.height = kSide;
    const data::LoadedDataset d = data::load_dataset(spec, {false});
    REQUIRE(d.report.ok());
    Objects out;
    for (std::size_t i = 0; out.boxes.size() < kImages; ++i) {
      if (d.objects[i].empty()) continue;
      const data::Object &obj = d.objects[i][0];
      cv::Mat labels = cv::imread((dir / "masks" / fs::path(d.sources[i]).stem()).string() + ".png", cv::IMREAD_UNCHANGED);
      for (int y = 0; y < kSide; ++y)
        for (int x = 0; x < kSide; ++x) {
          const bool in_box = x >= obj.x0 && x < obj.x1 && y >= obj.y0 && y < obj.y1;
          out.box_masks.push_back(in_box ? 255 : 0);
          out.item_masks.push_back(in_box && labels.at<std::uint8_t>(y, x) == obj.label + 1 ? 255 : 0);
        }
      out.boxes.push_back({obj.x0, obj.y0, obj.x1, obj.y1});
    }
    return out;
  }();
  return o;
}

// The tight box of the pixels at least half on, or an empty box.
BoxCorners tight_box(const std::uint8_t *p, int w, int h) {
  BoxCorners b{1e9f, 1e9f, -1e9f, -1e9f};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (p[y * w + x] >= 128) {
        b[0] = std::min<float>(b[0], x), b[1] = std::min<float>(b[1], y);
        b[2] = std::max<float>(b[2], x + 1), b[3] = std::max<float>(b[3], y + 1);
      }
  return b;
}

// Warps `masks` with the block's kernel; for every image whose object is
// kept whole, its mask's tight box must be within `tolerance` pixels of the
// host's box. Returns how many were compared.
int compare(const std::string &steps, const std::vector<std::uint8_t> &masks, double tolerance) {
  auto c = test::check_text("project \"t\" { seed = 1 }\naugment a {\n" + steps + "\n}\n");
  INFO(steps);
  REQUIRE(c->diags.error_count() == 0);
  std::vector<LoweringError> errors;
  const AugmentProgram program = build_program(*c->specs.augment("a"), kSide, kSide, 1, errors);
  REQUIRE(errors.empty());
  std::string error;
  auto kernel = CompiledAugment::compile(program, error);
  REQUIRE(kernel);
  std::vector<float> rows;
  for (int i = 0; i < kImages; ++i) {
    const std::vector<float> row = program.sample(3, static_cast<std::uint64_t>(i));
    rows.insert(rows.end(), row.begin(), row.end());
  }
  std::vector<std::uint8_t> out(static_cast<std::size_t>(kImages * program.out_w * program.out_h));
  kernel->run(masks.data(), kImages, rows.data(), out.data());
  int compared = 0;
  for (int i = 0; i < kImages; ++i) {
    std::vector<BoxCorners> boxes = {objects().boxes[static_cast<std::size_t>(i)]};
    const std::vector<float> row(rows.begin() + i * program.slots, rows.begin() + (i + 1) * program.slots);
    if (warp_boxes(program, row, boxes, 0.5).empty()) continue;
    const BoxCorners want = boxes[0];
    if (want[2] - want[0] < 6 || want[3] - want[1] < 6) continue;  // slivers: bilinear edges dominate
    // A clipped box keeps its full width where only part of the object
    // remains (a shoe cut off at the heel): the clipping case is tested by hand.
    if (want[0] <= 0 || want[1] <= 0 || want[2] >= program.out_w || want[3] >= program.out_h) continue;
    const BoxCorners got = tight_box(&out[static_cast<std::size_t>(i * program.out_w * program.out_h)], program.out_w, program.out_h);
    INFO("image " << i << ": kernel [" << got[0] << ", " << got[1] << ", " << got[2] << ", " << got[3] << "], host ["
                  << want[0] << ", " << want[1] << ", " << want[2] << ", " << want[3] << "]");
    for (int k = 0; k < 4; ++k) CHECK(std::abs(got[k] - want[k]) <= tolerance);
    ++compared;
  }
  return compared;
}

}  // namespace

TEST_CASE("boxes: flips, crops, scaling and translation carry the object's own tight box", "[augment][boxes]") {
  const std::vector<std::uint8_t> &items = objects().item_masks;
  CHECK(compare("flip_horizontal(p = 0.5)\nflip_vertical(p = 0.5)", items, 0) > 30);
  CHECK(compare("rotate90(k = choice(0, 1, 2, 3))", items, 0) > 30);
  CHECK(compare("translate_x(fraction = uniform(-0.2, 0.2))\ntranslate_y(fraction = uniform(-0.2, 0.2))", items, 1) > 20);
  CHECK(compare("random_resized_crop(size = 128x128, scale = [0.3, 1.0])", items, 1.5) > 10);
  CHECK(compare("crop(size = 96x96)\nresize(size = 128x128)", items, 1.5) > 10);
  CHECK(compare("pad(pixels = 16)\nresize(size = 128x128)", items, 1) > 30);
}

TEST_CASE("boxes: rotation and shear carry the box around the box's turned corners", "[augment][boxes]") {
  // The box's own rectangle, turned: its extreme points are its corners.
  const std::vector<std::uint8_t> &boxes = objects().box_masks;
  CHECK(compare("rotate(degrees = uniform(-30, 30))", boxes, 1.5) > 20);
  CHECK(compare("shear_x(amount = uniform(-0.3, 0.3))\nflip_horizontal(p = 0.5)", boxes, 1.5) > 20);
  CHECK(compare("affine(scale = uniform(0.7, 1.3), rotate = uniform(-20, 20), translate = [0.1, 0.1])", boxes, 1.5) > 20);
}

TEST_CASE("boxes: photometric ops leave boxes alone, cropped-away and sliver boxes are dropped", "[augment][boxes]") {
  auto c = test::check_text("project \"t\" { seed = 1 }\naugment a {\nbrightness(factor = 1.5)\ncontrast(factor = 0.5)\n}\n"
                            "augment b {\ncrop(size = 64x64, position = center)\n}\n");
  REQUIRE(c->diags.error_count() == 0);
  std::vector<LoweringError> errors;
  const AugmentProgram photometric = build_program(*c->specs.augment("a"), kSide, kSide, 3, errors);
  std::vector<BoxCorners> boxes = {{10, 20, 30, 40}};
  CHECK(warp_boxes(photometric, photometric.sample(1, 0), boxes) == std::vector<std::size_t>{0});
  CHECK(boxes[0] == BoxCorners{10, 20, 30, 40});
  // A centre crop of 64 keeps [32, 96): a box inside moves by 32, one outside
  // goes, one a fifth inside goes, one half inside is clipped and kept.
  const AugmentProgram crop = build_program(*c->specs.augment("b"), kSide, kSide, 3, errors);
  boxes = {{40, 40, 50, 50}, {0, 0, 20, 20}, {24, 40, 34, 50}, {27, 40, 37, 50}};
  CHECK(warp_boxes(crop, crop.sample(1, 0), boxes) == std::vector<std::size_t>{0, 3});
  CHECK(boxes[0][0] == Approx(8));
  CHECK(boxes[0][2] == Approx(18));
  CHECK(boxes[1][0] == Approx(0));
  CHECK(boxes[1][2] == Approx(5));
}
