// The log-mel spectrogram of fixed-length clips as one Halide pipeline,
// JIT-compiled for the host: reflect-padded frames (centred, as
// torchaudio's MelSpectrogram with center = True), a periodic Hann window,
// the power spectrum as a direct DFT against precomputed cos/sin tables
// (n_fft / 2 + 1 bins), HTK mel triangles between f_min and f_max (no
// normalisation, torchaudio's defaults), then log(mel + 1e-6); for MFCC
// then an orthonormal DCT-II over the mels, keeping the first n_mfcc
// coefficients (torchaudio's MFCC with log_mels = True). Halide types stay
// in the .cpp; callers see plain buffers.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace edl::lower {

struct LogMelSpec {
  int sample_rate = 16000;
  int samples = 16000;  // per clip
  int n_fft = 400;
  int hop = 160;
  int n_mels = 40;
  int n_mfcc = 0;  // > 0: MFCC, the first n_mfcc coefficients of the log-mel's DCT
  double f_min = 0, f_max = 0;  // 0: sample_rate / 2
  int frames() const { return 1 + samples / hop; }
  int rows() const { return n_mfcc > 0 ? n_mfcc : n_mels; }  // of the output, per clip
};

// The mel filterbank as torchaudio.functional.melscale_fbanks builds it
// (mel_scale = "htk", norm = None): (n_fft / 2 + 1) x n_mels, row-major.
std::vector<float> mel_filterbank(const LogMelSpec &spec);

class CompiledLogMel {
 public:
  ~CompiledLogMel();
  // Empty with `error` for settings that cannot work (n_fft larger than
  // the padded clip, hop of 0, f_max above Nyquist) or a compile failure.
  static std::unique_ptr<CompiledLogMel> compile(const LogMelSpec &spec, std::string &error);

  // clips: n x samples floats; out: n x rows() x frames floats. Calls
  // from several threads take turns (each uses every core).
  void run(const float *clips, int n, float *out) const;
  const LogMelSpec &spec() const;
  double compile_seconds() const;

 private:
  struct Impl;
  explicit CompiledLogMel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The same pipeline compiled ahead of time for the host into
// `<dir>/edl_log_mel.a` and `<dir>/edl_log_mel.h`, declaring
//   int edl_log_mel(halide_buffer_t *clips, halide_buffer_t *out);
// clips: float32 (sample, clip), `samples` per clip; out: float32 (frame,
// row, clip). For the C++ SDK of a sound model. False with `error`.
bool compile_log_mel_library(const LogMelSpec &spec, const std::string &dir, std::string &error);

}  // namespace edl::lower
