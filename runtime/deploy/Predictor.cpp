#include "runtime/deploy/Predictor.h"

#include "compiler/lower/halide/LogMel.h"
#include "compiler/lower/torch/QuantizeInt8.h"
#include "runtime/data/AudioClip.h"
#include "runtime/data/Dataset.h"
#include "runtime/deploy/Package.h"
#include "runtime/deploy/PackageCache.h"

#include <torch/script.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace edl::deploy {
namespace {

namespace fs = std::filesystem;

// The file of the module to run: the edge() target's (under the int8
// engine it was quantized for), or the TorchScript one.
std::string module_file(const nlohmann::json &manifest, bool edge) {
  if (!edge) return manifest.at("files").at("torchscript").get<std::string>();
  for (const auto &target : manifest.value("targets", nlohmann::json::array()))
    if (target.value("target", "") == "edge") {
      const std::string engine = target.value("engine", "");
      if (!engine.empty() && lower::select_int8_engine() != engine)
        throw std::runtime_error("its int8 edge model needs libtorch's " + engine + " engine, which this build lacks");
      return target.at("file").get<std::string>();
    }
  throw std::runtime_error("it has no edge() target");
}

// A classifier's softmax over `logits`: row j's `k` best classes into out[rows[j]].
void top_classes(const torch::Tensor &logits, const std::vector<std::string> &classes, const std::vector<std::size_t> &rows,
                 int k, std::vector<Predicted> &out) {
  const torch::Tensor probs = torch::softmax(logits, 1);
  const int top = std::max(1, std::min<int>(k, static_cast<int>(classes.size())));
  // A stable sort: equal scores (an int8 model's logits tie often) keep the
  // lower class first, as argmax, and so the package's measured accuracy, does.
  auto [sorted, order] = torch::sort(probs, /*stable=*/true, /*dim=*/1, /*descending=*/true);
  const torch::Tensor values = sorted.slice(1, 0, top), indices = order.slice(1, 0, top);
  for (std::size_t j = 0; j < rows.size(); ++j)
    for (int r = 0; r < top; ++r) {
      const int index = static_cast<int>(indices[static_cast<long>(j)][r].item<long>());
      out[rows[j]].top.push_back({index, classes[static_cast<std::size_t>(index)], values[static_cast<long>(j)][r].item<double>()});
    }
}

}  // namespace

// A segmenter's class scores are resized to the image's own size in one
// tensor (classes x pixels floats): larger images are refused rather than
// let an upload exhaust the server's memory.
constexpr std::uint64_t kSegmentScoreBytes = 1ull << 30;

struct Predictor::Impl {
  nlohmann::json manifest;
  torch::jit::Module module;
  std::vector<std::string> classes;
  int width = 0, height = 0, channels = 0;
  bool detects = false, segments = false;
  bool text = false;  // a text classifier: `encoder` makes its token ids
  data::TextEncoder encoder;
  // A sound classifier: clips at `sample_rate`, log_mel.spec().samples
  // long, through the features' kernel.
  std::unique_ptr<lower::CompiledLogMel> log_mel;
  int sample_rate = 0;
  std::vector<float> scale, shift;  // per channel: x * scale - shift
};

Predictor::Predictor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Predictor::~Predictor() = default;

