#include "compiler/lower/halide/LogMel.h"

#include "Halide.h"
#include "compiler/lower/halide/HostTarget.h"

#include <chrono>
#include <cmath>
#include <mutex>

namespace edl::lower {

using namespace Halide;

namespace {

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

}  // namespace

std::vector<float> mel_filterbank(const LogMelSpec &s) {
  const int bins = s.n_fft / 2 + 1;
  const double f_max = s.f_max > 0 ? s.f_max : s.sample_rate / 2.0;
  std::vector<double> points(static_cast<std::size_t>(s.n_mels) + 2);
  const double low = hz_to_mel(s.f_min), high = hz_to_mel(f_max);
  for (std::size_t i = 0; i < points.size(); ++i)
    points[i] = mel_to_hz(low + (high - low) * static_cast<double>(i) / static_cast<double>(s.n_mels + 1));
  std::vector<float> fb(static_cast<std::size_t>(bins) * s.n_mels, 0.0f);
  for (int b = 0; b < bins; ++b) {
    const double hz = (s.sample_rate / 2.0) * b / (bins - 1);
    for (int m = 0; m < s.n_mels; ++m) {
      const double down = (hz - points[m]) / (points[m + 1] - points[m]);
      const double up = (points[m + 2] - hz) / (points[m + 2] - points[m + 1]);
      fb[static_cast<std::size_t>(b) * s.n_mels + m] = static_cast<float>(std::max(0.0, std::min(down, up)));
    }
  }
  return fb;
}

struct CompiledLogMel::Impl {
  LogMelSpec spec;
  ImageParam clips{Float(32), 2, "clips"};  // (sample, clip)
  Buffer<float> window, cos_table, sin_table, filters;
  Func out{"log_mel"};
  double compile_seconds = 0;
  std::mutex running;  // the input parameter is the pipeline's: one call at a time
};

CompiledLogMel::CompiledLogMel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledLogMel::~CompiledLogMel() = default;
const LogMelSpec &CompiledLogMel::spec() const { return impl_->spec; }
double CompiledLogMel::compile_seconds() const { return impl_->compile_seconds; }

std::unique_ptr<CompiledLogMel> CompiledLogMel::compile(const LogMelSpec &s, std::string &error) {
  const int pad = s.n_fft / 2, bins = s.n_fft / 2 + 1;
  if (s.hop < 1 || s.n_fft < 2 || s.n_mels < 1 || s.samples < 1 || s.sample_rate < 1) {
    error = "log_mel: n_fft, hop, n_mels, the sample rate and the clip length must be positive";
    return nullptr;
  }
  if (pad >= s.samples) {
    error = "log_mel: n_fft = " + std::to_string(s.n_fft) + " is longer than twice the clip (" +
            std::to_string(s.samples) + " samples)";
    return nullptr;
  }
  if (s.f_max > s.sample_rate / 2.0 || s.f_min < 0 || (s.f_max > 0 && s.f_min >= s.f_max)) {
    error = "log_mel: the band must lie between 0 Hz and half the sample rate";
    return nullptr;
  }
  const auto started = std::chrono::steady_clock::now();
  auto impl = std::make_unique<Impl>();
  impl->spec = s;
  Impl &m = *impl;
  m.window = Buffer<float>(s.n_fft);
  // Bin-major rows of each sample's angles: a vector of bins loads contiguously.
  m.cos_table = Buffer<float>(bins, s.n_fft);
  m.sin_table = Buffer<float>(bins, s.n_fft);
  for (int k = 0; k < s.n_fft; ++k) {
    m.window(k) = static_cast<float>(0.5 - 0.5 * std::cos(2 * M_PI * k / s.n_fft));  // periodic Hann
    for (int f = 0; f < bins; ++f) {
      // k * f mod n_fft keeps the angle small, so the table is exact to float precision.
      const double angle = 2 * M_PI * static_cast<double>((static_cast<long>(k) * f) % s.n_fft) / s.n_fft;
      m.cos_table(f, k) = static_cast<float>(std::cos(angle));
      m.sin_table(f, k) = static_cast<float>(std::sin(angle));
    }
  }
  const std::vector<float> fb = mel_filterbank(s);
  m.filters = Buffer<float>(s.n_mels, bins);  // mel-major, as the mels are vectorised
  for (int b = 0; b < bins; ++b)
    for (int j = 0; j < s.n_mels; ++j) m.filters(j, b) = fb[static_cast<std::size_t>(b) * s.n_mels + j];

  try {
    Var k("k"), f("f"), t("t"), n("n"), mel("mel");
    // Reflection without repeating the edge sample, as torch's "reflect" pad.
    Func padded = BoundaryConditions::mirror_interior(m.clips, {{0, s.samples}, {Expr(), Expr()}});
    Func frame("frame");
    frame(k, t, n) = padded(t * s.hop + k - pad, n) * m.window(k);
    RDom r(0, s.n_fft, "r");
    Func spectrum("spectrum");
    spectrum(f, t, n) = Tuple(0.0f, 0.0f);
    spectrum(f, t, n) = Tuple(spectrum(f, t, n)[0] + frame(r, t, n) * m.cos_table(f, r),
                              spectrum(f, t, n)[1] + frame(r, t, n) * m.sin_table(f, r));
    Func power("power");
    power(f, t, n) = spectrum(f, t, n)[0] * spectrum(f, t, n)[0] + spectrum(f, t, n)[1] * spectrum(f, t, n)[1];
    RDom b(0, bins, "b");
    Func energy("energy");
    energy(mel, t, n) = 0.0f;
    energy(mel, t, n) += m.filters(mel, b) * power(b, t, n);
    m.out(t, mel, n) = log(energy(mel, t, n) + 1e-6f);

    // One clip per task; within it, frames in blocks of 8 whose spectra
    // are computed together, bins vectorised.
    Var to("to"), ti("ti");
    m.out.split(t, to, ti, 8, TailStrategy::GuardWithIf).reorder(ti, mel, to, n).parallel(n);
    // (Bins and mels are rarely a multiple of the vector width: the last
    // vector is guarded rather than read past the tables.)
    const TailStrategy guard = TailStrategy::GuardWithIf;
    power.compute_at(m.out, to).vectorize(f, 8, guard);
    spectrum.compute_at(m.out, to).vectorize(f, 8, guard);
    spectrum.update().reorder(f, r, t, n).vectorize(f, 8, guard);
    frame.compute_at(m.out, to);
    energy.compute_at(m.out, to).vectorize(mel, 8, guard);
    energy.update().reorder(mel, b, t, n).vectorize(mel, 8, guard);
    m.out.compile_jit(runnable(get_jit_target_from_environment()));
  } catch (const Halide::Error &e) {
    error = std::string("log_mel: the kernel compiler failed: ") + e.what();
    return nullptr;
  }
  impl->compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return std::unique_ptr<CompiledLogMel>(new CompiledLogMel(std::move(impl)));
}

void CompiledLogMel::run(const float *clips, int n, float *out) const {
  const LogMelSpec &s = impl_->spec;
  const int frames = s.frames();
  halide_dimension_t in_dims[2] = {{0, s.samples, 1}, {0, n, s.samples}};
  halide_dimension_t out_dims[3] = {{0, frames, 1}, {0, s.n_mels, frames}, {0, n, frames * s.n_mels}};
  Buffer<float> in(const_cast<float *>(clips), 2, in_dims);
  Buffer<float> result(out, 3, out_dims);
  std::lock_guard<std::mutex> lock(impl_->running);
  impl_->clips.set(in);
  impl_->out.realize(result);
}

}  // namespace edl::lower
