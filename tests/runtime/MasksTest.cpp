// mask_folder(images, masks) and label maps through augmentation, on the
// generated scenes of scripts/fetch-data.sh (real photographs with real
// Fashion-MNIST items, and each pixel's item in an 8-bit label map).
// Masks pair with images by name; every kind of bad partner is skipped
// with its reason; palette PNGs keep their indices; and a warped mask is
// the label map the Halide kernel gives its image, pixel for pixel.
#include "TestSupport.h"

#include "compiler/lower/halide/LowerAugment.h"
#include "compiler/lower/halide/WarpMasks.h"
#include "runtime/data/Dataset.h"
#include "runtime/data/LabelMap.h"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <png.h>

#include <cstdio>
#include <filesystem>
#include <set>

using namespace edl;
using namespace edl::data;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kClasses = {"background", "t-shirt", "trouser", "pullover", "dress", "coat",
                                           "sandal",     "shirt",   "sneaker", "bag",      "ankle-boot"};

fs::path scenes() { return test::fetched_data("scenes"); }

cv::Mat scene_mask(int k) {
  char name[32];
  std::snprintf(name, sizeof name, "scene_%05d.png", k);
  return cv::imread((scenes() / "masks" / name).string(), cv::IMREAD_UNCHANGED);
}

// A palette PNG whose indices are `m`'s values (as Pascal VOC stores masks).
void write_palette_png(const fs::path &file, const cv::Mat &m) {
  FILE *f = std::fopen(file.c_str(), "wb");
  REQUIRE(f);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, f);
  png_set_IHDR(png, info, static_cast<png_uint_32>(m.cols), static_cast<png_uint_32>(m.rows), 8, PNG_COLOR_TYPE_PALETTE,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::vector<png_color> palette(256);
  for (int i = 0; i < 256; ++i)  // colours unlike the indices: a decoder that expands them fails the test
    palette[static_cast<std::size_t>(i)] = {static_cast<png_byte>(255 - i), static_cast<png_byte>(i * 7), 128};
  png_set_PLTE(png, info, palette.data(), 256);
  png_write_info(png, info);
  for (int y = 0; y < m.rows; ++y) png_write_row(png, const_cast<png_bytep>(m.ptr<std::uint8_t>(y)));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(f);
}

struct Folders : test::TempDir {
  Folders() : test::TempDir("edl-masks") {
    fs::create_directories(path / "images");
    fs::create_directories(path / "masks");
  }
  void copy_scene(int k, const std::string &as) {
    char name[32];
    std::snprintf(name, sizeof name, "scene_%05d", k);
    fs::copy_file(scenes() / "images" / (std::string(name) + ".jpg"), path / "images" / (as + ".jpg"));
  }
};

DatasetSpec spec_of(const fs::path &root, int side) {
  DatasetSpec s;
  s.name = "scenes";
  s.source = SourceKind::MaskFolder;
  s.path = (root / "images").string();
  s.annotations = (root / "masks").string();
  s.width = s.height = side;
  s.classes = kClasses;
  s.seed = 5;
  return s;
}

std::string reason_of(const LoadedDataset &d, const std::string &file_part) {
  for (const Skipped &s : d.report.skipped)
    if (s.source.find(file_part) != std::string::npos) return s.reason;
  return "(not skipped)";
}

}  // namespace

