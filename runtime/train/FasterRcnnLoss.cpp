#include "runtime/train/FasterRcnnLoss.h"

#include "compiler/lower/torch/DetectOps.h"

#include <algorithm>

namespace edl::train {
namespace {

std::vector<std::int64_t> indices_of(const torch::Tensor &mask) {
  const torch::Tensor where = torch::nonzero(mask).flatten().contiguous();
  return {where.data_ptr<std::int64_t>(), where.data_ptr<std::int64_t>() + where.numel()};
}

torch::Tensor long_tensor(const std::vector<std::int64_t> &v) { return torch::tensor(v, torch::kLong); }

// The RPN's terms, summed over images, and the count they are over.
struct Sums {
  torch::Tensor classification = torch::zeros({}), box = torch::zeros({});
  double sampled = 0;
};

constexpr double kBeta = 1.0 / 9.0;  // smooth L1's switch to L1, torchvision's

Sums rpn_sums(const lower::DetectorImpl &net, const torch::Tensor &head, const std::vector<ImageTargets> &targets,
              std::mt19937_64 &rng) {
  Sums s;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const torch::Tensor image = head[static_cast<std::int64_t>(i)];
    const AnchorMatch match = match_anchors(net.anchors, targets[i].boxes, 0.7, 0.3);
    const Sampled drawn = sample_balanced(match.object >= 0, match.object == -1, 256, 0.5, rng);
    std::vector<std::int64_t> rows = drawn.positive;
    rows.insert(rows.end(), drawn.negative.begin(), drawn.negative.end());
    if (rows.empty()) continue;
    torch::Tensor wanted = torch::zeros({static_cast<std::int64_t>(rows.size())});
    wanted.narrow(0, 0, static_cast<std::int64_t>(drawn.positive.size())).fill_(1);
    s.classification = s.classification + torch::binary_cross_entropy_with_logits(
                                              image.index({long_tensor(rows), 0}), wanted, {}, {}, torch::Reduction::Sum);
    s.sampled += static_cast<double>(rows.size());
    if (drawn.positive.empty()) continue;
    const torch::Tensor positive = long_tensor(drawn.positive);
    const torch::Tensor goal = lower::encode_boxes(targets[i].boxes.index({match.object.index({positive})}),
                                                   net.anchors.index({positive}), {1, 1, 1, 1});
    s.box = s.box + torch::smooth_l1_loss(image.index({positive}).narrow(1, 1, 4), goal, torch::Reduction::Sum, kBeta);
  }
  return s;
}

}  // namespace

Sampled sample_balanced(const torch::Tensor &positive, const torch::Tensor &negative, int count, double fraction,
                        std::mt19937_64 &rng) {
  Sampled s{indices_of(positive), indices_of(negative)};
  std::shuffle(s.positive.begin(), s.positive.end(), rng);
  std::shuffle(s.negative.begin(), s.negative.end(), rng);
  const std::size_t positives = std::min(s.positive.size(), static_cast<std::size_t>(count * fraction));
  s.positive.resize(positives);
  s.negative.resize(std::min(s.negative.size(), static_cast<std::size_t>(count) - positives));
  return s;
}

DetectionLoss faster_rcnn_loss(lower::DetectorImpl &net, const lower::DetectorOutputs &out,
                               const std::vector<ImageTargets> &targets, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const Sums rpn = rpn_sums(net, out.head, targets, rng);

  // The box head's regions: sampled proposals (objects included), their
  // classes (background: `classes`) and, for the positives, their goals.
  const int classes = net.classes;
  const std::vector<torch::Tensor> proposals = net.proposals(out.head);
  std::vector<torch::Tensor> regions, labels, goals, positive_rows;
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const ImageTargets &t = targets[i];
    const torch::Tensor candidates = torch::cat({proposals[i], t.boxes});
    torch::Tensor label = torch::full({candidates.size(0)}, classes, torch::kLong), object, best;
    if (t.boxes.size(0) > 0) {
      std::tie(best, object) = lower::box_iou(candidates, t.boxes).max(1);
      label = torch::where(best >= 0.5, t.labels.index({object}), label);
    }
    const Sampled drawn = sample_balanced(label < classes, label == classes, net.shape.rois, 0.25, rng);
    std::vector<std::int64_t> rows = drawn.positive;
    rows.insert(rows.end(), drawn.negative.begin(), drawn.negative.end());
    const torch::Tensor chosen = long_tensor(rows);
    regions.push_back(candidates.index({chosen}));
    labels.push_back(label.index({chosen}));
    if (!drawn.positive.empty()) {
      const torch::Tensor positive = long_tensor(drawn.positive);
      goals.push_back(lower::encode_boxes(t.boxes.index({object.index({positive})}), candidates.index({positive}),
                                          lower::kBoxHeadWeights));
      positive_rows.push_back(torch::arange(static_cast<std::int64_t>(drawn.positive.size())) + offset);
    }
    offset += static_cast<std::int64_t>(rows.size());
  }
  DetectionLoss loss{rpn.classification / std::max(1.0, rpn.sampled), rpn.box / std::max(1.0, rpn.sampled)};
  if (offset == 0) return loss;
  const torch::Tensor box = net.box_outputs(out.levels, lower::rois_of(regions));
  const torch::Tensor wanted = torch::cat(labels);
  const double sampled = static_cast<double>(offset);
  loss.classification =
      loss.classification + torch::cross_entropy_loss(box.narrow(1, 0, classes + 1), wanted, {},
                                                      torch::Reduction::Sum) / sampled;
  if (!positive_rows.empty()) {
    const torch::Tensor rows = torch::cat(positive_rows);
    const torch::Tensor deltas = box.narrow(1, classes + 1, 4 * classes).index({rows}).view({-1, classes, 4});
    const torch::Tensor own = deltas.index({torch::arange(rows.size(0)), wanted.index({rows})});
    loss.box = loss.box + torch::smooth_l1_loss(own, torch::cat(goals), torch::Reduction::Sum, kBeta) / sampled;
  }
  return loss;
}

}  // namespace edl::train