std::unique_ptr<Predictor> Predictor::open(const std::string &package, std::string &error, bool edge) {
  const std::string dir = unpacked_package(package, error);
  if (dir.empty()) return nullptr;
  auto impl = std::make_unique<Impl>();
  try {
    std::ifstream in(fs::path(dir) / "manifest.json");
    impl->manifest = nlohmann::json::parse(in);
    if (impl->manifest.value("format", "") != "edl-package") throw std::runtime_error("not an edl package manifest");
    const auto &input = impl->manifest.at("input");
    impl->classes = impl->manifest.at("classes").get<std::vector<std::string>>();
    impl->module = torch::jit::load((fs::path(dir) / module_file(impl->manifest, edge)).string());
    impl->module.eval();
    if (input.value("kind", "image") == "text") {
      impl->text = true;
      std::ifstream file(fs::path(dir) / impl->manifest.at("files").at("tokenizer").get<std::string>(), std::ios::binary);
      std::string why;
      if (!file || !data::TextEncoder::read(file, impl->encoder, why)) throw std::runtime_error("its tokenizer: " + why);
      return std::unique_ptr<Predictor>(new Predictor(std::move(impl)));
    }
    if (input.value("kind", "image") == "audio") {
      lower::LogMelSpec s;
      s.sample_rate = impl->sample_rate = input.at("sample_rate");
      s.samples = input.at("samples");
      const auto &features = impl->manifest.at("preprocessing").at("features");
      s.n_fft = features.at("n_fft");
      s.hop = features.at("hop");
      s.n_mels = features.at("n_mels");
      s.n_mfcc = features.value("n_mfcc", 0);
      std::string why;
      impl->log_mel = lower::CompiledLogMel::compile(s, why);
      if (!impl->log_mel) throw std::runtime_error("its features: " + why);
      impl->channels = 1;
    } else {
      impl->width = input.at("width");
      impl->height = input.at("height");
      impl->channels = input.at("channels");
    }
    impl->detects = impl->manifest.value("task", "classification") == "detection";
    impl->segments = impl->manifest.value("task", "classification") == "segmentation";
    const auto &norm = impl->manifest.at("preprocessing").at("normalize");
    const auto mean = norm.at("mean").get<std::vector<float>>(), sd = norm.at("std").get<std::vector<float>>();
    for (int c = 0; c < impl->channels; ++c) {
      const float m = mean.empty() ? 0.0f : mean[std::min<std::size_t>(c, mean.size() - 1)];
      const float s = sd.empty() ? 1.0f : sd[std::min<std::size_t>(c, sd.size() - 1)];
      // The same float arithmetic as the training batches (a spectrogram's
      // values are not bytes).
      impl->scale.push_back(impl->log_mel ? 1.0f / s : 1.0f / (255.0f * s));
      impl->shift.push_back(m / s);
    }
  } catch (const std::exception &e) {
    error = "cannot open the package " + package + ": " + e.what();
    return nullptr;
  }
  return std::unique_ptr<Predictor>(new Predictor(std::move(impl)));
}

const nlohmann::json &Predictor::manifest() const { return impl_->manifest; }

nlohmann::json to_json(const Detection &d) {
  return {{"label", d.label}, {"index", d.index}, {"score", d.score}, {"box", {d.box[0], d.box[1], d.box[2], d.box[3]}}};
}

bool Predictor::detects() const { return impl_->detects; }
bool Predictor::segments() const { return impl_->segments; }
bool Predictor::reads_text() const { return impl_->text; }
bool Predictor::reads_audio() const { return impl_->log_mel != nullptr; }

nlohmann::json areas_json(const Predicted &p, const std::vector<std::string> &classes) {
  nlohmann::json areas = nlohmann::json::array();
  const double all = static_cast<double>(p.mask.width) * p.mask.height;
  for (std::size_t k = 0; k < p.class_pixels.size() && k < classes.size(); ++k)
    if (p.class_pixels[k] > 0)
      areas.push_back({{"label", classes[k]},
                       {"index", k},
                       {"pixels", p.class_pixels[k]},
                       {"share", all > 0 ? static_cast<double>(p.class_pixels[k]) / all : 0.0}});
  return {{"width", p.mask.width}, {"height", p.mask.height}, {"areas", areas}};
}

