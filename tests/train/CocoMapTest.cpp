// COCO mAP on hand-made cases whose answers follow from the definition
// (pycocotools' COCOeval): matching, interpolation at 101 recall points,
// crowd regions, size ranges, classes without objects, 100 detections.
#include "runtime/train/CocoMap.h"

#include <catch2/catch.hpp>

using namespace edl::train;

namespace {

GroundTruth truth(float x0, float y0, float x1, float y1, int label = 0, bool crowd = false) {
  GroundTruth g{{x0, y0, x1, y1}, label, 0, crowd};
  g.area = g.box.area();
  return g;
}

Detection detection(float x0, float y0, float x1, float y1, float score, int label = 0) {
  Detection d{{x0, y0, x1, y1}, label, score, 0};
  d.area = d.box.area();
  return d;
}

}  // namespace

TEST_CASE("coco mAP: IoU, and the crowd rule (share of the detection inside)", "[coco_map]") {
  CHECK(box_iou({0, 0, 10, 10}, {0, 0, 10, 10}) == Approx(1));
  CHECK(box_iou({0, 0, 10, 10}, {5, 0, 15, 10}) == Approx(50.0 / 150));
  CHECK(box_iou({0, 0, 10, 10}, {10, 0, 20, 10}) == 0);  // touching edges share nothing
  CHECK(box_iou({0, 0, 10, 10}, {0, 0, 100, 100}, true) == Approx(1));
}

TEST_CASE("coco mAP: a perfect detector scores 1, a shifted box only at low thresholds", "[coco_map]") {
  CocoMap perfect = coco_map({{truth(0, 0, 40, 40)}}, {{detection(0, 0, 40, 40, 0.9f)}}, 1);
  CHECK(perfect.map == Approx(1));
  CHECK(perfect.map50 == Approx(1));
  CHECK(perfect.map_medium == Approx(1));
  CHECK(perfect.map_small == -1);  // no small object at all
  // IoU 0.62 (40x24.8 of 40x40): a match at 0.50, 0.55 and 0.60, three of ten.
  CocoMap shifted = coco_map({{truth(0, 0, 40, 40)}}, {{detection(0, 0, 40, 24.8f, 0.9f)}}, 1);
  CHECK(shifted.map == Approx(0.3));
  CHECK(shifted.map50 == Approx(1));
  CHECK(shifted.map75 == Approx(0));
}

TEST_CASE("coco mAP: precision is interpolated and read at 101 recall points", "[coco_map]") {
  // A false positive first, then both objects: precision 0, 1/2, 2/3 at
  // recall 0, 1/2, 1; interpolated, 2/3 everywhere.
  std::vector<std::vector<GroundTruth>> t = {{truth(0, 0, 10, 10), truth(50, 50, 60, 60)}};
  CocoMap fp_first = coco_map(t, {{detection(80, 80, 90, 90, 0.9f), detection(0, 0, 10, 10, 0.8f),
                                   detection(50, 50, 60, 60, 0.7f)}}, 1);
  CHECK(fp_first.map == Approx(2.0 / 3));
  // One of two found: precision 1 at recall points 0.00 .. 0.50 (51 of 101), 0 beyond.
  CocoMap half = coco_map(t, {{detection(0, 0, 10, 10, 0.8f)}}, 1);
  CHECK(half.map == Approx(51.0 / 101));
  // A duplicate of a found object is a false positive.
  CocoMap duplicate = coco_map({{truth(0, 0, 10, 10)}}, {{detection(0, 0, 10, 10, 0.9f), detection(0, 0, 10, 10, 0.8f)}}, 1);
  CHECK(duplicate.map == Approx(1));  // after the only object is found, precision no longer matters
  CocoMap duplicate_first =
      coco_map({{truth(0, 0, 10, 10)}}, {{detection(0, 0, 10, 10, 0.7f), detection(0, 0, 10, 10, 0.8f)}}, 1);
  CHECK(duplicate_first.map == Approx(1));
}

