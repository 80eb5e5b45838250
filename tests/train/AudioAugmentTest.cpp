// Sound augmentation on real spoken words (data/words): each waveform op
// does what it says to the samples (gain scales, time_shift rotates,
// noise adds that much), gain shifts the log-mel features by
// its log factor where a band holds energy, masks blank spans no wider than
// asked of the spectrogram, the control tree decides what applies, and
// every draw is reproducible per seed and clip.
#include "TestSupport.h"

#include "compiler/lower/halide/LogMel.h"
#include "runtime/data/AudioClip.h"
#include "runtime/train/AudioAugment.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>

using namespace edl;
using spec::Control;
using spec::OpKind;
using spec::Value;

namespace {

// A block of `ops` (kind, first argument, count) in sequence, each under
// maybe(p) when p < 1.
spec::Augment block(const std::vector<std::tuple<OpKind, Value, int>> &ops, double p = 1) {
  spec::Augment a;
  a.name = "heard";
  Control *parent = &a.root;
  if (p < 1) {
    Control maybe;
    maybe.kind = Control::Maybe;
    maybe.p_value = Value::constant(p);
    a.root.children.push_back(maybe);
    parent = &a.root.children.back();
  }
  for (const auto &[kind, value, count] : ops) {
    spec::AugmentOp op;
    op.kind = kind;
    op.name = "op";
    op.args = {value};
    op.count = count;
    Control c;
    c.kind = Control::Op;
    c.op = static_cast<int>(a.ops.size());
    parent->children.push_back(c);
    a.ops.push_back(op);
  }
  return a;
}

// One second of a spoken word at 16 kHz.
std::vector<float> spoken(const std::string &word, int take = 0) {
  const std::filesystem::path dir = std::filesystem::path(test::fetched_data("words")) / word;
  std::vector<std::string> files;
  for (const auto &e : std::filesystem::directory_iterator(dir)) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() > static_cast<std::size_t>(take));
  std::ifstream in(files[static_cast<std::size_t>(take)], std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> clip;
  REQUIRE(data::decode_clip(bytes, 16000, 16000, clip).empty());
  return clip;
}

std::vector<float> waveform(const train::AudioAugment &a, std::vector<float> clip, std::uint64_t index) {
  a.waveform(a.draw(7, index), clip.data(), clip.size());
  return clip;
}

}  // namespace

TEST_CASE("audio augmentation: gain scales, time_shift rotates, noise adds its deviation", "[audio]") {
  const std::vector<float> clip = spoken("yes");
  const train::AudioAugment louder(block({{OpKind::Gain, Value::constant(6), 1}}));
  const std::vector<float> loud = waveform(louder, clip, 0);
  for (std::size_t k = 0; k < clip.size(); k += 97) CHECK(loud[k] == Approx(clip[k] * std::pow(10.0, 0.3)).margin(1e-7));

  const train::AudioAugment later(block({{OpKind::TimeShift, Value::constant(0.25), 1}}));
  const std::vector<float> shifted = waveform(later, clip, 0);
  for (std::size_t k = 0; k < clip.size(); ++k) REQUIRE(shifted[(k + 4000) % clip.size()] == clip[k]);
  const train::AudioAugment earlier(block({{OpKind::TimeShift, Value::constant(-0.1), 1}}));
  const std::vector<float> ahead = waveform(earlier, clip, 0);
  for (std::size_t k = 0; k < clip.size(); ++k) REQUIRE(ahead[k] == clip[(k + 1600) % clip.size()]);

  const train::AudioAugment noisy(block({{OpKind::Noise, Value::constant(0.02), 1}}));
  const std::vector<float> with_noise = waveform(noisy, clip, 3);
  double sum = 0, sq = 0;
  for (std::size_t k = 0; k < clip.size(); ++k) {
    const double d = with_noise[k] - clip[k];
    sum += d, sq += d * d;
  }
  const double mean = sum / clip.size(), sd = std::sqrt(sq / clip.size() - mean * mean);
  CHECK(std::fabs(mean) < 0.001);
  CHECK(sd == Approx(0.02).epsilon(0.03));
  CHECK(waveform(noisy, clip, 3) == with_noise);  // the same clip hears the same noise
  CHECK(waveform(noisy, clip, 4) != with_noise);
}

