#include "runtime/train/AudioFeatures.h"

#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <tuple>

namespace edl::train {

lower::LogMelSpec log_mel_spec(const data::LoadedDataset &d) {
  lower::LogMelSpec s;
  s.sample_rate = d.sample_rate;
  s.samples = d.samples_per_clip;
  s.n_fft = d.log_mel.n_fft;
  s.hop = d.log_mel.hop;
  s.n_mels = d.log_mel.n_mels;
  s.n_mfcc = d.log_mel.n_mfcc;
  return s;
}

const lower::CompiledLogMel *log_mel_kernel(const data::LoadedDataset &d, std::string &error) {
  using Key = std::tuple<int, int, int, int, int, int>;
  static std::mutex mu;
  static std::map<Key, std::unique_ptr<lower::CompiledLogMel>> kernels;
  const lower::LogMelSpec s = log_mel_spec(d);
  const Key key{s.sample_rate, s.samples, s.n_fft, s.hop, s.n_mels, s.n_mfcc};
  std::lock_guard<std::mutex> lock(mu);
  auto it = kernels.find(key);
  if (it != kernels.end()) return it->second.get();
  std::unique_ptr<lower::CompiledLogMel> kernel = lower::CompiledLogMel::compile(s, error);
  if (!kernel) return nullptr;
  return kernels.emplace(key, std::move(kernel)).first->second.get();
}

void audio_features(const data::LoadedDataset &d, const std::vector<std::size_t> &indices, std::vector<float> &out,
                    const std::function<void(std::size_t, float *)> &edit) {
  std::string error;
  const lower::CompiledLogMel *kernel = log_mel_kernel(d, error);
  if (!kernel) throw std::runtime_error(error);
  const lower::LogMelSpec &s = kernel->spec();
  const std::size_t clip = static_cast<std::size_t>(s.samples);
  std::vector<float> clips(clip * indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i)
    std::memcpy(&clips[clip * i], &d.audio[clip * indices[i]], clip * sizeof(float));
  if (edit)
    for (std::size_t i = 0; i < indices.size(); ++i) edit(i, &clips[clip * i]);
  out.resize(indices.size() * static_cast<std::size_t>(s.rows()) * s.frames());
  kernel->run(clips.data(), static_cast<int>(indices.size()), out.data());
}

}  // namespace edl::train