TEST_CASE("coco mAP: detections pool over images in score order", "[coco_map]") {
  // Image 1: an object found at 0.9; image 2: a false positive at 0.95 and
  // an object found at 0.5. Order: FP, TP, TP: 2/3 as above.
  CocoMap m = coco_map({{truth(0, 0, 10, 10)}, {truth(0, 0, 10, 10)}},
                       {{detection(0, 0, 10, 10, 0.9f)}, {detection(30, 30, 40, 40, 0.95f), detection(0, 0, 10, 10, 0.5f)}}, 1);
  CHECK(m.map == Approx(2.0 / 3));
}

TEST_CASE("coco mAP: a detection on a crowd region is neither found nor a mistake", "[coco_map]") {
  CocoMap m = coco_map({{truth(0, 0, 10, 10), truth(20, 20, 80, 80, 0, true)}},
                       {{detection(30, 30, 40, 40, 0.9f), detection(0, 0, 10, 10, 0.8f)}}, 1);
  CHECK(m.map == Approx(1));
  // Only a crowd: nothing to find, the class is left out.
  CocoMap only_crowd = coco_map({{truth(20, 20, 80, 80, 0, true)}}, {{detection(30, 30, 40, 40, 0.9f)}}, 1);
  CHECK(only_crowd.per_class[0] == -1);
}

TEST_CASE("coco mAP: size ranges ignore objects and unmatched detections of other sizes", "[coco_map]") {
  // A small object (10x10), a medium one (40x40), both found, and a small
  // false positive scored first.
  std::vector<std::vector<GroundTruth>> t = {{truth(0, 0, 10, 10), truth(50, 50, 90, 90)}};
  CocoMap m = coco_map(t, {{detection(100, 0, 110, 10, 0.95f), detection(0, 0, 10, 10, 0.9f),
                            detection(50, 50, 90, 90, 0.8f)}}, 1);
  CHECK(m.map == Approx(2.0 / 3));     // FP, TP, TP
  CHECK(m.map_small == Approx(0.5));   // FP, TP (the medium match is ignored)
  CHECK(m.map_medium == Approx(1));    // the small FP is outside the range: ignored
  CHECK(m.map_large == -1);
  // The annotation's area decides the size, not the box.
  t[0][1].area = 500;  // a 40x40 box of a thin object: small
  CHECK(coco_map(t, {{detection(50, 50, 90, 90, 0.8f)}}, 1).map_medium == -1);
}

TEST_CASE("coco mAP: per class, classes without objects left out, a missed class counts 0", "[coco_map]") {
  std::vector<std::vector<GroundTruth>> t = {{truth(0, 0, 10, 10, 0), truth(20, 20, 30, 30, 1)}};
  // Class 0 found, class 1 missed, class 2 only a false positive (no object).
  CocoMap m = coco_map(t, {{detection(0, 0, 10, 10, 0.9f, 0), detection(50, 50, 60, 60, 0.9f, 2)}}, 3);
  REQUIRE(m.per_class.size() == 3);
  CHECK(m.per_class[0] == Approx(1));
  CHECK(m.per_class[1] == Approx(0));
  CHECK(m.per_class[2] == -1);
  CHECK(m.map == Approx(0.5));
  // A detection of the wrong class finds nothing.
  CHECK(coco_map({{truth(0, 0, 10, 10, 0)}}, {{detection(0, 0, 10, 10, 0.9f, 1)}}, 2).map == Approx(0));
}

TEST_CASE("coco mAP: only an image's 100 best-scored detections count", "[coco_map]") {
  std::vector<Detection> many;
  for (int k = 0; k < 100; ++k) many.push_back(detection(200 + k, 0, 201 + k, 1, 0.9f));
  many.push_back(detection(0, 0, 10, 10, 0.1f));  // the 101st: dropped
  CHECK(coco_map({{truth(0, 0, 10, 10)}}, {many}, 1).map == Approx(0));
  many.pop_back();
  many.pop_back();
  many.push_back(detection(0, 0, 10, 10, 0.1f));  // now the 100th, after 99 false positives
  CHECK(coco_map({{truth(0, 0, 10, 10)}}, {many}, 1).map == Approx(0.01));  // precision 1/100 at every recall
}
