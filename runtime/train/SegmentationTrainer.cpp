#include "runtime/train/SegmentationTrainer.h"

namespace edl::train {
namespace {

torch::Tensor masks_of(const Batch &b, int height, int width) {
  return torch::from_blob(const_cast<std::uint8_t *>(b.masks.data()), {b.n, height, width}, torch::kUInt8)
      .to(torch::kLong);
}

}  // namespace

torch::Tensor segmentation_loss(const torch::Tensor &scores, const torch::Tensor &masks, int ignore_index,
                                const LossSpec &loss) {
  namespace F = torch::nn::functional;
  const torch::Tensor valid = masks != ignore_index;
  // A batch whose every pixel is ignored teaches nothing (and the mean over
  // no pixel would be NaN).
  if (!valid.any().item<bool>()) return scores.sum() * 0;
  const double smoothing = loss.kind == "cross_entropy" ? loss.label_smoothing.value : 0.0;
  const double ce_weight = loss.kind == "dice" ? loss.cross_entropy_weight.value : 1.0;
  torch::Tensor total = scores.sum() * 0;
  if (ce_weight > 0)
    total = total + ce_weight * F::cross_entropy(scores, masks, F::CrossEntropyFuncOptions()
                                                                    .ignore_index(ignore_index)
                                                                    .label_smoothing(smoothing));
  if (loss.kind == "dice") {
    const std::int64_t classes = scores.size(1);
    const torch::Tensor keep = valid.unsqueeze(1).to(scores.dtype());
    const torch::Tensor p = torch::softmax(scores, 1) * keep;
    const torch::Tensor t =
        F::one_hot(torch::where(valid, masks, torch::zeros_like(masks)), classes).permute({0, 3, 1, 2}).to(scores.dtype()) *
        keep;
    const torch::Tensor overlap = (p * t).sum({0, 2, 3}), sizes = p.sum({0, 2, 3}) + t.sum({0, 2, 3});
    total = total + 1 - ((2 * overlap + 1) / (sizes + 1)).mean();
  }
  return total;
}

void count_pixels(ConfusionMatrix &confusion, const torch::Tensor &predicted, const torch::Tensor &masks,
                  int ignore_index) {
  const std::int64_t k = confusion.classes();
  const torch::Tensor valid = masks != ignore_index;
  const torch::Tensor pairs = (masks.masked_select(valid) * k + predicted.masked_select(valid)).to(torch::kLong);
  const torch::Tensor counts = torch::bincount(pairs, {}, k * k).contiguous();
  const std::int64_t *c = counts.data_ptr<std::int64_t>();
  for (std::int64_t truth = 0; truth < k; ++truth)
    for (std::int64_t guess = 0; guess < k; ++guess)
      if (c[truth * k + guess]) confusion.add(static_cast<int>(truth), static_cast<int>(guess), c[truth * k + guess]);
}

EpochMetrics evaluate_segmenter(lower::Segmenter &net, const data::LoadedDataset &data,
                                const std::vector<std::size_t> &indices, const Normalizer &norm, const LossSpec &loss,
                                int batch) {
  const int classes = static_cast<int>(data.classes.size());
  EpochMetrics m;
  m.confusion = ConfusionMatrix(classes);
  if (indices.empty()) return m;
  torch::NoGradGuard no_grad;
  net->eval();
  double total = 0;
  Prefetcher batches(EpochPlan{&data, indices, batch, false, nullptr, 0, 0, norm, classes});
  while (auto b = batches.next()) {
    const torch::Tensor scores = net->forward(input_of(*b, data.channels, data.height, data.width));
    const torch::Tensor masks = masks_of(*b, data.height, data.width);
    total += segmentation_loss(scores, masks, data.ignore_index, loss).item<double>() * b->n;
    count_pixels(m.confusion, scores.argmax(1), masks, data.ignore_index);
  }
  m.loss = total / static_cast<double>(indices.size());
  m.values["miou"] = m.confusion.mean_iou();
  m.values["pixel_accuracy"] = m.confusion.accuracy();
  for (int c = 0; c < classes; ++c)
    if (const double iou = m.confusion.iou(c); iou >= 0) m.values["iou_class_" + std::to_string(c)] = iou;
  return m;
}

TrainResult train_segmenter(lower::Segmenter &net, const TrainJob &job, const TrainCallbacks &callbacks) {
  const data::LoadedDataset &data = *job.data;
  TrainTask task;
  task.module = net.get();
  task.frozen = &net->frozen;
  task.watched = "miou";
  task.loss = [&](const Batch &b, const torch::Tensor &inputs, EpochMetrics &) {
    return segmentation_loss(net->forward(inputs), masks_of(b, static_cast<int>(inputs.size(2)), static_cast<int>(inputs.size(3))),
                             data.ignore_index, job.spec->loss);
  };
  task.evaluate = [&](const std::vector<std::size_t> &indices) {
    return evaluate_segmenter(net, data, indices, job.norm, job.spec->loss);
  };
  return train_task(task, job, callbacks);
}

}  // namespace edl::train
