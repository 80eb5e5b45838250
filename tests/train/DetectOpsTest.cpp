// The detection box operations: anchor grids, box coding, and NMS and IoU
// against torchvision's own ops (python3-torchvision) on 60 random cases.
#include "TestSupport.h"

#include "compiler/lower/torch/DetectOps.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace edl;
using namespace edl::lower;

namespace {

std::vector<std::int64_t> as_vector(const torch::Tensor &t) {
  const torch::Tensor c = t.to(torch::kLong).contiguous();
  return {c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel()};
}

}  // namespace

TEST_CASE("anchors: one per ratio and scale at every cell centre, with the asked sizes and shapes", "[detect]") {
  const torch::Tensor a = make_anchors({{2, 3, 8, 32}, {1, 1, 16, 64}}, {0.5, 1.0, 2.0}, {1.0, 2.0});
  REQUIRE(a.size(0) == (2 * 3 + 1) * 6);
  // The first cell of level 0 is centred at (4, 4); its anchors come ratio by ratio.
  const torch::Tensor first = a.slice(0, 0, 6);
  const torch::Tensor w = first.select(1, 2) - first.select(1, 0), h = first.select(1, 3) - first.select(1, 1);
  CHECK(((first.select(1, 0) + first.select(1, 2)) / 2).eq(4).all().item<bool>());
  CHECK(((first.select(1, 1) + first.select(1, 3)) / 2).eq(4).all().item<bool>());
  CHECK((h / w)[0].item<float>() == Approx(0.5));
  CHECK((h / w)[2].item<float>() == Approx(1.0));
  CHECK((h / w)[4].item<float>() == Approx(2.0));
  CHECK(std::sqrt((w * h)[2].item<float>()) == Approx(32));
  CHECK(std::sqrt((w * h)[3].item<float>()) == Approx(64));  // scale 2
  // The next cell is one stride to the right; level 1's only cell at (8, 8), size 64.
  CHECK(a[6][0].item<float>() == Approx(first[0][0].item<float>() + 8));
  const torch::Tensor last = a.slice(0, 36, 42);
  CHECK(((last.select(1, 0) + last.select(1, 2)) / 2).eq(8).all().item<bool>());
  CHECK(std::sqrt(((last.select(1, 2) - last.select(1, 0)) * (last.select(1, 3) - last.select(1, 1)))[2].item<float>()) ==
        Approx(64));
}

TEST_CASE("box coding: known deltas, the round trip, and the cap on size", "[detect]") {
  const torch::Tensor anchors = torch::tensor({0.f, 0.f, 10.f, 20.f}).view({1, 4});
  const torch::Tensor box = torch::tensor({5.f, 0.f, 25.f, 10.f}).view({1, 4});
  const BoxWeights unit{1, 1, 1, 1}, rcnn{10, 10, 5, 5};
  const torch::Tensor d = encode_boxes(box, anchors, unit);
  // Centre (15, 5) from (5, 10) in a 10x20 anchor; size 20x10.
  CHECK(d[0][0].item<float>() == Approx(1.0));
  CHECK(d[0][1].item<float>() == Approx(-0.25));
  CHECK(d[0][2].item<float>() == Approx(std::log(2.0)));
  CHECK(d[0][3].item<float>() == Approx(std::log(0.5)));
  CHECK(encode_boxes(box, anchors, rcnn)[0][0].item<float>() == Approx(10.0));
  const torch::Tensor random_boxes = torch::rand({50, 2}) * 100;
  const torch::Tensor boxes = torch::cat({random_boxes, random_boxes + torch::rand({50, 2}) * 50 + 1}, 1);
  const torch::Tensor random_anchors = torch::cat({random_boxes + 3, random_boxes + 40}, 1);
  for (const BoxWeights &w : {unit, rcnn})
    CHECK(torch::allclose(decode_boxes(encode_boxes(boxes, random_anchors, w), random_anchors, w), boxes, 1e-4, 1e-3));
  // An untrained head's huge log ratio decodes to at most 1000/16 times the anchor.
  const torch::Tensor huge = decode_boxes(torch::tensor({0.f, 0.f, 100.f, 100.f}).view({1, 4}), anchors, unit);
  CHECK((huge[0][2] - huge[0][0]).item<float>() == Approx(10 * 1000.0 / 16));
}

