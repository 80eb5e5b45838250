// Detection quality as the COCO benchmark defines it (pycocotools'
// COCOeval for boxes): average precision at ten IoU thresholds 0.50:0.05:0.95,
// each the mean of precision at 101 recall points (interpolated: the best
// precision at that recall or beyond), up to 100 detections an image; crowd
// regions neither count as objects to find nor make a detection on them a
// mistake; small/medium/large by area (32x32 and 96x96 pixels). Classes
// with no object are left out of the mean.
#pragma once

#include <vector>

namespace edl::train {

// A box by its corners: x0, y0 inclusive, x1, y1 exclusive (x1 = x + width).
struct Box {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float area() const { return (x1 - x0) * (y1 - y0); }
};

struct GroundTruth {
  Box box;
  int label = 0;
  float area = 0;  // the annotation's area (what decides small/medium/large)
  bool crowd = false;
};

struct Detection {
  Box box;
  int label = 0;
  float score = 0;
  float area = 0;  // the box's area in the ground truth's units
};

struct CocoMap {
  double map = 0;     // mAP@[.5:.95]
  double map50 = 0;   // at IoU 0.5
  double map75 = 0;   // at IoU 0.75
  double map_small = -1, map_medium = -1, map_large = -1;  // -1: no object of that size
  std::vector<double> per_class;  // AP@[.5:.95] per class; -1 for a class with no object
};

// IoU of a detection with a ground truth; for a crowd region, the share of
// the detection inside it (pycocotools' iscrowd rule).
double box_iou(const Box &detection, const Box &truth, bool crowd = false);

// One list of ground truths and of detections per image.
CocoMap coco_map(const std::vector<std::vector<GroundTruth>> &truths,
                 const std::vector<std::vector<Detection>> &detections, int classes);

}  // namespace edl::train