TEST_CASE("mask_folder: images pair with label maps by name, bad partners are skipped with reasons", "[data][masks]") {
  Folders f;
  for (int k = 0; k < 8; ++k) f.copy_scene(k, "s" + std::to_string(k));
  cv::imwrite((f.path / "masks" / "s0.png").string(), scene_mask(0));
  cv::imwrite((f.path / "masks" / "s1.png").string(), scene_mask(1));
  write_palette_png(f.path / "masks" / "s2.png", scene_mask(2));
  cv::Mat with_ignored = scene_mask(3).clone();
  with_ignored(cv::Rect(0, 0, 20, 10)).setTo(255);  // unlabelled: ignore_index
  cv::imwrite((f.path / "masks" / "s3.png").string(), with_ignored);
  cv::Mat small;
  cv::resize(scene_mask(4), small, cv::Size(64, 64), 0, 0, cv::INTER_NEAREST);
  cv::imwrite((f.path / "masks" / "s4.png").string(), small);  // not its image's size
  cv::Mat unknown = scene_mask(5).clone();
  unknown.at<std::uint8_t>(7, 7) = 40;  // no class 40 among 11
  cv::imwrite((f.path / "masks" / "s5.png").string(), unknown);
  cv::Mat colour;
  cv::cvtColor(scene_mask(6), colour, cv::COLOR_GRAY2BGR);
  cv::imwrite((f.path / "masks" / "s6.png").string(), colour);
  // s7 has no mask; orphan.png has no image.
  cv::imwrite((f.path / "masks" / "orphan.png").string(), scene_mask(7));

  const LoadedDataset d = load_dataset(spec_of(f.path, 128), {false});
  REQUIRE(d.report.ok());
  REQUIRE(d.size() == 4);
  CHECK(d.classes == kClasses);
  CHECK(d.ignore_index == 255);
  REQUIRE(d.masks.size() == 4u * 128 * 128);
  const cv::Mat want[] = {scene_mask(0), scene_mask(1), scene_mask(2), with_ignored};
  for (int i = 0; i < 4; ++i) {
    INFO("sample " << i << " " << d.sources[static_cast<std::size_t>(i)]);
    const cv::Mat got(128, 128, CV_8UC1, const_cast<std::uint8_t *>(&d.masks[static_cast<std::size_t>(i) * 128 * 128]));
    CHECK(cv::countNonZero(got != want[i]) == 0);
  }
  CHECK(d.report.skipped.size() == 5);
  CHECK_THAT(reason_of(d, "s4.png"), Catch::Contains("is 64x64, its image is 128x128"));
  CHECK_THAT(reason_of(d, "s5.png"), Catch::Contains("holds the value 40, which is no class (11 classes declared"));
  CHECK_THAT(reason_of(d, "s6.png"), Catch::Contains("a colour PNG"));
  CHECK_THAT(reason_of(d, "s7.jpg"), Catch::Contains("no mask s7.png"));
  CHECK_THAT(reason_of(d, "orphan.png"), Catch::Contains("no image named orphan"));
}

TEST_CASE("mask_folder: masks shrink with their images by nearest pixel, classes are numbered when not declared",
          "[data][masks]") {
  Folders f;
  for (int k = 0; k < 6; ++k) {
    f.copy_scene(k, "s" + std::to_string(k));
    cv::imwrite((f.path / "masks" / ("s" + std::to_string(k) + ".png")).string(), scene_mask(k));
  }
  DatasetSpec spec = spec_of(f.path, 48);
  spec.classes.clear();
  const LoadedDataset d = load_dataset(spec, {false});
  REQUIRE(d.report.ok());
  REQUIRE(d.size() == 6);
  int largest = 0;
  for (int k = 0; k < 6; ++k) {
    const cv::Mat full = scene_mask(k);
    double hi = 0;
    cv::minMaxLoc(full, nullptr, &hi);
    largest = std::max(largest, static_cast<int>(hi));
    // Every value of the small mask is one of the large mask's: no blend of two classes.
    const std::set<int> values(full.begin<std::uint8_t>(), full.end<std::uint8_t>());
    std::size_t foreign = 0;
    for (std::size_t p = 0; p < 48 * 48; ++p) foreign += !values.count(d.masks[static_cast<std::size_t>(k) * 48 * 48 + p]);
    CHECK(foreign == 0);
  }
  REQUIRE(d.classes.size() == static_cast<std::size_t>(largest + 1));
  CHECK(d.classes.front() == "0");
  CHECK(d.classes.back() == std::to_string(largest));
}

TEST_CASE("mask_folder: a missing masks folder is E0820", "[data][masks]") {
  Folders f;
  f.copy_scene(0, "s0");
  DatasetSpec spec = spec_of(f.path, 64);
  spec.annotations = (f.path / "nowhere").string();
  const LoadedDataset d = load_dataset(spec, {false});
  REQUIRE(d.report.errors.size() == 1);
  CHECK_THAT(d.report.errors[0].message(), Catch::Contains("there is no such folder"));
}

