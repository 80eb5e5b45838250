// The training loop: epochs over prefetched, augmented batches; optimizer
// and schedule; loss; metrics on both splits; checkpoints; early stopping.
// Uses torch: include only from files that already pay for it.
#pragma once

#include "compiler/lower/torch/BuildModel.h"
#include "runtime/train/Batches.h"
#include "runtime/train/Metrics.h"
#include "runtime/train/TrainSpec.h"

#include <functional>
#include <string>
#include <vector>

namespace edl::dist {
class Group;
class GradientExchange;
}  // namespace edl::dist

namespace edl::train {

struct EpochReport {
  int epoch = 0;        // 1-based
  double lr = 0;        // at the epoch's last step
  double seconds = 0;
  double images_per_second = 0;  // training images through forward and backward
  double data_wait = 0;          // seconds the loop waited for the input pipeline
  EpochMetrics train, val;
  bool checkpointed = false;
  std::string checkpoint;  // weights file written after this epoch, if any
  std::vector<std::string> removed;  // older checkpoints deleted after it (checkpoint.keep)
};

struct TrainCallbacks {
  // After every batch: epoch, batch (1-based), batches, running loss, running
  // accuracy (-1 for a task that keeps none), images/s so far.
  std::function<void(int, int, int, double, double, double)> on_batch;
  std::function<void(const EpochReport &)> on_epoch;
  std::function<bool()> interrupted;  // polled between batches (Ctrl-C)
  std::function<bool(const EpochReport &)> prune;  // after each epoch: true stops the training (a pruner)
};

// Where a training continues: after `epoch` epochs, from the weights saved
// then (`weights`, an epoch-N.pt file, with its optimizer state in
// epoch-N.optim next to it). `best` and `best_epoch` carry the watched
// metric's best so far, so the best epoch is still chosen over all epochs.
struct ResumePoint {
  int epoch = 0;
  std::string weights;
  double best = 0;
  int best_epoch = 0;  // 0: no epoch finished before
};

struct TrainJob {
  const TrainSpec *spec = nullptr;
  const data::LoadedDataset *data = nullptr;
  Normalizer norm;
  const lower::CompiledAugment *augment = nullptr;
  const TokenAugment *token_augment = nullptr;  // text data's augment block
  const AudioAugment *audio_augment = nullptr;  // sound data's augment block
  std::uint64_t seed = 0;
  std::string checkpoint_dir;    // epoch-N.pt files and model.pt (best epoch) go here
  ResumePoint resume;            // a killed run, or the next interval of a PBT worker
  int stop_epoch = 0;            // stop after this epoch (0: the spec's epochs); always checkpointed
  double subset = 1.0;           // fraction of the training split used (search proxies)
  // Data-parallel training (runtime/dist): this rank's group and how it
  // exchanges gradients; null for one process. Every rank starts from rank
  // 0's weights (and resume point), takes its share of each batch and of
  // the validation split, and sees the metrics of all; only a rank given a
  // checkpoint_dir writes checkpoints.
  dist::Group *group = nullptr;
  dist::GradientExchange *exchange = nullptr;
};

struct TrainResult {
  std::vector<EpochReport> epochs;
  int best_epoch = 0;            // by the watched metric (early_stop's, else val accuracy)
  EpochMetrics best_val;
  std::string model_path;        // weights of the best epoch
  bool stopped_early = false;
  bool pruned = false;
  bool interrupted = false;
  double seconds = 0;
};

// What a kind of task brings to the loop: its module, the loss of one
// augmented batch (adding to the epoch's training metrics), the metrics of
// a held-out split, and the metric watched when early_stop names none.
struct TrainTask {
  torch::nn::Module *module = nullptr;
  std::function<torch::Tensor(const Batch &, const torch::Tensor &inputs, EpochMetrics &running)> loss;
  std::function<EpochMetrics(const std::vector<std::size_t> &indices)> evaluate;
  EpochMetrics fresh;            // a training epoch's metrics before its first batch
  std::string watched = "accuracy";
  // The module's frozen backbone blocks (its train() keeps them in
  // evaluation mode): the model's `unfreeze` empties it. Null: none.
  std::vector<std::string> *frozen = nullptr;
};

// Throws std::runtime_error when a resume point's files cannot be read.
TrainResult train_task(const TrainTask &task, const TrainJob &job, const TrainCallbacks &callbacks = {});
// Classification: cross-entropy (or focal) over the network's class scores.
TrainResult train_model(lower::Network &net, const TrainJob &job, const TrainCallbacks &callbacks = {});

// Loss and metrics of `net` over samples `indices`, without augmentation.
EpochMetrics evaluate(lower::Network &net, const data::LoadedDataset &data, const std::vector<std::size_t> &indices,
                      const Normalizer &norm, const LossSpec &loss, int batch = 256);

// The class probabilities (softmax) of samples `indices`, in order, one row
// of `classes` each; with `with_features`, also the penultimate layer's
// output (NetworkImpl::embedding), one row of `dims` each (what coreset
// measures distance on).
struct Predictions {
  std::vector<float> probabilities, features;
  std::size_t classes = 0, dims = 0;
};
Predictions predict(lower::Network &net, const data::LoadedDataset &data, const std::vector<std::size_t> &indices,
                    const Normalizer &norm, bool with_features, int batch = 256);

// Samples `indices` in order, normalised as for evaluation (no
// augmentation), `batch` at a time: each call fills the next batch's
// N x C x H x W tensor and labels; false at the end.
using BatchSource = std::function<bool(torch::Tensor &inputs, std::vector<std::int64_t> &labels)>;
BatchSource normalised_batches(const data::LoadedDataset &data, const std::vector<std::size_t> &indices,
                               const Normalizer &norm, int batch = 256);
// A batch's pixels as an N x C x H x W tensor over its buffer (no copy);
// for text, its N x max_len token ids.
torch::Tensor input_of(const Batch &b, int channels, int height, int width);
// What the network reads of `data`: its images' size, or for text max_len
// token ids below the vocabulary's size; and its classes.
lower::InputShape input_shape(const data::LoadedDataset &data);
// All of them as one tensor.
torch::Tensor normalised_inputs(const data::LoadedDataset &data, const std::vector<std::size_t> &indices,
                                const Normalizer &norm);

// The loss on a batch: cross-entropy or focal over target distributions
// (one-hot labels, or the mixed labels of mixup/cutmix), label smoothing applied.
torch::Tensor batch_loss(const torch::Tensor &logits, const torch::Tensor &targets, const LossSpec &loss);

}  // namespace edl::train
