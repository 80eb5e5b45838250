// audio_folder(path): WAV, FLAC and the other formats libsndfile reads,
// mixed to mono, resampled with libsamplerate to audio.sample_rate, and
// padded with silence or trimmed to audio.duration.
#include "runtime/data/DecodeCache.h"
#include "runtime/data/Loaders.h"

#include <samplerate.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edl::data {
namespace {

// libsndfile reads from memory through these callbacks, so the bytes read
// once serve both the content hash and the decoder.
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

// The clip as mono floats at the target rate and length, or an error.
std::string decode(const std::vector<std::uint8_t> &bytes, const DatasetSpec &spec, std::size_t length,
                   std::vector<float> &clip) {
  Memory mem{&bytes};
  SF_VIRTUAL_IO io{mem_length, mem_seek, mem_read, mem_write, mem_tell};
  SF_INFO info{};
  SNDFILE *f = sf_open_virtual(&io, SFM_READ, &info, &mem);
  if (!f) return std::string("cannot decode audio: ") + sf_strerror(nullptr);
  if (info.frames <= 0 || info.channels <= 0 || info.samplerate <= 0) {
    sf_close(f);
    return "empty audio clip";
  }
  std::vector<float> interleaved(static_cast<std::size_t>(info.frames) * static_cast<std::size_t>(info.channels));
  sf_count_t got = sf_readf_float(f, interleaved.data(), info.frames);
  sf_close(f);
  if (got < info.frames)
    return "truncated audio: " + std::to_string(got) + " of " + std::to_string(info.frames) + " frames";
  std::vector<float> mono(static_cast<std::size_t>(info.frames));
  for (std::size_t i = 0; i < mono.size(); ++i) {
    float sum = 0;
    for (int ch = 0; ch < info.channels; ++ch)
      sum += interleaved[i * static_cast<std::size_t>(info.channels) + static_cast<std::size_t>(ch)];
    mono[i] = sum / static_cast<float>(info.channels);
  }
  if (info.samplerate != spec.sample_rate) {
    double ratio = static_cast<double>(spec.sample_rate) / info.samplerate;
    std::vector<float> resampled(static_cast<std::size_t>(std::ceil(mono.size() * ratio)) + 16);
    SRC_DATA src{};
    src.data_in = mono.data();
    src.input_frames = static_cast<long>(mono.size());
    src.data_out = resampled.data();
    src.output_frames = static_cast<long>(resampled.size());
    src.src_ratio = ratio;
    if (int err = src_simple(&src, SRC_SINC_MEDIUM_QUALITY, 1))
      return std::string("cannot resample: ") + src_strerror(err);
    resampled.resize(static_cast<std::size_t>(src.output_frames_gen));
    mono.swap(resampled);
  }
  clip.assign(length, 0.0f);  // silence pads a short clip
  std::copy_n(mono.begin(), std::min(length, mono.size()), clip.begin());
  return "";
}

}  // namespace

void load_audio(const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out) {
  ClassFiles cf;
  if (!scan_class_folders(spec, {".wav", ".flac", ".ogg", ".aiff", ".aif", ".au"}, "audio clips", cf, out.report))
    return;
  out.classes = cf.classes;
  const auto length = static_cast<std::size_t>(std::llround(spec.duration * spec.sample_rate));
  out.samples_per_clip = static_cast<int>(length);
  std::vector<float> clip;
  for_each_file(
      spec, cf, out.report,
      [&](std::size_t c, const std::string &file, const std::vector<std::uint8_t> &bytes, const std::string &key) {
        const auto *hit = cache ? cache->find(key) : nullptr;
        if (hit && hit->size() == length * sizeof(float)) {
          clip.resize(length);
          std::memcpy(clip.data(), hit->data(), hit->size());
          ++out.report.from_cache;
        } else {
          std::string why = decode(bytes, spec, length, clip);
          if (!why.empty()) return bad_sample(spec, out.report, file, why);
          ++out.report.decoded;
          if (cache) {
            const auto *raw = reinterpret_cast<const std::uint8_t *>(clip.data());
            cache->put(key, std::vector<std::uint8_t>(raw, raw + length * sizeof(float)));
          }
        }
        out.audio.insert(out.audio.end(), clip.begin(), clip.end());
        out.labels.push_back(static_cast<int>(c));
        out.sources.push_back(file);
        return true;
      });
}

}  // namespace edl::data
