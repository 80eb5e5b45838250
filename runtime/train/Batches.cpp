#include "runtime/train/Batches.h"

#include "runtime/train/AudioFeatures.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

namespace edl::train {

namespace {

// Sound: one mean and deviation over every log-mel value of the training
// clips (a spectrogram is one channel); the kernel must compile.
Normalizer audio_normalizer(const data::LoadedDataset &data) {
  double sum = 0, sq = 0;
  std::size_t count = 0;
  std::vector<float> features;
  const std::vector<std::size_t> &train = data.split.train;
  for (std::size_t first = 0; first < train.size(); first += 256) {
    const std::vector<std::size_t> chunk(train.begin() + static_cast<std::ptrdiff_t>(first),
                                         train.begin() + static_cast<std::ptrdiff_t>(std::min(train.size(), first + 256)));
    audio_features(data, chunk, features);
    for (float v : features) sum += v, sq += static_cast<double>(v) * v;
    count += features.size();
  }
  if (count == 0) return {{0.0f}, {1.0f}};
  const double mean = sum / count, var = std::max(0.0, sq / count - mean * mean);
  return {{static_cast<float>(mean)}, {static_cast<float>(std::max(1e-3, std::sqrt(var)))}};
}

}  // namespace

Normalizer make_normalizer(const data::DatasetSpec &spec, const data::LoadedDataset &data) {
  const int C = data.channels;
  Normalizer n{std::vector<float>(C, 0.0f), std::vector<float>(C, 1.0f)};
  if (!spec.mean.empty() && !spec.std.empty()) {
    for (int c = 0; c < C; ++c) {
      n.mean[c] = static_cast<float>(spec.mean[std::min<std::size_t>(c, spec.mean.size() - 1)]);
      n.std[c] = static_cast<float>(spec.std[std::min<std::size_t>(c, spec.std.size() - 1)]);
    }
    return n;
  }
  if (!data.audio.empty()) return audio_normalizer(data);
  if (!spec.normalize) return n;
  // Statistics of the training split only, so validation stays unseen.
  const std::size_t pixels = static_cast<std::size_t>(data.width) * data.height;
  std::vector<double> sum(C, 0), sq(C, 0);
  std::size_t count = 0;
  for (std::size_t i : data.split.train) {
    const std::uint8_t *p = data.pixels.data() + i * pixels * C;
    for (std::size_t k = 0; k < pixels; ++k)
      for (int c = 0; c < C; ++c) {
        double v = p[k * C + c] / 255.0;
        sum[c] += v;
        sq[c] += v * v;
      }
    count += pixels;
  }
  for (int c = 0; c < C && count > 0; ++c) {
    double mean = sum[c] / count, var = std::max(0.0, sq[c] / count - mean * mean);
    n.mean[c] = static_cast<float>(mean);
    n.std[c] = static_cast<float>(std::max(1e-3, std::sqrt(var)));
  }
  return n;
}

std::vector<std::size_t> shard_of(const std::vector<std::size_t> &indices, int rank, int world, bool pad) {
  std::vector<std::size_t> all = indices;
  if (pad && !all.empty())
    for (std::size_t i = 0; all.size() % static_cast<std::size_t>(world) != 0; ++i) all.push_back(indices[i % indices.size()]);
  std::vector<std::size_t> mine;
  for (std::size_t i = static_cast<std::size_t>(rank); i < all.size(); i += static_cast<std::size_t>(world))
    mine.push_back(all[i]);
  return mine;
}

Prefetcher::Prefetcher(EpochPlan plan, int depth) : plan_(std::move(plan)), depth_(std::max(1, depth)) {
  if (plan_.shuffle) {
    std::mt19937_64 rng(plan_.seed * 1000003u + static_cast<std::uint64_t>(plan_.epoch));
    std::shuffle(plan_.indices.begin(), plan_.indices.end(), rng);
  }
  if (plan_.world > 1) plan_.indices = shard_of(plan_.indices, plan_.rank, plan_.world, true);
  const int B = std::max(1, plan_.batch);
  batches_ = static_cast<int>((plan_.indices.size() + B - 1) / B);
  worker_ = std::thread([this] { produce(); });
}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void Prefetcher::produce() {
  for (int b = 0; b < batches_; ++b) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || static_cast<int>(ready_.size()) < depth_; });
      if (stop_) return;
    }
    Batch batch = make(b);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_.push_back(std::move(batch));
      ++produced_;
    }
    cv_.notify_all();
  }
}

