// The log-mel kernel against torchaudio (python3-torchaudio) on real
// spoken words (data/words, made with espeak-ng by scripts/fetch-data.sh):
// the filterbank and the features of every clip agree with
// torchaudio.transforms.MelSpectrogram's, the MFCCs with
// torchaudio.transforms.MFCC's, and settings that cannot work are refused
// with the reason.
#include "TestSupport.h"

#include "compiler/lower/halide/LogMel.h"
#include "runtime/data/Dataset.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>

using namespace edl;

namespace {

std::vector<float> read_floats(const std::string &path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::vector<float> out(static_cast<std::size_t>(in.tellg()) / sizeof(float));
  in.seekg(0);
  in.read(reinterpret_cast<char *>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(float)));
  return out;
}

}  // namespace

namespace {

// Every 80th clip of the spoken words: many words and speakers.
std::vector<float> some_clips(std::size_t clips, std::size_t samples) {
  data::DatasetSpec spec;
  spec.name = "words";
  spec.source = spec::SourceKind::AudioFolder;
  spec.path = test::fetched_data("words");
  spec.sample_rate = 16000;
  spec.duration = 1.0;
  spec.train = 0.8;
  spec.val = 0.2;
  const data::LoadedDataset d = data::load_dataset(spec);
  REQUIRE(d.report.ok());
  REQUIRE(d.audio.size() >= clips * samples);
  std::vector<float> chosen;
  for (std::size_t i = 0; i < clips; ++i) {
    const std::size_t row = (i * 80) % (d.audio.size() / samples);
    chosen.insert(chosen.end(), d.audio.begin() + static_cast<long>(row * samples),
                  d.audio.begin() + static_cast<long>((row + 1) * samples));
  }
  return chosen;
}

// torchaudio's answer for `clips` (tests/runtime/torchaudio_reference.py).
std::vector<float> torchaudio_reference(const std::vector<float> &clips, const std::string &settings) {
  const test::TempDir dir;
  const std::string in = (dir.path / "clips.f32").string(), out = (dir.path / "reference.f32").string();
  std::ofstream(in, std::ios::binary)
      .write(reinterpret_cast<const char *>(clips.data()), static_cast<std::streamsize>(clips.size() * 4));
  const std::string command = "/usr/bin/python3 " + test::source_dir() + "/tests/runtime/torchaudio_reference.py " + in +
                              " " + out + " 16000 16000 " + settings;
  REQUIRE(std::system(command.c_str()) == 0);
  return read_floats(out);
}

}  // namespace

TEST_CASE("log_mel: the kernel gives torchaudio's MelSpectrogram on spoken words", "[audio]") {
  const std::size_t samples = 16000, clips = 48;
  const std::vector<float> chosen = some_clips(clips, samples);
  for (const auto &[n_fft, hop, n_mels] : {std::tuple{400, 160, 40}, {512, 128, 64}, {256, 100, 32}}) {
    INFO("n_fft " << n_fft << ", hop " << hop << ", n_mels " << n_mels);
    lower::LogMelSpec s;
    s.samples = static_cast<int>(samples);
    s.n_fft = n_fft;
    s.hop = hop;
    s.n_mels = n_mels;
    std::string error;
    auto kernel = lower::CompiledLogMel::compile(s, error);
    REQUIRE(kernel);
    std::vector<float> ours(clips * n_mels * s.frames());
    kernel->run(chosen.data(), static_cast<int>(clips), ours.data());

    const std::vector<float> reference =
        torchaudio_reference(chosen, std::to_string(n_fft) + " " + std::to_string(hop) + " " + std::to_string(n_mels));
    REQUIRE(reference.size() == ours.size() + static_cast<std::size_t>(n_fft / 2 + 1) * n_mels);

    // The filterbank, exactly as torchaudio builds it.
    const std::vector<float> fb = lower::mel_filterbank(s);
    double fb_gap = 0;
    for (std::size_t i = 0; i < fb.size(); ++i)
      fb_gap = std::max(fb_gap, static_cast<double>(std::fabs(fb[i] - reference[ours.size() + i])));
    CHECK(fb_gap < 1e-5);
    // The features: in the log domain, within 5e-4 wherever the band holds
    // energy (above e^-9; measured: at most 1.2e-4); in near-silent bands
    // float rounding of tiny powers weighs more, so there within 5e-3
    // (measured: at most 1.6e-4).
    double gap = 0, quiet_gap = 0;
    std::size_t loud = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      const double diff = std::fabs(static_cast<double>(ours[i]) - reference[i]);
      if (reference[i] > -9) {
        gap = std::max(gap, diff);
        ++loud;
      } else {
        quiet_gap = std::max(quiet_gap, diff);
      }
    }
    INFO("largest gap " << gap << " over " << loud << " values, " << quiet_gap << " in quiet bands");
    CHECK(loud > ours.size() / 2);
    CHECK(gap < 5e-4);
    CHECK(quiet_gap < 5e-3);
  }
}

TEST_CASE("mfcc: the kernel gives torchaudio's MFCC on spoken words", "[audio]") {
  const std::size_t samples = 16000, clips = 24;
  const std::vector<float> chosen = some_clips(clips, samples);
  for (const auto &[n_mfcc, n_mels] : {std::pair{13, 40}, {20, 64}}) {
    INFO("n_mfcc " << n_mfcc << ", n_mels " << n_mels);
    lower::LogMelSpec s;
    s.samples = static_cast<int>(samples);
    s.n_mels = n_mels;
    s.n_mfcc = n_mfcc;
    std::string error;
    auto kernel = lower::CompiledLogMel::compile(s, error);
    REQUIRE(kernel);
    std::vector<float> ours(clips * n_mfcc * s.frames());
    kernel->run(chosen.data(), static_cast<int>(clips), ours.data());
    const std::vector<float> reference =
        torchaudio_reference(chosen, "400 160 " + std::to_string(n_mels) + " " + std::to_string(n_mfcc));
    REQUIRE(reference.size() == ours.size());
    // A coefficient sums n_mels log-mels of magnitude up to about 14, so
    // their differences add up: within 5e-4 absolute (measured: at most
    // 8.4e-5, on coefficients up to 99).
    double gap = 0, largest = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      gap = std::max(gap, std::fabs(static_cast<double>(ours[i]) - reference[i]));
      largest = std::max(largest, std::fabs(static_cast<double>(reference[i])));
    }
    INFO("largest gap " << gap << ", largest coefficient " << largest);
    CHECK(largest > 10);
    CHECK(gap < 5e-4);
  }
}

TEST_CASE("log_mel: settings that cannot work are refused with the reason", "[audio]") {
  std::string error;
  lower::LogMelSpec s;
  s.samples = 100;
  s.n_fft = 400;
  CHECK_FALSE(lower::CompiledLogMel::compile(s, error));
  CHECK(error.find("longer than twice the clip") != std::string::npos);
  s.samples = 16000;
  s.f_max = 9000;
  CHECK_FALSE(lower::CompiledLogMel::compile(s, error));
  CHECK(error.find("half the sample rate") != std::string::npos);
  s.f_max = 0;
  s.hop = 0;
  CHECK_FALSE(lower::CompiledLogMel::compile(s, error));
  CHECK(error.find("must be positive") != std::string::npos);
  s.hop = 160;
  s.n_mfcc = 41;
  CHECK_FALSE(lower::CompiledLogMel::compile(s, error));
  CHECK(error == "mfcc: n_mfcc = 41 must lie between 1 and n_mels = 40");
}
