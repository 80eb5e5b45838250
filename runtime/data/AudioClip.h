// One sound clip as a model reads it: decoded from its file's bytes (WAV,
// FLAC and whatever else libsndfile reads), mixed to mono, resampled with
// libsamplerate and padded with silence or trimmed to a fixed length.
// Training data, `edlc predict`, `edlc serve` and the C++ SDK all use this
// code (the SDK gets its source), so a clip is prepared the same way
// everywhere. std, libsndfile and libsamplerate only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edl::data {

// Longer or wider files are refused, whatever their header claims.
constexpr int kMaxSeconds = 600, kMaxChannels = 64;

// The bytes of an audio file as mono floats in [-1, 1] at the file's own
// rate (`rate`). An error message, or empty.
std::string decode_audio(const std::vector<std::uint8_t> &bytes, std::vector<float> &mono, int &rate);

// Mono samples at `rate` as `length` samples at `target_rate`: resampled
// when the rates differ, then padded with silence or trimmed. An error
// message, or empty.
std::string fit_clip(const float *mono, std::size_t samples, int rate, int target_rate, std::size_t length,
                     std::vector<float> &clip);

// Both: the file's bytes as the clip a model reads.
std::string decode_clip(const std::vector<std::uint8_t> &bytes, int target_rate, std::size_t length,
                        std::vector<float> &clip);

}  // namespace edl::data