TEST_CASE("audio augmentation: gain shifts the log-mel features by its log factor", "[audio]") {
  lower::LogMelSpec s;
  std::string error;
  auto kernel = lower::CompiledLogMel::compile(s, error);
  REQUIRE(kernel);
  const std::vector<float> clip = spoken("stop", 2);
  const train::AudioAugment louder(block({{OpKind::Gain, Value::constant(-12), 1}}));
  const std::vector<float> quiet = waveform(louder, clip, 0);
  std::vector<float> a(static_cast<std::size_t>(s.n_mels) * s.frames()), b(a.size());
  kernel->run(clip.data(), 1, a.data());
  kernel->run(quiet.data(), 1, b.data());
  const double expected = 2 * std::log(std::pow(10.0, -12 / 20.0));  // power scales by the gain squared
  int loud_bands = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] > 0) {  // energy far above the 1e-6 floor
      ++loud_bands;
      REQUIRE(b[i] - a[i] == Approx(expected).margin(0.01));
    }
  CHECK(loud_bands > 100);
}

TEST_CASE("audio augmentation: masks blank spans of frames and bands, no wider than asked", "[audio]") {
  const int mels = 40, frames = 101;
  const train::AudioAugment time(block({{OpKind::TimeMask, Value::constant(10), 2}}));
  const train::AudioAugment freq(block({{OpKind::FreqMask, Value::constant(6), 1}}));
  int widest = 0, masked_clips = 0;
  for (std::uint64_t index = 0; index < 200; ++index) {
    std::vector<float> f(static_cast<std::size_t>(mels) * frames, 1.0f);
    time.masks(time.draw(7, index), f.data(), mels, frames);
    int blank = 0;
    for (int t = 0; t < frames; ++t) {
      const bool all = f[static_cast<std::size_t>(t)] == 0.0f;
      for (int m = 0; m < mels; ++m) REQUIRE((f[static_cast<std::size_t>(m) * frames + t] == 0.0f) == all);
      blank += all;
    }
    REQUIRE(blank <= 20);  // two masks of at most 10 frames
    widest = std::max(widest, blank);
    masked_clips += blank > 0;

    std::vector<float> g(static_cast<std::size_t>(mels) * frames, 1.0f);
    freq.masks(freq.draw(7, index), g.data(), mels, frames);
    int bands = 0;
    for (int m = 0; m < mels; ++m) {
      const auto row = g.begin() + static_cast<long>(m) * frames;
      const long zeros = std::count(row, row + frames, 0.0f);
      REQUIRE((zeros == 0 || zeros == frames));
      bands += zeros == frames;
    }
    REQUIRE(bands <= 6);
  }
  CHECK(widest > 10);           // two masks together cover more than one can
  CHECK(masked_clips > 170);    // a width of 0 is drawn now and then, not often
}

TEST_CASE("audio augmentation: the control tree decides, draws repeat per clip, other data's ops are refused", "[audio]") {
  const std::vector<float> clip = spoken("go", 1);
  const train::AudioAugment never(block({{OpKind::Gain, Value::constant(6), 1}}, 0.0));
  CHECK(waveform(never, clip, 5) == clip);
  const train::AudioAugment half(block({{OpKind::Gain, Value::uniform(3, 9), 1}}, 0.5));
  int changed = 0;
  for (std::uint64_t index = 0; index < 400; ++index) changed += waveform(half, clip, index) != clip;
  CHECK(changed > 160);
  CHECK(changed < 240);
  CHECK(waveform(half, clip, 11) == waveform(half, clip, 11));

  spec::Augment mixed = block({{OpKind::Gain, Value::constant(1), 1}, {OpKind::FlipH, Value::constant(0), 1}});
  mixed.ops[1].name = "flip_horizontal";
  std::string error;
  CHECK_FALSE(train::AudioAugment::accepts(mixed, error));
  CHECK(error == "augment 'heard': 'flip_horizontal' does not work on sound (time_shift, gain, noise, time_mask and "
                 "freq_mask do)");
  CHECK(train::AudioAugment::accepts(block({{OpKind::Noise, Value::constant(0.1), 1}}), error));
}
