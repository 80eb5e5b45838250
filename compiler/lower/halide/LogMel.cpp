#include "compiler/lower/halide/LogMel.h"

#include "Halide.h"
#include "compiler/lower/halide/HostTarget.h"

#include <chrono>
#include <filesystem>
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

namespace {

// Why settings cannot work, or empty.
std::string unusable(const LogMelSpec &s) {
  if (s.hop < 1 || s.n_fft < 2 || s.n_mels < 1 || s.samples < 1 || s.sample_rate < 1)
    return "log_mel: n_fft, hop, n_mels, the sample rate and the clip length must be positive";
  if (s.n_fft / 2 >= s.samples)
    return "log_mel: n_fft = " + std::to_string(s.n_fft) + " is longer than twice the clip (" +
           std::to_string(s.samples) + " samples)";
  if (s.f_max > s.sample_rate / 2.0 || s.f_min < 0 || (s.f_max > 0 && s.f_min >= s.f_max))
    return "log_mel: the band must lie between 0 Hz and half the sample rate";
  if (s.n_mfcc < 0 || s.n_mfcc > s.n_mels)
    return "mfcc: n_mfcc = " + std::to_string(s.n_mfcc) + " must lie between 1 and n_mels = " + std::to_string(s.n_mels);
  return "";
}

// The pipeline over `clips` (sample, clip), scheduled; its tables are
// buffers the pipeline holds (an ahead-of-time library embeds them).
Func define_log_mel(const LogMelSpec &s, const ImageParam &clips) {
  const int pad = s.n_fft / 2, bins = s.n_fft / 2 + 1;
  Buffer<float> window(s.n_fft);
  // Bin-major rows of each sample's angles: a vector of bins loads contiguously.
  Buffer<float> cos_table(bins, s.n_fft), sin_table(bins, s.n_fft);
  for (int k = 0; k < s.n_fft; ++k) {
    window(k) = static_cast<float>(0.5 - 0.5 * std::cos(2 * M_PI * k / s.n_fft));  // periodic Hann
    for (int f = 0; f < bins; ++f) {
      // k * f mod n_fft keeps the angle small, so the table is exact to float precision.
      const double angle = 2 * M_PI * static_cast<double>((static_cast<long>(k) * f) % s.n_fft) / s.n_fft;
      cos_table(f, k) = static_cast<float>(std::cos(angle));
      sin_table(f, k) = static_cast<float>(std::sin(angle));
    }
  }
  const std::vector<float> fb = mel_filterbank(s);
  Buffer<float> filters(s.n_mels, bins);  // mel-major, as the mels are vectorised
  for (int b = 0; b < bins; ++b)
    for (int j = 0; j < s.n_mels; ++j) filters(j, b) = fb[static_cast<std::size_t>(b) * s.n_mels + j];

  Var k("k"), f("f"), t("t"), n("n"), mel("mel");
  // Reflection without repeating the edge sample, as torch's "reflect" pad.
  Func padded = BoundaryConditions::mirror_interior(clips, {{0, s.samples}, {Expr(), Expr()}});
  Func frame("frame");
  frame(k, t, n) = padded(t * s.hop + k - pad, n) * window(k);
  RDom r(0, s.n_fft, "r");
  Func spectrum("spectrum");
  spectrum(f, t, n) = Tuple(0.0f, 0.0f);
  spectrum(f, t, n) = Tuple(spectrum(f, t, n)[0] + frame(r, t, n) * cos_table(f, r),
                            spectrum(f, t, n)[1] + frame(r, t, n) * sin_table(f, r));
  Func power("power");
  power(f, t, n) = spectrum(f, t, n)[0] * spectrum(f, t, n)[0] + spectrum(f, t, n)[1] * spectrum(f, t, n)[1];
  RDom b(0, bins, "b");
  Func energy("energy");
  energy(mel, t, n) = 0.0f;
  energy(mel, t, n) += filters(mel, b) * power(b, t, n);
  Func log_mel("log_mel");
  log_mel(t, mel, n) = log(energy(mel, t, n) + 1e-6f);

  // Frames in blocks of 8 whose spectra are computed together, bins
  // vectorised. (Bins and mels are rarely a multiple of the vector width:
  // the last vector is guarded rather than read past the tables.)
  const TailStrategy guard = TailStrategy::GuardWithIf;
  Var to("to"), ti("ti");
  log_mel.split(t, to, ti, 8, guard).reorder(ti, mel, to, n);
  power.compute_at(log_mel, to).vectorize(f, 8, guard);
  spectrum.compute_at(log_mel, to).vectorize(f, 8, guard);
  spectrum.update().reorder(f, r, t, n).vectorize(f, 8, guard);
  frame.compute_at(log_mel, to);
  energy.compute_at(log_mel, to).vectorize(mel, 8, guard);
  energy.update().reorder(mel, b, t, n).vectorize(mel, 8, guard);
  if (s.n_mfcc == 0) {
    log_mel.parallel(n);  // one clip per task
    return log_mel;
  }
  // MFCC: a DCT-II with orthonormal scaling over the mels, coefficient-major
  // (torchaudio's create_dct(norm = "ortho")), of each clip's log-mels.
  Buffer<float> dct(s.n_mels, s.n_mfcc);
  for (int c = 0; c < s.n_mfcc; ++c)
    for (int j = 0; j < s.n_mels; ++j)
      dct(j, c) = static_cast<float>(std::cos(M_PI / s.n_mels * (j + 0.5) * c) * std::sqrt((c == 0 ? 1.0 : 2.0) / s.n_mels));
  Var coefficient("coefficient");
  RDom m(0, s.n_mels, "m");
  Func out("mfcc");
  out(t, coefficient, n) = 0.0f;
  out(t, coefficient, n) += dct(m, coefficient) * log_mel(t, m, n);
  out.vectorize(t, 8, guard).parallel(n);
  out.update().reorder(t, m, coefficient, n).vectorize(t, 8, guard).parallel(n);
  log_mel.compute_at(out, n);  // a clip's log-mels, then its coefficients
  return out;
}

}  // namespace

