#include "runtime/train/DetectionTrainer.h"

#include "runtime/train/CocoMap.h"
#include "runtime/train/DetectionLoss.h"
#include "runtime/train/FasterRcnnLoss.h"
#include "runtime/train/YoloLoss.h"

namespace edl::train {
namespace {

std::vector<ImageTargets> targets_of(const Batch &b) {
  std::vector<ImageTargets> out;
  for (int i = 0; i < b.n; ++i) {
    std::vector<float> flat;
    for (const lower::BoxCorners &c : b.boxes[static_cast<std::size_t>(i)]) flat.insert(flat.end(), c.begin(), c.end());
    std::vector<std::int64_t> labels(b.box_labels[static_cast<std::size_t>(i)].begin(),
                                     b.box_labels[static_cast<std::size_t>(i)].end());
    out.push_back({torch::tensor(flat, torch::kFloat32).view({-1, 4}), torch::tensor(labels, torch::kLong)});
  }
  return out;
}

// Faster R-CNN's sampling seed: the batch's images, in order, so a
// resumed run draws what the first run drew.
std::uint64_t seed_of(const Batch &b) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (std::size_t sample : b.samples) h = (h ^ sample) * 1099511628211ULL;
  return h;
}

// The head's own loss on its own outputs; retinanet's focal gamma is the
// job's `loss = focal(gamma)`, else 2.
DetectionLoss head_loss(lower::DetectorImpl &net, const lower::DetectorOutputs &out, const Batch &b, int classes,
                        const LossSpec &loss) {
  if (net.shape.yolo()) return yolo_loss(out.head, net.anchors, net.strides, targets_of(b), classes);
  if (net.shape.two_stage()) return faster_rcnn_loss(net, out, targets_of(b), seed_of(b));
  return detection_loss(out.head, net.anchors, targets_of(b), classes, loss.kind == "focal" ? loss.gamma.value : 2.0);
}

}  // namespace

EpochMetrics evaluate_detector(lower::Detector &net, const data::LoadedDataset &data,
                               const std::vector<std::size_t> &indices, const Normalizer &norm, const LossSpec &loss_spec,
                               int batch) {
  EpochMetrics m;
  if (indices.empty()) return m;
  torch::NoGradGuard no_grad;
  net->eval();
  const int classes = static_cast<int>(data.classes.size());
  std::vector<std::vector<GroundTruth>> truths;
  std::vector<std::vector<Detection>> found;
  double loss = 0;
  // The batches carry each image's boxes (crowd regions left out), as training's do.
  Prefetcher batches(EpochPlan{&data, indices, batch, false, nullptr, 0, 0, norm, classes});
  while (auto b = batches.next()) {
    const lower::DetectorOutputs out = net->run(input_of(*b, data.channels, data.height, data.width));
    const std::vector<torch::Tensor> detected = net->detections(out);
    for (int i = 0; i < b->n; ++i) {
      const std::size_t sample = b->samples[static_cast<std::size_t>(i)];
      std::vector<GroundTruth> image_truths;
      for (const data::Object &o : data.objects[sample])
        image_truths.push_back({{o.x0, o.y0, o.x1, o.y1}, o.label, o.area, o.crowd});
      truths.push_back(std::move(image_truths));
      // A detection's area in the stored image's pixels, as the annotations measure.
      const auto [stored_w, stored_h] = data.original_sizes[sample];
      const double to_stored = static_cast<double>(stored_w) * stored_h / (static_cast<double>(data.width) * data.height);
      const torch::Tensor rows = detected[static_cast<std::size_t>(i)].contiguous();
      std::vector<Detection> image_found;
      const float *r = rows.data_ptr<float>();
      for (std::int64_t k = 0; k < rows.size(0); ++k, r += 6) {
        Detection d{{r[0], r[1], r[2], r[3]}, static_cast<int>(r[5]), r[4], 0};
        d.area = static_cast<float>(d.box.area() * to_stored);
        image_found.push_back(d);
      }
      found.push_back(std::move(image_found));
    }
    loss += head_loss(*net, out, *b, classes, loss_spec).total().item<double>() * b->n;
  }
  m.loss = loss / static_cast<double>(indices.size());
  const CocoMap coco = coco_map(truths, found, classes);
  m.values = {{"map", coco.map},           {"map50", coco.map50},           {"map75", coco.map75},
              {"map_small", coco.map_small}, {"map_medium", coco.map_medium}, {"map_large", coco.map_large}};
  for (std::size_t k = 0; k < coco.per_class.size(); ++k) m.values["map_class_" + std::to_string(k)] = coco.per_class[k];
  return m;
}

TrainResult train_detector(lower::Detector &net, const TrainJob &job, const TrainCallbacks &callbacks) {
  const int classes = static_cast<int>(job.data->classes.size());
  TrainTask task;
  task.module = net.get();
  task.frozen = &net->frozen;
  task.watched = "map";
  task.loss = [&](const Batch &b, const torch::Tensor &inputs, EpochMetrics &) {
    return head_loss(*net, net->run(inputs), b, classes, job.spec->loss).total();
  };
  task.evaluate = [&](const std::vector<std::size_t> &indices) {
    return evaluate_detector(net, *job.data, indices, job.norm, job.spec->loss);
  };
  return train_task(task, job, callbacks);
}

}  // namespace edl::train
