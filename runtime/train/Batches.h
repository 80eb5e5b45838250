// The training input pipeline: shuffles, gathers, augments with the fused
// Halide kernel and normalises batches on a background thread, a few
// batches ahead, so augmentation overlaps the model's compute. No torch:
// batches are plain float buffers the trainer wraps without copying.
#pragma once

#include "compiler/lower/halide/LowerAugment.h"
#include "compiler/lower/halide/WarpBoxes.h"
#include "compiler/lower/halide/WarpMasks.h"
#include "runtime/data/Dataset.h"
#include "runtime/train/AudioAugment.h"
#include "runtime/train/TokenAugment.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace edl::train {

struct Batch {
  int n = 0;
  std::vector<float> x;              // n x channels x height x width, normalised
  std::vector<std::int64_t> labels;  // n
  std::vector<float> targets;        // n x classes when a batch op mixed labels, else empty
  std::vector<std::size_t> samples;  // dataset indices, in batch order
  // Detection data: each image's boxes after its augmentation (crowd
  // regions left out) and their class labels.
  std::vector<std::vector<lower::BoxCorners>> boxes;
  std::vector<std::vector<int>> box_labels;
  // Segmentation data: each image's label map after its augmentation,
  // n x height x width class indices (the dataset's ignore_index where none).
  std::vector<std::uint8_t> masks;
  // Text data: n x max_len token ids (after any token augmentation), x stays empty.
  std::vector<std::int64_t> tokens;
};

// Per-channel normalisation: (pixel / 255 - mean) / std.
struct Normalizer {
  std::vector<float> mean, std;
};
// The dataset's normalisation: given mean/std, the training split's own
// statistics (normalize = true), or [0, 1] scaling only (false).
Normalizer make_normalizer(const data::DatasetSpec &spec, const data::LoadedDataset &data);

struct EpochPlan {
  const data::LoadedDataset *data = nullptr;
  std::vector<std::size_t> indices;  // samples of the split
  int batch = 32;
  bool shuffle = false;
  const lower::CompiledAugment *augment = nullptr;  // null: no augmentation
  std::uint64_t seed = 0;
  int epoch = 0;
  Normalizer norm;
  int classes = 0;
  const TokenAugment *token_augment = nullptr;  // text: null for none
  const AudioAugment *audio_augment = nullptr;  // sound: null for none
  // Data-parallel training: this rank takes its share of the shuffled
  // split (the same shuffle on every rank), `batch` being its share of a batch.
  int rank = 0, world = 1;
};

// Rank `rank`'s share of `indices`: every world-th one from its rank on, as
// torch's DistributedSampler deals them. With `pad`, the list is first
// filled up to a multiple of `world` from its start, so every rank gets as
// many (and takes as many steps).
std::vector<std::size_t> shard_of(const std::vector<std::size_t> &indices, int rank, int world, bool pad);

class Prefetcher {
 public:
  // Starts producing at once; keeps at most `depth` batches ready.
  explicit Prefetcher(EpochPlan plan, int depth = 4);
  ~Prefetcher();
  Prefetcher(const Prefetcher &) = delete;
  Prefetcher &operator=(const Prefetcher &) = delete;
  // The next batch in order, or nothing at the end of the epoch.
  std::optional<Batch> next();
  int batches() const { return batches_; }

 private:
  void produce();
  Batch make(int b) const;

  EpochPlan plan_;
  int batches_ = 0;
  int depth_;
  std::deque<Batch> ready_;
  int produced_ = 0, consumed_ = 0;
  bool stop_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread worker_;
};

}  // namespace edl::train
