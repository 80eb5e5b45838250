#include "runtime/data/AudioClip.h"

#include <samplerate.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edl::data {
namespace {

// libsndfile reads from memory through these callbacks, so bytes read once
// (for a content hash, or from a request) serve the decoder too.
struct Memory {
  const std::vector<std::uint8_t> *bytes;
  sf_count_t pos = 0;
};
sf_count_t mem_length(void *user) { return static_cast<sf_count_t>(static_cast<Memory *>(user)->bytes->size()); }
sf_count_t mem_seek(sf_count_t offset, int whence, void *user) {
  auto *m = static_cast<Memory *>(user);
  sf_count_t size = static_cast<sf_count_t>(m->bytes->size());
  sf_count_t to = whence == SEEK_SET ? offset : whence == SEEK_CUR ? m->pos + offset : size + offset;
  m->pos = std::max<sf_count_t>(0, std::min(to, size));
  return m->pos;
}
sf_count_t mem_read(void *ptr, sf_count_t count, void *user) {
  auto *m = static_cast<Memory *>(user);
  sf_count_t n = std::min(count, static_cast<sf_count_t>(m->bytes->size()) - m->pos);
  std::memcpy(ptr, m->bytes->data() + m->pos, static_cast<std::size_t>(n));
  m->pos += n;
  return n;
}
sf_count_t mem_write(const void *, sf_count_t, void *) { return 0; }
sf_count_t mem_tell(void *user) { return static_cast<Memory *>(user)->pos; }

}  // namespace

std::string decode_audio(const std::vector<std::uint8_t> &bytes, std::vector<float> &mono, int &rate) {
  Memory mem{&bytes};
  SF_VIRTUAL_IO io{mem_length, mem_seek, mem_read, mem_write, mem_tell};
  SF_INFO info{};
  SNDFILE *f = sf_open_virtual(&io, SFM_READ, &info, &mem);
  if (!f) return std::string("cannot decode audio: ") + sf_strerror(nullptr);
  if (info.frames <= 0 || info.channels <= 0 || info.samplerate <= 0) {
    sf_close(f);
    return "empty audio clip";
  }
  // A header may claim more than a classifier's clip could be; refuse it
  // before allocating for it.
  if (info.channels > kMaxChannels || info.frames > static_cast<sf_count_t>(kMaxSeconds) * info.samplerate) {
    sf_close(f);
    return info.channels > kMaxChannels ? "more than " + std::to_string(kMaxChannels) + " channels"
                                        : "longer than " + std::to_string(kMaxSeconds / 60) + " minutes";
  }
  std::vector<float> interleaved(static_cast<std::size_t>(info.frames) * static_cast<std::size_t>(info.channels));
  sf_count_t got = sf_readf_float(f, interleaved.data(), info.frames);
  sf_close(f);
  if (got < info.frames)
    return "truncated audio: " + std::to_string(got) + " of " + std::to_string(info.frames) + " frames";
  mono.assign(static_cast<std::size_t>(info.frames), 0.0f);
  for (std::size_t i = 0; i < mono.size(); ++i) {
    float sum = 0;
    for (int ch = 0; ch < info.channels; ++ch)
      sum += interleaved[i * static_cast<std::size_t>(info.channels) + static_cast<std::size_t>(ch)];
    mono[i] = sum / static_cast<float>(info.channels);
  }
  rate = info.samplerate;
  return "";
}

std::string fit_clip(const float *mono, std::size_t samples, int rate, int target_rate, std::size_t length,
                     std::vector<float> &clip) {
  if (rate <= 0 || target_rate <= 0) return "the sample rate must be positive";
  clip.assign(length, 0.0f);  // silence pads a short clip
  if (rate == target_rate) {
    std::copy_n(mono, std::min(length, samples), clip.begin());
    return "";
  }
  const double ratio = static_cast<double>(target_rate) / rate;
  std::vector<float> resampled(static_cast<std::size_t>(std::ceil(static_cast<double>(samples) * ratio)) + 16);
  SRC_DATA src{};
  src.data_in = mono;
  src.input_frames = static_cast<long>(samples);
  src.data_out = resampled.data();
  src.output_frames = static_cast<long>(resampled.size());
  src.src_ratio = ratio;
  if (int err = src_simple(&src, SRC_SINC_MEDIUM_QUALITY, 1)) return std::string("cannot resample: ") + src_strerror(err);
  std::copy_n(resampled.begin(), std::min(length, static_cast<std::size_t>(src.output_frames_gen)), clip.begin());
  return "";
}

std::string decode_clip(const std::vector<std::uint8_t> &bytes, int target_rate, std::size_t length,
                        std::vector<float> &clip) {
  std::vector<float> mono;
  int rate = 0;
  std::string why = decode_audio(bytes, mono, rate);
  return why.empty() ? fit_clip(mono.data(), mono.size(), rate, target_rate, length, clip) : why;
}

}  // namespace edl::data