std::optional<Batch> Prefetcher::next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (consumed_ == batches_) return std::nullopt;
  cv_.wait(lock, [&] { return !ready_.empty(); });
  Batch b = std::move(ready_.front());
  ready_.pop_front();
  ++consumed_;
  lock.unlock();
  cv_.notify_all();
  return b;
}

Batch Prefetcher::make(int b) const {
  const data::LoadedDataset &d = *plan_.data;
  const int C = d.channels;
  const std::size_t first = static_cast<std::size_t>(b) * plan_.batch;
  const int n = static_cast<int>(std::min<std::size_t>(plan_.batch, plan_.indices.size() - first));
  const std::size_t in_size = static_cast<std::size_t>(d.width) * d.height * C;
  Batch out;
  out.n = n;
  out.samples.assign(plan_.indices.begin() + first, plan_.indices.begin() + first + n);
  for (std::size_t i : out.samples) out.labels.push_back(d.labels[i]);
  if (!d.tokens.empty()) {
    const std::size_t len = static_cast<std::size_t>(d.vocabulary.max_len);
    out.tokens.reserve(len * n);
    std::vector<std::int32_t> ids;
    const std::uint64_t base = static_cast<std::uint64_t>(plan_.epoch) * d.size();
    for (std::size_t i : out.samples) {
      ids.assign(&d.tokens[i * len], &d.tokens[i * len] + len);
      if (plan_.token_augment) plan_.token_augment->apply(ids.data(), len, plan_.seed, base + i);
      out.tokens.insert(out.tokens.end(), ids.begin(), ids.end());
    }
    return out;
  }

  if (!d.audio.empty()) {
    // Sound: the clips' features, normalised; 1 x n_mels (or n_mfcc) x frames
    // each. Waveform ops change the clips before the kernel, masks the
    // normalised features after it.
    std::vector<AudioAugment::Draw> draws;
    const AudioAugment *augment = plan_.audio_augment;
    if (augment) {
      const std::uint64_t base = static_cast<std::uint64_t>(plan_.epoch) * d.size();
      for (std::size_t s : out.samples) draws.push_back(augment->draw(plan_.seed, base + s));
    }
    std::function<void(std::size_t, float *)> edit;
    if (augment && augment->has_waveform_ops())
      edit = [&](std::size_t i, float *clip) { augment->waveform(draws[i], clip, d.samples_per_clip); };
    audio_features(d, out.samples, out.x, edit);
    const float scale = 1.0f / plan_.norm.std[0], shift = plan_.norm.mean[0] / plan_.norm.std[0];
    for (float &v : out.x) v = v * scale - shift;
    const std::size_t per_clip = static_cast<std::size_t>(d.width) * d.height;
    for (std::size_t i = 0; i < draws.size(); ++i) augment->masks(draws[i], &out.x[per_clip * i], d.height, d.width);
    return out;
  }

  std::vector<std::uint8_t> gathered(in_size * n);
  for (int i = 0; i < n; ++i) std::memcpy(&gathered[in_size * i], &d.pixels[in_size * out.samples[i]], in_size);
  const std::uint8_t *pixels = gathered.data();
  int W = d.width, H = d.height;
  std::vector<std::uint8_t> augmented;
  const bool detection = !d.objects.empty();
  if (detection) {
    out.boxes.resize(n);
    out.box_labels.resize(n);
    for (int i = 0; i < n; ++i)
      for (const data::Object &o : d.objects[out.samples[i]])
        if (!o.crowd) {
          out.boxes[i].push_back({o.x0, o.y0, o.x1, o.y1});
          out.box_labels[i].push_back(o.label);
        }
  }
  const std::size_t mask_size = static_cast<std::size_t>(d.width) * d.height;
  if (!d.masks.empty()) {
    out.masks.resize(mask_size * n);
    for (int i = 0; i < n; ++i) std::memcpy(&out.masks[mask_size * i], &d.masks[mask_size * out.samples[i]], mask_size);
  }
  if (plan_.augment) {
    const lower::AugmentProgram &prog = plan_.augment->program();
    // Each image's random parameters come from the seed, the epoch and the
    // sample, never from the batch it lands in.
    std::vector<float> params;
    params.reserve(static_cast<std::size_t>(prog.slots) * n);
    const std::uint64_t base = static_cast<std::uint64_t>(plan_.epoch) * d.size();
    for (std::size_t s : out.samples) {
      std::vector<float> row = prog.sample(plan_.seed, base + s);
      params.insert(params.end(), row.begin(), row.end());
    }
    W = prog.out_w;
    H = prog.out_h;
    augmented.resize(static_cast<std::size_t>(W) * H * C * n);
    plan_.augment->run(pixels, n, params.data(), augmented.data());
    pixels = augmented.data();
    // Boxes through the same warp as their image.
    for (int i = 0; detection && i < n; ++i) {
      const std::vector<float> row(params.begin() + static_cast<std::ptrdiff_t>(i) * prog.slots,
                                   params.begin() + static_cast<std::ptrdiff_t>(i + 1) * prog.slots);
      std::vector<int> labels;
      for (std::size_t k : lower::warp_boxes(prog, row, out.boxes[i])) labels.push_back(out.box_labels[i][k]);
      out.box_labels[i] = std::move(labels);
    }
    // Label maps through the same warp, nearest pixel.
    if (!out.masks.empty()) {
      std::vector<std::uint8_t> warped(static_cast<std::size_t>(W) * H * n);
      for (int i = 0; i < n; ++i) {
        const std::vector<float> row(params.begin() + static_cast<std::ptrdiff_t>(i) * prog.slots,
                                     params.begin() + static_cast<std::ptrdiff_t>(i) * prog.slots + 6);
        lower::warp_mask(row, &out.masks[mask_size * i], d.width, d.height, &warped[static_cast<std::size_t>(W) * H * i],
                         W, H, static_cast<std::uint8_t>(d.ignore_index));
      }
      out.masks = std::move(warped);
    }
    for (const lower::AugmentOp &op : prog.ops) {
      if (op.kind != lower::OpKind::Mixup && op.kind != lower::OpKind::Cutmix) continue;
      // The kernel blended each image with a partner; blend the labels alike.
      if (out.targets.empty()) {
        out.targets.assign(static_cast<std::size_t>(n) * plan_.classes, 0.0f);
        for (int i = 0; i < n; ++i) out.targets[static_cast<std::size_t>(i) * plan_.classes + out.labels[i]] = 1.0f;
      }
      std::vector<float> before = out.targets;
      for (int i = 0; i < n; ++i) {
        const float *row = &params[static_cast<std::size_t>(i) * prog.slots];
        if (row[op.enabled_slot] <= 0.5f) continue;
        int partner = std::clamp(static_cast<int>(row[op.first_arg_slot] * n), 0, n - 1);
        float lambda = row[op.first_arg_slot + 1];
        for (int k = 0; k < plan_.classes; ++k)
          out.targets[static_cast<std::size_t>(i) * plan_.classes + k] =
              lambda * before[static_cast<std::size_t>(i) * plan_.classes + k] +
              (1 - lambda) * before[static_cast<std::size_t>(partner) * plan_.classes + k];
      }
    }
  }
  // NHWC uint8 → NCHW float, normalised.
  const std::size_t plane = static_cast<std::size_t>(W) * H;
  out.x.resize(plane * C * n);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < C; ++c) {
      const float scale = 1.0f / (255.0f * plan_.norm.std[c]), shift = plan_.norm.mean[c] / plan_.norm.std[c];
      const std::uint8_t *src = pixels + plane * C * i + c;
      float *dst = &out.x[(static_cast<std::size_t>(i) * C + c) * plane];
      for (std::size_t k = 0; k < plane; ++k) dst[k] = src[k * C] * scale - shift;
    }
  return out;
}

}  // namespace edl::train