TEST_CASE("nms, batched nms, IoU and roi_align equal torchvision's on random cases", "[detect]") {
  const auto tmp = std::filesystem::temp_directory_path();
  const std::string out = (tmp / ("edl-nms-" + std::to_string(::getpid()) + ".json")).string();
  const std::string roi_out = (tmp / ("edl-roi-" + std::to_string(::getpid()) + ".pt")).string();
  const std::string command =
      "/usr/bin/python3 " + test::source_dir() + "/tests/train/torchvision_reference.py " + out + " " + roi_out;
  REQUIRE(std::system(command.c_str()) == 0);
  nlohmann::json cases = nlohmann::json::parse(std::ifstream(out));
  std::filesystem::remove(out);
  {
    std::ifstream in(roi_out, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(roi_out);
    const c10::Dict<c10::IValue, c10::IValue> answers = torch::pickle_load(bytes).toGenericDict();
    const torch::Tensor features = answers.at("features").toTensor(), rois = answers.at("rois").toTensor();
    int compared = 0;
    for (int output_size : {2, 7})
      for (int sampling_ratio : {1, 2})
        for (bool aligned : {false, true}) {
          INFO(output_size << " " << sampling_ratio << " " << aligned);
          const std::string key =
              std::to_string(output_size) + "-" + std::to_string(sampling_ratio) + "-" + std::to_string(aligned);
          const torch::Tensor want = answers.at(key).toTensor();
          const torch::Tensor got = roi_align(features, rois, output_size, 0.25, sampling_ratio, aligned);
          REQUIRE(got.sizes() == want.sizes());
          CHECK(torch::allclose(got, want, 1e-4, 1e-5));
          ++compared;
        }
    CHECK(compared == 8);
  }
  REQUIRE(cases.size() == 60);
  std::size_t suppressed = 0;
  for (const auto &c : cases) {
    std::vector<float> flat;
    for (const auto &b : c["boxes"])
      for (const auto &v : b) flat.push_back(v.get<float>());
    const torch::Tensor boxes = torch::tensor(flat).view({-1, 4});
    const torch::Tensor scores = torch::tensor(c["scores"].get<std::vector<float>>());
    const torch::Tensor labels = torch::tensor(c["labels"].get<std::vector<std::int64_t>>());
    const double threshold = c["threshold"].get<double>();
    const auto want = c["nms"].get<std::vector<std::int64_t>>();
    CHECK(as_vector(nms(boxes, scores, threshold)) == want);
    CHECK(as_vector(batched_nms(boxes, scores, labels, threshold)) == c["batched_nms"].get<std::vector<std::int64_t>>());
    const torch::Tensor iou = box_iou(boxes.slice(0, 0, 1), boxes)[0];
    CHECK(torch::allclose(iou, torch::tensor(c["iou_row0"].get<std::vector<float>>()), 1e-5, 1e-6));
    suppressed += static_cast<std::size_t>(boxes.size(0)) - want.size();
  }
  CHECK(suppressed > 1000);  // the cases exercise suppression, not just sorting
  // Nothing in, nothing out.
  CHECK(nms(torch::zeros({0, 4}), torch::zeros({0}), 0.5).numel() == 0);
  CHECK(batched_nms(torch::zeros({0, 4}), torch::zeros({0}), torch::zeros({0}, torch::kLong), 0.5).numel() == 0);
}

TEST_CASE("two-stage ops: proposals by level, pooling on the nearest level, box rows to detections", "[detect]") {
  // Two levels of two anchors each; the RPN's deltas are zero, so proposals are the anchors.
  const torch::Tensor anchors = torch::tensor({0.f, 0.f, 10.f, 10.f,    // level 0
                                               1.f, 0.f, 11.f, 10.f,    // level 0, IoU 0.82 with the first
                                               0.f, 0.f, 10.f, 10.5f,   // level 1: the first's twin, kept
                                               -20.f, 40.f, 20.f, 80.f})  // level 1, clipped to the image
                                    .view({-1, 4});
  torch::Tensor head = torch::zeros({4, 5});
  head.select(1, 0).copy_(torch::tensor({3.f, 2.f, 1.f, 4.f}));
  const torch::Tensor p = rpn_proposals(head, anchors, {2, 2}, 3, 64, 64);
  // Best first: the clipped box, then level 0's best (its neighbour suppressed), then level 1's twin.
  const torch::Tensor want = torch::tensor({0.f, 40.f, 20.f, 64.f, 0.f, 0.f, 10.f, 10.f, 0.f, 0.f, 10.f, 10.5f}).view({-1, 4});
  CHECK(torch::allclose(p, want));
  // One proposal: the best of all.
  CHECK(torch::allclose(rpn_proposals(head, anchors, {2, 2}, 1, 64, 64), want.slice(0, 0, 1)));

  // Pooling: a region goes to the coarsest level on which it spans 14 cells, else the finest.
  const torch::Tensor fine = torch::rand({2, 3, 16, 16}), coarse = torch::rand({2, 3, 8, 8});
  const torch::Tensor rois = torch::tensor({0.f, 2.f, 2.f, 14.f, 14.f,      // side 12: under 14 cells anywhere, the finest
                                            1.f, 0.f, 0.f, 112.f, 112.f,    // side 112: 14 cells of stride 8
                                            1.f, 10.f, 20.f, 110.f, 120.f})  // side 100: 25 of stride 4, 12.5 of 8
                                 .view({-1, 5});
  const torch::Tensor pooled = pool_levels({fine, coarse}, rois, {4, 8}, 7, 2);
  CHECK(torch::allclose(pooled[0], roi_align(fine, rois.slice(0, 0, 1), 7, 0.25, 2, true)[0]));
  CHECK(torch::allclose(pooled[1], roi_align(coarse, rois.slice(0, 1, 2), 7, 0.125, 2, true)[0]));
  CHECK(torch::allclose(pooled[2], roi_align(fine, rois.slice(0, 2, 3), 7, 0.25, 2, true)[0]));
  CHECK(torch::allclose(rois_of({rois.slice(1, 1, 5), rois.slice(1, 1, 5).slice(0, 0, 1)}).select(1, 0),
                        torch::tensor({0.f, 0.f, 0.f, 1.f})));

  // Box rows: 2 classes; proposal 0 is class 1 (deltas move it by one
  // tenth of its width), proposal 1 background, proposal 2 (another image) class 0.
  DetectSettings s;
  s.classes = 2;
  torch::Tensor box = torch::zeros({3, 3 + 8});
  box[0][1] = box[1][2] = box[2][0] = 10;
  box[0][3 + 4] = 1;  // class 1's dx: 1 / 10 of the width
  const std::vector<torch::Tensor> images =
      box_detections(box, {torch::tensor({0.f, 0.f, 20.f, 10.f, 5.f, 5.f, 15.f, 15.f}).view({-1, 4}),
                           torch::tensor({1.f, 2.f, 3.f, 4.f}).view({-1, 4})},
                     s, 64, 64);
  REQUIRE(images.size() == 2);
  REQUIRE(images[0].size(0) == 1);
  CHECK(torch::allclose(images[0][0].slice(0, 0, 4), torch::tensor({2.f, 0.f, 22.f, 10.f})));
  CHECK(images[0][0][4].item<float>() > 0.99);
  CHECK(images[0][0][5].item<float>() == 1);
  REQUIRE(images[1].size(0) == 1);
  CHECK(images[1][0][5].item<float>() == 0);
}
