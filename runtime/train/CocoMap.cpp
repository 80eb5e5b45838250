// Follows pycocotools' COCOeval (evaluateImg, accumulate, summarize) step by
// step, so its numbers are the ones papers and other tools report: the same
// greedy matching in score order, the same ignore rules, the same
// interpolation and the same recall points.
#include "runtime/train/CocoMap.h"

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>

namespace edl::train {
namespace {

constexpr int kThresholds = 10;        // IoU 0.50, 0.55, ..., 0.95
constexpr int kRecallPoints = 101;     // recall 0.00, 0.01, ..., 1.00
constexpr std::size_t kMaxDetections = 100;
struct AreaRange {
  double lo, hi;
};
constexpr std::array<AreaRange, 4> kAreas = {{{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}}};

// numpy.linspace, value by value.
double linspace(double start, double stop, int n, int i) {
  return i == n - 1 ? stop : start + i * ((stop - start) / (n - 1));
}

// One image's detections of one class for one area range, matched.
struct ImageResult {
  std::vector<float> scores;                       // in score order, at most kMaxDetections
  std::vector<std::array<bool, kThresholds>> matched, ignored;
  std::size_t counted_truths = 0;                  // ground truths neither crowd nor outside the range
};

bool outside(double area, const AreaRange &r) { return area < r.lo || area > r.hi; }

ImageResult evaluate_image(const std::vector<const GroundTruth *> &truths_in,
                           const std::vector<const Detection *> &detections_in, const AreaRange &range) {
  ImageResult out;
  // Ground truths that count first (a stable sort, as numpy's mergesort).
  std::vector<const GroundTruth *> truths = truths_in;
  std::vector<bool> truth_ignored;
  std::stable_sort(truths.begin(), truths.end(), [&](const GroundTruth *a, const GroundTruth *b) {
    return (a->crowd || outside(a->area, range)) < (b->crowd || outside(b->area, range));
  });
  for (const GroundTruth *g : truths) {
    truth_ignored.push_back(g->crowd || outside(g->area, range));
    if (!truth_ignored.back()) ++out.counted_truths;
  }
  std::vector<const Detection *> detections = detections_in;
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection *a, const Detection *b) { return a->score > b->score; });
  if (detections.size() > kMaxDetections) detections.resize(kMaxDetections);

  const std::size_t nd = detections.size(), ng = truths.size();
  std::vector<double> iou(nd * ng);
  for (std::size_t d = 0; d < nd; ++d)
    for (std::size_t g = 0; g < ng; ++g) iou[d * ng + g] = box_iou(detections[d]->box, truths[g]->box, truths[g]->crowd);

  out.matched.assign(nd, {});
  out.ignored.assign(nd, {});
  for (int t = 0; t < kThresholds; ++t) {
    const double threshold = linspace(0.5, 0.95, kThresholds, t);
    std::vector<bool> truth_taken(ng, false);
    for (std::size_t d = 0; d < nd; ++d) {
      double best = std::min(threshold, 1 - 1e-10);
      std::ptrdiff_t m = -1;
      for (std::size_t g = 0; g < ng; ++g) {
        if (truth_taken[g] && !truths[g]->crowd) continue;  // a crowd may match many
        // Matched to a counted object: an ignored one cannot do better.
        if (m > -1 && !truth_ignored[static_cast<std::size_t>(m)] && truth_ignored[g]) break;
        if (iou[d * ng + g] < best) continue;
        best = iou[d * ng + g];
        m = static_cast<std::ptrdiff_t>(g);
      }
      if (m == -1) continue;
      out.ignored[d][t] = truth_ignored[static_cast<std::size_t>(m)];
      out.matched[d][t] = true;
      truth_taken[static_cast<std::size_t>(m)] = true;
    }
  }
  // An unmatched detection outside the size range is no mistake in it.
  for (std::size_t d = 0; d < nd; ++d) {
    out.scores.push_back(detections[d]->score);
    for (int t = 0; t < kThresholds; ++t)
      if (!out.matched[d][t] && outside(detections[d]->area, range)) out.ignored[d][t] = true;
  }
  return out;
}