struct CompiledLogMel::Impl {
  LogMelSpec spec;
  ImageParam clips{Float(32), 2, "clips"};  // (sample, clip)
  Func out;
  double compile_seconds = 0;
  std::mutex running;  // the input parameter is the pipeline's: one call at a time
};

CompiledLogMel::CompiledLogMel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledLogMel::~CompiledLogMel() = default;
const LogMelSpec &CompiledLogMel::spec() const { return impl_->spec; }
double CompiledLogMel::compile_seconds() const { return impl_->compile_seconds; }

std::unique_ptr<CompiledLogMel> CompiledLogMel::compile(const LogMelSpec &s, std::string &error) {
  error = unusable(s);
  if (!error.empty()) return nullptr;
  const auto started = std::chrono::steady_clock::now();
  auto impl = std::make_unique<Impl>();
  impl->spec = s;
  try {
    impl->out = define_log_mel(s, impl->clips);
    impl->out.compile_jit(runnable(get_jit_target_from_environment()));
  } catch (const Halide::Error &e) {
    error = std::string("log_mel: the kernel compiler failed: ") + e.what();
    return nullptr;
  }
  impl->compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return std::unique_ptr<CompiledLogMel>(new CompiledLogMel(std::move(impl)));
}

bool compile_log_mel_library(const LogMelSpec &s, const std::string &dir, std::string &error) {
  error = unusable(s);
  if (!error.empty()) return false;
  try {
    ImageParam clips(Float(32), 2, "clips");
    clips.dim(0).set_min(0).set_extent(s.samples).set_stride(1);
    Func out = define_log_mel(s, clips);
    out.output_buffer().dim(0).set_extent(s.frames()).dim(1).set_extent(s.rows());
    std::filesystem::create_directories(dir);
    out.compile_to_static_library((std::filesystem::path(dir) / "edl_log_mel").string(), {clips}, "edl_log_mel",
                                  runnable(get_host_target()).without_feature(Target::JIT));
    return true;
  } catch (const Halide::Error &e) {
    error = std::string("log_mel: the kernel compiler failed: ") + e.what();
    return false;
  }
}

void CompiledLogMel::run(const float *clips, int n, float *out) const {
  const LogMelSpec &s = impl_->spec;
  const int frames = s.frames();
  halide_dimension_t in_dims[2] = {{0, s.samples, 1}, {0, n, s.samples}};
  halide_dimension_t out_dims[3] = {{0, frames, 1}, {0, s.rows(), frames}, {0, n, frames * s.rows()}};
  Buffer<float> in(const_cast<float *>(clips), 2, in_dims);
  Buffer<float> result(out, 3, out_dims);
  std::lock_guard<std::mutex> lock(impl_->running);
  impl_->clips.set(in);
  impl_->out.realize(result);
}

}  // namespace edl::lower
