// What a sound model reads: each clip's log-mel spectrogram (the dataset's
// audio.features), computed by the compiled kernel (lower/halide/LogMel.h)
// in the prefetch thread, batch by batch, so waveform-level augmentation
// can come before it. One kernel per distinct setting, compiled on first
// use and shared. No torch.
#pragma once

#include "compiler/lower/halide/LogMel.h"
#include "runtime/data/Dataset.h"

#include <functional>
#include <string>
#include <vector>

namespace edl::train {

// The kernel's settings for a sound dataset.
lower::LogMelSpec log_mel_spec(const data::LoadedDataset &d);

// The compiled kernel for `d`; null with `error` when its settings cannot
// work (say n_fft longer than the clip allows).
const lower::CompiledLogMel *log_mel_kernel(const data::LoadedDataset &d, std::string &error);

// The features of samples `indices` of `d`: indices.size() x n_mels x
// frames floats into `out`. The kernel must compile (log_mel_kernel first).
// `edit`, when given, changes each clip (its place in `indices`, its
// samples) before the kernel reads it: waveform augmentation.
void audio_features(const data::LoadedDataset &d, const std::vector<std::size_t> &indices, std::vector<float> &out,
                    const std::function<void(std::size_t, float *)> &edit = nullptr);

}  // namespace edl::train
