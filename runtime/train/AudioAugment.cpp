#include "runtime/train/AudioAugment.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace edl::train {

namespace {

bool is_mask(spec::OpKind k) { return k == spec::OpKind::TimeMask || k == spec::OpKind::FreqMask; }

std::mt19937_64 generator(std::uint64_t a, std::uint64_t b) {
  std::seed_seq seq{static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(a >> 32), static_cast<std::uint32_t>(b),
                    static_cast<std::uint32_t>(b >> 32)};
  return std::mt19937_64(seq);
}

}  // namespace

bool AudioAugment::accepts(const spec::Augment &block, std::string &error) {
  for (const spec::AugmentOp &op : block.ops)
    if (!spec::is_audio_only_op(op.kind) && op.kind != spec::OpKind::Noise) {
      error = "augment '" + block.name + "': '" + op.name +
              "' does not work on sound (time_shift, gain, noise, time_mask and freq_mask do)";
      return false;
    }
  return true;
}

bool AudioAugment::has_waveform_ops() const {
  return std::any_of(block_.ops.begin(), block_.ops.end(), [](const spec::AugmentOp &op) { return !is_mask(op.kind); });
}

AudioAugment::Draw AudioAugment::draw(std::uint64_t seed, std::uint64_t index) const {
  std::mt19937_64 rng = generator(seed, index);
  Draw d;
  d.enabled = spec::enabled_ops(block_.root, block_.ops.size(), rng);
  // Every op draws its argument, applied or not, so one op's choice never
  // shifts another's randomness.
  for (const spec::AugmentOp &op : block_.ops) d.value.push_back(op.args.empty() ? 0.0 : op.args[0].sample(rng));
  d.stream = rng();
  return d;
}

void AudioAugment::waveform(const Draw &d, float *clip, std::size_t samples) const {
  std::mt19937_64 rng = generator(d.stream, 1);
  for (std::size_t i = 0; i < block_.ops.size(); ++i) {
    if (!d.enabled[i]) continue;
    const double v = d.value[i];
    switch (block_.ops[i].kind) {
      case spec::OpKind::TimeShift: {
        // A rotation: what leaves one end comes back at the other, so the
        // clip's background goes on instead of dropping to digital silence.
        const auto n = static_cast<std::ptrdiff_t>(samples);
        if (n == 0) break;
        std::ptrdiff_t shift = std::lround(v * static_cast<double>(n)) % n;
        if (shift < 0) shift += n;
        std::rotate(clip, clip + (n - shift), clip + n);
        break;
      }
      case spec::OpKind::Gain: {
        const float g = static_cast<float>(std::pow(10.0, v / 20.0));
        for (std::size_t k = 0; k < samples; ++k) clip[k] *= g;
        break;
      }
      case spec::OpKind::Noise: {
        if (v <= 0) break;
        std::normal_distribution<float> noise(0.0f, static_cast<float>(v));
        for (std::size_t k = 0; k < samples; ++k) clip[k] += noise(rng);
        break;
      }
      default: break;
    }
  }
}

void AudioAugment::masks(const Draw &d, float *features, int n_mels, int frames, float fill) const {
  std::mt19937_64 rng = generator(d.stream, 2);
  for (std::size_t i = 0; i < block_.ops.size(); ++i) {
    const spec::AugmentOp &op = block_.ops[i];
    if (!is_mask(op.kind) || !d.enabled[i]) continue;
    const bool time = op.kind == spec::OpKind::TimeMask;
    const int extent = time ? frames : n_mels;
    const int widest = std::clamp(static_cast<int>(std::lround(d.value[i])), 0, extent);
    for (int m = 0; m < op.count; ++m) {
      const int width = std::uniform_int_distribution<int>(0, widest)(rng);
      const int start = std::uniform_int_distribution<int>(0, extent - width)(rng);
      for (int k = start; k < start + width; ++k) {
        if (time)
          for (int mel = 0; mel < n_mels; ++mel) features[static_cast<std::size_t>(mel) * frames + k] = fill;
        else
          std::fill(features + static_cast<std::size_t>(k) * frames, features + static_cast<std::size_t>(k + 1) * frames, fill);
      }
    }
  }
}

}  // namespace edl::train
