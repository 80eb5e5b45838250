// audio_folder(path): WAV, FLAC and the other formats libsndfile reads,
// mixed to mono, resampled to audio.sample_rate, and padded with silence
// or trimmed to audio.duration (data/AudioClip.h).
#include "runtime/data/AudioClip.h"
#include "runtime/data/DecodeCache.h"
#include "runtime/data/Loaders.h"

#include <cmath>
#include <cstring>

namespace edl::data {

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
          std::string why = decode_clip(bytes, spec.sample_rate, length, clip);
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