// Precision at each recall point per threshold, or nothing when no ground
// truth counts (then the class is left out).
std::vector<std::array<double, kRecallPoints>> precision_curve(const std::vector<ImageResult> &images) {
  std::size_t counted = 0;
  std::vector<std::pair<float, std::pair<std::size_t, std::size_t>>> order;  // score, (image, detection)
  for (std::size_t i = 0; i < images.size(); ++i) {
    counted += images[i].counted_truths;
    for (std::size_t d = 0; d < images[i].scores.size(); ++d) order.push_back({images[i].scores[d], {i, d}});
  }
  if (counted == 0) return {};
  std::stable_sort(order.begin(), order.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
  std::vector<std::array<double, kRecallPoints>> curves(kThresholds);
  for (int t = 0; t < kThresholds; ++t) {
    std::vector<double> recall, precision;
    double tp = 0, fp = 0;
    for (const auto &[score, at] : order) {
      const ImageResult &r = images[at.first];
      if (!r.ignored[at.second][t]) (r.matched[at.second][t] ? tp : fp) += 1;
      recall.push_back(tp / static_cast<double>(counted));
      precision.push_back(tp / (fp + tp + std::numeric_limits<double>::epsilon()));
    }
    // Interpolated: the best precision at this recall or beyond.
    for (std::size_t i = precision.size(); i-- > 1;) precision[i - 1] = std::max(precision[i - 1], precision[i]);
    for (int k = 0; k < kRecallPoints; ++k) {
      const double at = linspace(0, 1, kRecallPoints, k);
      const std::size_t i = static_cast<std::size_t>(std::lower_bound(recall.begin(), recall.end(), at) - recall.begin());
      curves[static_cast<std::size_t>(t)][static_cast<std::size_t>(k)] = i < precision.size() ? precision[i] : 0;
    }
  }
  return curves;
}

// The mean of every defined value, or -1 when none is.
struct Mean {
  double sum = 0;
  std::size_t n = 0;
  void add(double v) {
    sum += v;
    ++n;
  }
  double value() const { return n ? sum / static_cast<double>(n) : -1; }
};

}  // namespace

double box_iou(const Box &detection, const Box &truth, bool crowd) {
  const double w = std::min(detection.x1, truth.x1) - std::max(detection.x0, truth.x0);
  const double h = std::min(detection.y1, truth.y1) - std::max(detection.y0, truth.y0);
  if (w <= 0 || h <= 0) return 0;
  const double inter = w * h;
  const double uni = crowd ? detection.area() : detection.area() + truth.area() - inter;
  return uni > 0 ? inter / uni : 0;
}

CocoMap coco_map(const std::vector<std::vector<GroundTruth>> &truths,
                 const std::vector<std::vector<Detection>> &detections, int classes) {
  CocoMap out;
  Mean all, at50, at75;
  std::array<Mean, kAreas.size()> by_area;
  for (int k = 0; k < classes; ++k) {
    Mean this_class;
    for (std::size_t a = 0; a < kAreas.size(); ++a) {
      std::vector<ImageResult> images;
      for (std::size_t i = 0; i < truths.size(); ++i) {
        std::vector<const GroundTruth *> g;
        std::vector<const Detection *> d;
        for (const GroundTruth &t : truths[i])
          if (t.label == k) g.push_back(&t);
        if (i < detections.size())
          for (const Detection &x : detections[i])
            if (x.label == k) d.push_back(&x);
        if (!g.empty() || !d.empty()) images.push_back(evaluate_image(g, d, kAreas[a]));
      }
      const auto curves = precision_curve(images);
      for (std::size_t t = 0; t < curves.size(); ++t)
        for (double p : curves[t]) {
          by_area[a].add(p);
          if (a != 0) continue;
          all.add(p);
          this_class.add(p);
          if (t == 0) at50.add(p);
          if (t == 5) at75.add(p);
        }
    }
    out.per_class.push_back(this_class.value());
  }
  out.map = std::max(0.0, all.value());
  out.map50 = std::max(0.0, at50.value());
  out.map75 = std::max(0.0, at75.value());
  out.map_small = by_area[1].value();
  out.map_medium = by_area[2].value();
  out.map_large = by_area[3].value();
  return out;
}

}  // namespace edl::train