std::vector<Predicted> Predictor::predict(const std::vector<std::vector<std::uint8_t>> &images, int k) const {
  const Impl &m = *impl_;
  std::vector<Predicted> out(images.size());
  if (m.text || m.log_mel) {
    for (Predicted &p : out) p.error = std::string("this package's model reads ") + (m.text ? "text" : "sound") + ", not images";
    return out;
  }
  std::vector<std::size_t> good;
  std::vector<data::ImageSize> sizes;  // of the good images, as sent
  const int C = m.channels, H = m.height, W = m.width;
  torch::Tensor batch = torch::empty({static_cast<long>(images.size()), C, H, W});
  float *dst = batch.data_ptr<float>();
  std::vector<std::uint8_t> pixels;
  for (std::size_t i = 0; i < images.size(); ++i) {
    data::ImageSize size;
    out[i].error = data::decode_image(images[i], C, W, H, pixels, data::kDefaultMaxPixels, &size);
    if (out[i].error.empty() && m.segments && size.pixels() * m.classes.size() * sizeof(float) > kSegmentScoreBytes)
      out[i].error = "too large to segment: its label map needs " + std::to_string(size.pixels()) +
                     " pixels of class scores, more than " + std::to_string(kSegmentScoreBytes >> 20) +
                     " MB; send an image of at most " + std::to_string(kSegmentScoreBytes / sizeof(float) / m.classes.size()) +
                     " pixels";
    if (!out[i].error.empty()) continue;
    float *img = dst + good.size() * static_cast<std::size_t>(C * H * W);
    for (int c = 0; c < C; ++c)
      for (int p = 0; p < H * W; ++p) img[c * H * W + p] = pixels[static_cast<std::size_t>(p * C + c)] * m.scale[c] - m.shift[c];
    good.push_back(i);
    sizes.push_back(size);
  }
  if (good.empty()) return out;
  torch::NoGradGuard no_grad;
  torch::Tensor input = batch.narrow(0, 0, static_cast<long>(good.size()));
  torch::jit::Module &module = const_cast<torch::jit::Module &>(m.module);
  if (m.detects) {
    // Rows x0 y0 x1 y1 score label on the network's input, best first.
    const auto per_image = module.forward({input}).toTensorList();
    for (std::size_t j = 0; j < good.size(); ++j) {
      const torch::Tensor rows = per_image.get(j).contiguous();
      const double sx = static_cast<double>(sizes[j].width) / W, sy = static_cast<double>(sizes[j].height) / H;
      const float *r = rows.data_ptr<float>();
      for (long n = 0; n < rows.size(0); ++n, r += 6) {
        Detection d;
        d.index = static_cast<int>(r[5]);
        d.label = m.classes.at(static_cast<std::size_t>(d.index));
        d.score = r[4];
        d.box[0] = r[0] * sx, d.box[1] = r[1] * sy, d.box[2] = r[2] * sx, d.box[3] = r[3] * sy;
        out[good[j]].objects.push_back(std::move(d));
      }
    }
    return out;
  }
  if (m.segments) {
    const torch::Tensor scores = module.forward({input}).toTensor();
    for (std::size_t j = 0; j < good.size(); ++j) {
      // Scores to the image's own size, then each pixel's best class.
      const torch::Tensor sized = torch::upsample_bilinear2d(scores.narrow(0, static_cast<long>(j), 1),
                                                              {static_cast<std::int64_t>(sizes[j].height),
                                                               static_cast<std::int64_t>(sizes[j].width)},
                                                              false);
      const torch::Tensor labels = sized[0].argmax(0).to(torch::kUInt8).contiguous();
      Predicted &p = out[good[j]];
      p.mask.width = static_cast<int>(sizes[j].width);
      p.mask.height = static_cast<int>(sizes[j].height);
      p.mask.values.assign(labels.data_ptr<std::uint8_t>(), labels.data_ptr<std::uint8_t>() + labels.numel());
      p.class_pixels.assign(m.classes.size(), 0);
      for (std::uint8_t v : p.mask.values) ++p.class_pixels[v];
    }
    return out;
  }
  top_classes(module.forward({input}).toTensor(), m.classes, good, k, out);
  return out;
}

std::vector<Predicted> Predictor::predict_texts(const std::vector<std::string> &texts, int k) const {
  const Impl &m = *impl_;
  std::vector<Predicted> out(texts.size());
  if (!m.text) {
    for (Predicted &p : out) p.error = std::string("this package's model reads ") + (m.log_mel ? "sound" : "images") + ", not text";
    return out;
  }
  if (texts.empty()) return out;
  const std::vector<std::int32_t> ids = m.encoder.encode_all(texts);
  const torch::Tensor input =
      torch::tensor(std::vector<std::int64_t>(ids.begin(), ids.end()), torch::kInt64).view({static_cast<long>(texts.size()), -1});
  std::vector<std::size_t> rows(texts.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  torch::NoGradGuard no_grad;
  top_classes(const_cast<torch::jit::Module &>(m.module).forward({input}).toTensor(), m.classes, rows, k, out);
  return out;
}

std::vector<Predicted> Predictor::predict_audio(const std::vector<std::vector<std::uint8_t>> &clips, int k) const {
  const Impl &m = *impl_;
  std::vector<Predicted> out(clips.size());
  if (!m.log_mel) {
    for (Predicted &p : out) p.error = std::string("this package's model reads ") + (m.text ? "text" : "images") + ", not sound";
    return out;
  }
  const lower::LogMelSpec &s = m.log_mel->spec();
  const auto samples = static_cast<std::size_t>(s.samples);
  std::vector<float> batch, clip;
  std::vector<std::size_t> good;
  for (std::size_t i = 0; i < clips.size(); ++i) {
    out[i].error = data::decode_clip(clips[i], m.sample_rate, samples, clip);
    if (!out[i].error.empty()) continue;
    batch.insert(batch.end(), clip.begin(), clip.end());
    good.push_back(i);
  }
  if (good.empty()) return out;
  const long n = static_cast<long>(good.size());
  torch::Tensor input = torch::empty({n, 1, s.rows(), s.frames()});
  float *x = input.data_ptr<float>();
  m.log_mel->run(batch.data(), static_cast<int>(n), x);
  for (long i = 0, count = input.numel(); i < count; ++i) x[i] = x[i] * m.scale[0] - m.shift[0];
  torch::NoGradGuard no_grad;
  top_classes(const_cast<torch::jit::Module &>(m.module).forward({input}).toTensor(), m.classes, good, k, out);
  return out;
}

}  // namespace edl::deploy
