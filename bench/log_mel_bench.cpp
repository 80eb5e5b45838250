// The log-mel kernel against torchaudio's MelSpectrogram (python3-
// torchaudio), timed in the same run on the same clips: every clip of
// data/words (one second at 16 kHz each, scripts/fetch-data.sh words) as
// one batch, n_fft 400, hop 160, 40 mels, best of 5 passes each, both on
// every core (Halide's thread pool and torch.set_num_threads). Prints clips
// a second for both and their ratio, and the largest difference of the
// features in the log domain.
// Usage: edl_log_mel_bench [DATA_DIR]
#include "compiler/lower/halide/LogMel.h"
#include "runtime/data/Dataset.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

using namespace edl;

int main(int argc, char **argv) {
  const std::string root = argc > 1 ? argv[1] : std::string(EDL_SOURCE_DIR) + "/data";
  data::DatasetSpec spec;
  spec.name = "words";
  spec.source = spec::SourceKind::AudioFolder;
  spec.path = root + "/words";
  spec.train = 0.8;
  spec.val = 0.2;
  const data::LoadedDataset d = data::load_dataset(spec);
  if (!d.report.ok() || d.audio.empty()) {
    std::fprintf(stderr, "cannot load %s: run scripts/fetch-data.sh words\n", spec.path.c_str());
    return 1;
  }
  lower::LogMelSpec s;
  const int clips = static_cast<int>(d.audio.size() / static_cast<std::size_t>(s.samples));
  std::string error;
  auto kernel = lower::CompiledLogMel::compile(s, error);
  if (!kernel) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const std::string dir = std::string(EDL_SOURCE_DIR) + "/bench/out/log_mel";
  std::system(("mkdir -p " + dir).c_str());
  std::ofstream(dir + "/clips.f32", std::ios::binary)
      .write(reinterpret_cast<const char *>(d.audio.data()), static_cast<std::streamsize>(d.audio.size() * 4));
  std::vector<float> ours(static_cast<std::size_t>(clips) * s.n_mels * s.frames());
  std::printf("%d clips of 1 s at 16 kHz, n_fft 400, hop 160, 40 mels (kernel compiled in %.2f s)\n", clips,
              kernel->compile_seconds());
  double best = 1e30;
  for (int pass = 0; pass < 5; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    kernel->run(d.audio.data(), clips, ours.data());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const std::string cores = std::to_string(std::thread::hardware_concurrency());
  const std::string command = "/usr/bin/python3 " + std::string(EDL_SOURCE_DIR) + "/bench/log_mel_torchaudio.py " + dir +
                              " " + cores + " > " + dir + "/torchaudio.txt";
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "the torchaudio side failed (python3-torchaudio installed?)\n");
    return 1;
  }
  double peer = 0;
  std::ifstream(dir + "/torchaudio.txt") >> peer;
  std::printf("%s threads: edlc log_mel kernel %.0f clips/s, torchaudio MelSpectrogram + log %.0f clips/s: %.2fx\n",
              cores.c_str(), clips / best, clips / peer, peer / best);
  std::ifstream ref(dir + "/features.f32", std::ios::binary);
  std::vector<float> theirs(ours.size());
  ref.read(reinterpret_cast<char *>(theirs.data()), static_cast<std::streamsize>(theirs.size() * 4));
  double gap = 0;
  for (std::size_t i = 0; i < ours.size(); ++i)
    if (theirs[i] > -9) gap = std::max(gap, std::fabs(static_cast<double>(ours[i]) - theirs[i]));
  std::printf("largest difference where a band holds energy: %.2e (log domain)\n", gap);
  return 0;
}