TEST_CASE("label maps: a warped mask is the map of the kernel's warped image, nearest pixel", "[augment][masks]") {
  // Each scene's label map drawn as a gray image (class k at 20 k): the
  // fused kernel warps it bilinearly; warp_mask must give, wherever the
  // image's pixel is not a blend across a class edge, exactly its class.
  constexpr int kSide = 128, kImages = 24;
  std::vector<std::uint8_t> masks, drawn;
  for (int k = 0; k < kImages; ++k) {
    const cv::Mat m = scene_mask(k);
    masks.insert(masks.end(), m.begin<std::uint8_t>(), m.end<std::uint8_t>());
  }
  for (std::uint8_t v : masks) drawn.push_back(static_cast<std::uint8_t>(v * 20));
  for (const char *steps : {"flip_horizontal(p = 0.5)\nrotate90(k = choice(0, 1, 2, 3))",
                            "random_resized_crop(size = 128x128, scale = [0.3, 1.0])",
                            "rotate(degrees = uniform(-30, 30))\nshear_x(amount = uniform(-0.2, 0.2))",
                            "affine(scale = uniform(0.7, 1.3), rotate = uniform(-20, 20), translate = [0.1, 0.1])\n"
                            "brightness(factor = 1.0)"}) {
    INFO(steps);
    auto c = test::check_text(std::string("project \"t\" { seed = 1 }\naugment a {\n") + steps + "\n}\n");
    REQUIRE(c->diags.error_count() == 0);
    std::vector<lower::LoweringError> errors;
    const lower::AugmentProgram program = lower::build_program(*c->specs.augment("a"), kSide, kSide, 1, errors);
    REQUIRE(errors.empty());
    std::string error;
    auto kernel = lower::CompiledAugment::compile(program, error);
    REQUIRE(kernel);
    std::vector<float> rows;
    for (int i = 0; i < kImages; ++i) {
      const std::vector<float> row = program.sample(9, static_cast<std::uint64_t>(i));
      rows.insert(rows.end(), row.begin(), row.end());
    }
    std::vector<std::uint8_t> image(drawn.size());
    kernel->run(drawn.data(), kImages, rows.data(), image.data());
    std::size_t compared = 0, agree = 0, outside = 0;
    for (int i = 0; i < kImages; ++i) {
      const std::vector<float> row(rows.begin() + i * program.slots, rows.begin() + (i + 1) * program.slots);
      std::vector<std::uint8_t> warped(kSide * kSide);
      lower::warp_mask(row, &masks[static_cast<std::size_t>(i) * kSide * kSide], kSide, kSide, warped.data(), kSide,
                       kSide, 255);
      const std::uint8_t *img = &image[static_cast<std::size_t>(i) * kSide * kSide];
      for (std::size_t p = 0; p < warped.size(); ++p) {
        if (warped[p] == 255) {
          ++outside;
          continue;
        }
        if (img[p] % 20 != 0) continue;  // a blend across an edge: no single class to compare with
        ++compared;
        agree += img[p] / 20 == warped[p];
      }
    }
    CHECK(compared > kImages * kSide * kSide / 2);
    // Where the image shows one class cleanly the mask says that class; the
    // few left are blends that happen to land on a multiple of 20.
    CHECK(static_cast<double>(agree) / compared > 0.995);
    if (std::string(steps).find("flip") != std::string::npos) CHECK(outside == 0);
  }
}

TEST_CASE("label maps: PNG label maps read and write their indices", "[data][masks]") {
  LabelMap m;
  m.width = 5;
  m.height = 3;
  m.values = {0, 1, 2, 3, 4, 10, 11, 12, 13, 255, 7, 7, 7, 7, 7};
  std::vector<std::uint8_t> png;
  REQUIRE(encode_label_map(m, png));
  LabelMap back;
  CHECK(decode_label_map(png, back).empty());
  CHECK(back.width == 5);
  CHECK(back.height == 3);
  CHECK(back.values == m.values);
  png.resize(png.size() / 2);
  CHECK_THAT(decode_label_map(png, back), Catch::Contains("corrupt PNG"));
  CHECK(decode_label_map({1, 2, 3}, back) == "not a PNG file");
}
