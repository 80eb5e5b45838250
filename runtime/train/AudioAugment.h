// Sound augmentation: an augment block's audio ops applied on the host,
// in the prefetch thread, around the log-mel kernel. Waveform ops
// (time_shift, gain, noise) change each clip before the kernel, in the
// order written; SpecAugment's masks (time_mask, freq_mask) blank spans of
// the normalised spectrogram after it. The control tree (maybe, one_of,
// some_of, an op's p) is walked as for images, and each clip's randomness
// comes from the run's seed, the epoch and the sample, never from the batch
// it lands in, so a resumed run hears the same clips. No torch.
#pragma once

#include "compiler/resolve/AugmentSpec.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edl::train {

class AudioAugment {
 public:
  // False (with the op's name in `error`) when the block holds an op that
  // does not work on sound.
  static bool accepts(const spec::Augment &block, std::string &error);
  explicit AudioAugment(spec::Augment block) : block_(std::move(block)) {}

  // What one clip's augmentation decided: which ops apply, each op's drawn
  // argument, and a stream for the noise and the masks' places.
  struct Draw {
    std::vector<char> enabled;
    std::vector<double> value;
    std::uint64_t stream = 0;
  };
  Draw draw(std::uint64_t seed, std::uint64_t index) const;

  //   time_shift(fraction)  rotates the clip later by fraction x its length
  //                         (earlier when negative): what leaves one end
  //                         comes back at the other
  //   gain(db)              scales the samples by 10^(db / 20)
  //   noise(std)            adds Gaussian noise of that deviation (full
  //                         scale is 1)
  void waveform(const Draw &d, float *clip, std::size_t samples) const;
  //   time_mask(width, count)  count spans of 0..width frames each set to
  //   freq_mask(width, count)  `fill`, at random places (SpecAugment's T, F)
  // `features`: n_mels x frames, normalised (fill 0 is the training mean).
  void masks(const Draw &d, float *features, int n_mels, int frames, float fill = 0) const;

  bool has_waveform_ops() const;
  const std::string &name() const { return block_.name; }

 private:
  spec::Augment block_;
};

}  // namespace edl::train
