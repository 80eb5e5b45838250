// The stdlib's backbones and heads in libtorch. ResNet and MobileNetV2
// follow torchvision's layouts, so their block names read the same.
#include "compiler/lower/torch/BuildModel.h"

#include "compiler/lower/torch/Blocks.h"
#include "compiler/lower/torch/TextBackbones.h"
#include "compiler/lower/torch/Detector.h"
#include "compiler/lower/torch/Segmenter.h"
#include "compiler/support/NumberText.h"

#include <torch/serialize.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

namespace edl::lower {
namespace nn = torch::nn;
namespace {

nn::Conv2d conv(int in, int out, int k, int stride = 1, int groups = 1, int padding = -1) {
  return nn::Conv2d(
      nn::Conv2dOptions(in, out, k).stride(stride).padding(padding < 0 ? k / 2 : padding).groups(groups).bias(false));
}

// conv → batch norm → ReLU (ReLU6 in MobileNet), the unit most blocks are made of.
// With TensorFlow's conventions a strided convolution pads as "same" does
// on a side the stride divides: k - stride in all, the extra one on the
// right and bottom ("pad", before "conv", so the weights' names stay).
Block conv_bn(int in, int out, int k, int stride = 1, int groups = 1, bool relu6 = false,
              const Conventions &c = {}) {
  Block s;
  const bool tf_pad = c.tf_padding && stride > 1 && k > 1;
  if (tf_pad) {
    const int total = std::max(k - stride, 0), before = total / 2, after = total - before;
    s->push_back("pad", nn::ZeroPad2d(nn::ZeroPad2dOptions({before, after, before, after})));
  }
  s->push_back("conv", conv(in, out, k, stride, groups, tf_pad ? 0 : -1));
  s->push_back("bn", nn::BatchNorm2d(nn::BatchNorm2dOptions(out).eps(c.bn_eps)));
  if (relu6) s->push_back("act", nn::ReLU6());
  else s->push_back("act", nn::ReLU());
  return s;
}

}  // namespace

ResidualImpl::ResidualImpl(int in, int width, int stride, bool bottleneck) {
  int out = bottleneck ? width * 4 : width;
  body = nn::Sequential();
  if (bottleneck) {
    body->push_back("conv1", conv_bn(in, width, 1));
    body->push_back("conv2", conv_bn(width, width, 3, stride));
    body->push_back("conv3", conv(width, out, 1));
  } else {
    body->push_back("conv1", conv_bn(in, width, 3, stride));
    body->push_back("conv2", conv(width, out, 3));
  }
  body->push_back("bn", nn::BatchNorm2d(out));
  register_module("body", body);
  if (stride != 1 || in != out) {
    shortcut = nn::Sequential(conv(in, out, 1, stride), nn::BatchNorm2d(out));
    register_module("shortcut", shortcut);
  }
}

InvertedResidualImpl::InvertedResidualImpl(int in, int out, int stride, int expand, const Conventions &c)
    : skip_(stride == 1 && in == out) {
  int hidden = in * expand;
  body = nn::Sequential();
  if (expand != 1) body->push_back("expand", conv_bn(in, hidden, 1, 1, 1, true, c));
  body->push_back("depthwise", conv_bn(hidden, hidden, 3, stride, hidden, true, c));
  body->push_back("project", conv(hidden, out, 1));
  body->push_back("bn", nn::BatchNorm2d(nn::BatchNorm2dOptions(out).eps(c.bn_eps)));
  register_module("body", body);
}

namespace {

int make_divisible(double v, int divisor = 8) {
  int r = std::max(divisor, static_cast<int>(v + divisor / 2.0) / divisor * divisor);
  return r < 0.9 * v ? r + divisor : r;
}

nn::Sequential resnet(int in, const std::vector<int> &layers, bool bottleneck) {
  nn::Sequential s;
  Block stem = conv_bn(in, 64, 7, 2);
  stem->push_back("pool", nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)));
  s->push_back("stem", stem);
  int channels = 64;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    int width = 64 << i;
    Block layer;
    for (int b = 0; b < layers[i]; ++b) {
      layer->push_back(Residual(channels, width, b == 0 && i > 0 ? 2 : 1, bottleneck));
      channels = bottleneck ? width * 4 : width;
    }
    s->push_back("layer" + std::to_string(i + 1), layer);
  }
  return s;
}

nn::Sequential mobilenet_v2(int in, double width, const Conventions &c) {
  struct Stage { int expand, channels, repeats, stride; };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  nn::Sequential s;
  int channels = make_divisible(32 * width);
  s->push_back("stem", conv_bn(in, channels, 3, 2, 1, true, c));
  int block = 0;
  for (const Stage &st : stages) {
    int out = make_divisible(st.channels * width);
    for (int r = 0; r < st.repeats; ++r) {
      s->push_back("block" + std::to_string(++block), InvertedResidual(channels, out, r == 0 ? st.stride : 1, st.expand, c));
      channels = out;
    }
  }
  s->push_back("last", conv_bn(channels, make_divisible(1280 * std::max(1.0, width)), 1, 1, 1, true, c));
  return s;
}

nn::Sequential cnn(int in, const std::vector<int> &channels, int kernel) {
  nn::Sequential s;
  for (std::size_t i = 0; i < channels.size(); ++i) {
    Block stage = conv_bn(i == 0 ? in : channels[i - 1], channels[i], kernel);
    stage->push_back("pool", nn::MaxPool2d(2));
    s->push_back("stage" + std::to_string(i + 1), stage);
  }
  return s;
}

// audio_cnn(dims = 1): N x 1 x bands x frames read as `bands` channels
// over time, stages of 1-D convolution (width 3), batch norm, ReLU and
// max-pool by 2, then the average over the frames left.
nn::Sequential time_cnn(int bands, const std::vector<int> &channels) {
  nn::Sequential s;
  s->push_back("bands", nn::Flatten(nn::FlattenOptions().start_dim(1).end_dim(2)));
  for (std::size_t i = 0; i < channels.size(); ++i) {
    Block stage;
    stage->push_back("conv", nn::Conv1d(nn::Conv1dOptions(i == 0 ? bands : channels[i - 1], channels[i], 3).padding(1).bias(false)));
    stage->push_back("bn", nn::BatchNorm1d(channels[i]));
    stage->push_back("act", nn::ReLU());
    stage->push_back("pool", nn::MaxPool1d(2));
    s->push_back("stage" + std::to_string(i + 1), stage);
  }
  s->push_back("average", nn::AdaptiveAvgPool1d(1));
  s->push_back("flatten", nn::Flatten());
  return s;
}

nn::Sequential mlp(const std::vector<int> &hidden, int inputs) {
  nn::Sequential s;
  s->push_back("flatten", nn::Flatten());
  int in = inputs;
  for (std::size_t i = 0; i < hidden.size(); ++i) {
    s->push_back("layer" + std::to_string(i + 1), Block(nn::Linear(in, hidden[i]), nn::ReLU()));
    in = hidden[i];
  }
  return s;
}

nn::Sequential classifier(int features, const std::vector<int> &hidden, double dropout, int classes) {
  nn::Sequential s;
  int in = features;
  for (std::size_t i = 0; i < hidden.size(); ++i) {
    if (dropout > 0) s->push_back("dropout" + std::to_string(i + 1), nn::Dropout(dropout));
    s->push_back("fc" + std::to_string(i + 1), nn::Linear(in, hidden[i]));
    s->push_back("relu" + std::to_string(i + 1), nn::ReLU());
    in = hidden[i];
  }
  if (dropout > 0) s->push_back("dropout", nn::Dropout(dropout));
  s->push_back("out", nn::Linear(in, classes));
  return s;
}

// The first line of a libtorch error, without its C++ frames.
std::string first_line(const std::string &what) {
  std::string line = what.substr(0, what.find('\n'));
  return line.empty() ? "shape mismatch" : line;
}

}  // namespace

NetworkImpl::NetworkImpl(nn::Sequential b, nn::Sequential h, bool pool_features) : pool(pool_features) {
  backbone = register_module("backbone", std::move(b));
  head = register_module("head", std::move(h));
}

torch::Tensor NetworkImpl::features(torch::Tensor x) {
  torch::Tensor f = backbone->forward(x);
  if (f.dim() == 4 && pool) return torch::adaptive_avg_pool2d(f, {1, 1}).flatten(1);
  return f.flatten(1);
}

torch::Tensor NetworkImpl::forward(torch::Tensor x) { return head->forward(features(x)); }

torch::Tensor NetworkImpl::embedding(torch::Tensor x) {
  auto layer = head->begin();
  for (std::size_t i = 0; i + 1 < head->size(); ++i, ++layer) x = layer->forward(x);
  return x;
}

torch::Tensor NetworkImpl::scores(torch::Tensor x) { return (head->end() - 1)->forward(x); }

void NetworkImpl::train(bool on) { train_unfrozen(*this, backbone, frozen, on); }

std::vector<std::string> NetworkImpl::block_names() const { return block_names_of(backbone); }

std::vector<std::string> block_names_of(const torch::nn::Sequential &backbone) {
  std::vector<std::string> names;
  for (const auto &child : backbone->named_children()) names.push_back(child.key());
  return names;
}

void train_unfrozen(torch::nn::Module &whole, const torch::nn::Sequential &backbone,
                    const std::vector<std::string> &frozen, bool on) {
  whole.torch::nn::Module::train(on);
  if (!on || frozen.empty()) return;
  auto children = backbone->named_children();
  for (const std::string &name : frozen) children[name]->eval();
}

std::vector<int> ints(const std::vector<spec::Scalar> &list) {
  std::vector<int> out;
  for (const spec::Scalar &s : list) out.push_back(static_cast<int>(std::lround(s.value)));
  return out;
}

namespace {

// The backbone the spec names, for C x H x W inputs; null for one this
// version does not build.
nn::Sequential backbone_of(const ModelSpec &spec, int C, int H, int W, int vocabulary = 0,
                           const Conventions &conventions = {}) {
  if (spec.backbone == "text_cnn")
    return text_cnn(vocabulary, static_cast<int>(spec.embed), ints(spec.kernels), ints(spec.channels).at(0));
  if (spec.backbone == "lstm")
    return text_lstm(vocabulary, static_cast<int>(spec.embed), ints(spec.hidden).at(0), static_cast<int>(spec.layers),
                     spec.bidirectional);
  if (spec.backbone == "transformer")
    return text_transformer(vocabulary, static_cast<int>(spec.embed), static_cast<int>(spec.heads),
                            static_cast<int>(spec.layers), static_cast<int>(spec.ff), spec.encoder_dropout, W);
  if (spec.backbone == "audio_cnn")
    return static_cast<int>(spec.dims.value) == 1 ? time_cnn(C * H, ints(spec.channels))  // bands as channels
                                                   : cnn(C, ints(spec.channels), 3);     // over 1 x mels x frames, then pooled
  if (spec.backbone == "mlp") return mlp(ints(spec.hidden), C * H * W);
  if (spec.backbone == "cnn") return cnn(C, ints(spec.channels), static_cast<int>(spec.kernel));
  if (spec.backbone == "resnet18" || spec.backbone == "resnet34" || spec.backbone == "resnet50")
    return resnet(C, spec.backbone == "resnet18" ? std::vector<int>{2, 2, 2, 2} : std::vector<int>{3, 4, 6, 3},
                  spec.backbone == "resnet50");
  if (spec.backbone == "mobilenet_v2") return mobilenet_v2(C, spec.width, conventions);
  return nullptr;
}

// Copies the tensors of `file` whose name and shape fit `model`; returns
// how many, the others counted in `kept`. An imported RGB network's first
// convolution serves one-channel images with its kernels summed over the
// colours (grey fed as R = G = B computes the same).
std::size_t copy_weights(nn::Module &model, const WeightsFile &file, std::size_t &kept) {
  std::size_t loaded = 0;
  kept = 0;
  torch::NoGradGuard no_grad;
  auto copy = [&](const std::string &name, torch::Tensor &t) {
    auto it = file.tensors.find(name);
    if (it == file.tensors.end()) {
      ++kept;
      return;
    }
    const torch::Tensor &saved = it->second;
    if (saved.sizes() == t.sizes()) {
      t.copy_(saved);
      ++loaded;
    } else if (file.pretraining && t.dim() == 4 && saved.dim() == 4 && t.size(1) == 1 && saved.size(1) == 3 &&
               t.size(0) == saved.size(0) && t.size(2) == saved.size(2) && t.size(3) == saved.size(3)) {
      t.copy_(saved.sum(1, true));
      ++loaded;
    } else {
      ++kept;
    }
  };
  for (auto &p : model.named_parameters()) copy(p.key(), p.value());
  for (auto &b : model.named_buffers()) copy(b.key(), b.value());
  return loaded;
}

// The conventions the spec's `pretrained` file was trained with; false
// with an error at `pretrained` when the file cannot be read or was made
// for another backbone.
bool pretrained_file(const ModelSpec &spec, WeightsFile &file, std::vector<ModelError> &errors) {
  if (spec.pretrained.empty()) return true;
  std::string error;
  if (!read_weights_file(spec.pretrained, file, error)) {
    errors.push_back({spec.pretrained_range, DiagId::PretrainedUnreadable, {spec.pretrained, error}, {}});
    return false;
  }
  if (const auto &p = file.pretraining) {
    std::string mismatch;
    if (p->backbone != spec.backbone) mismatch = "it holds a " + p->backbone + ", and this model's backbone is " + spec.backbone;
    else if (spec.backbone == "mobilenet_v2" && std::abs(p->width - spec.width.value) > 1e-9)
      mismatch = "it holds a mobilenet_v2 of width " + number_text(p->width) + ", and this one has width " +
                 number_text(spec.width.value);
    if (!mismatch.empty()) {
      errors.push_back({spec.pretrained_range, DiagId::PretrainedUnreadable, {spec.pretrained, mismatch}, {}});
      return false;
    }
  }
  return true;
}

// The `pretrained` weights `file` into `whole`, then `freeze` up to a
// backbone block (its blocks' names go to `frozen`). False with errors
// when either fails.
bool pretrained_and_frozen(const ModelSpec &spec, const WeightsFile &file, nn::Module &whole, nn::Sequential &backbone,
                           std::vector<std::string> &frozen, std::vector<ModelError> &errors,
                           std::string *pretrained_report) {
  if (!spec.pretrained.empty()) {
    std::size_t skipped = 0;
    std::size_t loaded = copy_weights(whole, file, skipped);
    if (loaded == 0) {
      errors.push_back({spec.pretrained_range, DiagId::PretrainedUnreadable, {spec.pretrained, "no tensor in it fits this model"}, {}});
      return false;
    }
    if (pretrained_report)
      *pretrained_report = std::to_string(loaded) + " tensors loaded, " + std::to_string(skipped) +
                           " kept new (other name or shape)" +
                           (file.pretraining ? " from " + file.pretraining->source : std::string());
  }
  if (!spec.freeze.empty()) {
    std::vector<std::string> names;
    for (const auto &child : backbone->named_children()) names.push_back(child.key());
    auto at = std::find(names.begin(), names.end(), spec.freeze);
    if (at == names.end()) {
      std::string all;
      for (const std::string &n : names) all += (all.empty() ? "" : ", ") + n;
      errors.push_back({spec.freeze_range, DiagId::UnknownFreezeBlock, {spec.backbone, spec.freeze}, {all}});
      return false;
    }
    for (auto it = names.begin(); it <= at; ++it) {
      for (torch::Tensor &p : backbone->named_children()[*it]->parameters()) p.set_requires_grad(false);
      frozen.push_back(*it);
    }
  }
  return true;
}

// A detector or segmenter (Holder) around a convolutional backbone, built
// by `make`: an mlp backbone, a shape that cannot work, or weights and a
// freeze that do not fit become errors at the model block.
template <typename Holder, typename Make>
Holder dense_network(const ModelSpec &spec, const InputShape &input, const char *what, const Make &make,
                     std::vector<ModelError> &errors, std::string *pretrained_report) {
  Holder net{nullptr};
  WeightsFile file;
  if (!pretrained_file(spec, file, errors)) return nullptr;
  const Conventions conventions = file.pretraining ? file.pretraining->conventions : Conventions{};
  try {
    nn::Sequential backbone =
        spec.backbone == "mlp" ? nullptr : backbone_of(spec, input.channels, input.height, input.width, 0, conventions);
    if (!backbone) {
      errors.push_back({spec.backbone_range, DiagId::ModelShape,
                        {std::string("a ") + what + " needs a convolutional backbone (cnn, resnet18/34/50, mobilenet_v2), not " +
                         spec.backbone},
                        {}});
      return nullptr;
    }
    net = Holder(make(backbone));
  } catch (const c10::Error &e) {
    errors.push_back({spec.backbone_range, DiagId::ModelShape, {first_line(e.what_without_backtrace())}, {}});
    return nullptr;
  } catch (const std::exception &e) {
    errors.push_back({spec.backbone_range, DiagId::ModelShape, {e.what()}, {}});
    return nullptr;
  }
  if (!pretrained_and_frozen(spec, file, *net, net->backbone, net->frozen, errors, pretrained_report)) return nullptr;
  net->train(net->is_training());
  return net;
}

}  // namespace

Network build_model(const ModelSpec &spec, const InputShape &input, std::vector<ModelError> &errors,
                    std::string *pretrained_report) {
  const int C = input.channels, H = input.height, W = input.width;
  const bool pool = spec.backbone != "cnn" && spec.backbone != "mlp";
  const std::string holds = input.vocabulary > 0 ? "text" : input.spectrogram ? "sound" : "images";
  const std::string reads = spec.reads_text() ? "text" : spec.reads_sound() ? "sound" : "images";
  if (reads != holds) {
    errors.push_back({spec.backbone_range, DiagId::ModelShape,
                      {spec.backbone + " reads " + reads + ", and this data is " + holds}, {}});
    return nullptr;
  }
  if (spec.backbone == "transformer" && static_cast<int>(spec.embed) % std::max(1, static_cast<int>(spec.heads)) != 0) {
    errors.push_back({spec.backbone_range, DiagId::ModelShape,
                      {"transformer: embed = " + std::to_string(static_cast<int>(spec.embed)) + " does not split into " +
                       std::to_string(static_cast<int>(spec.heads)) + " heads; make embed a multiple of heads"},
                      {}});
    return nullptr;
  }
  if (spec.backbone == "cnn") {
    const int stages = static_cast<int>(spec.channels.size());
    if ((H >> stages) < 1 || (W >> stages) < 1) {
      errors.push_back({spec.backbone_range, DiagId::ModelInputTooSmall,
                        {"cnn", std::to_string(W), std::to_string(H), std::to_string(stages)}, {}});
      return nullptr;
    }
  }
  if (spec.head != "classifier") {
    errors.push_back({spec.head_range, DiagId::NotSupportedYet, {"head", spec.head}, {}});
    return nullptr;
  }
  WeightsFile file;
  if (!pretrained_file(spec, file, errors)) return nullptr;
  Network net{nullptr};
  try {
    nn::Sequential backbone =
        backbone_of(spec, C, H, W, input.vocabulary, file.pretraining ? file.pretraining->conventions : Conventions{});
    if (!backbone) {
      errors.push_back({spec.backbone_range, DiagId::NotSupportedYet, {"backbone", spec.backbone}, {}});
      return nullptr;
    }
    // The backbone's feature width, from one forward pass: it also finds
    // every shape error here rather than in the middle of training.
    torch::NoGradGuard no_grad;
    backbone->eval();
    torch::Tensor f = backbone->forward(input.vocabulary ? torch::zeros({1, W}, torch::kInt64) : torch::zeros({1, C, H, W}));
    const int features = static_cast<int>(f.dim() == 4 && pool ? f.size(1) : f.numel());
    backbone->train();
    net = Network(backbone, classifier(features, ints(spec.head_hidden), spec.dropout, input.classes), pool);
  } catch (const c10::Error &e) {
    errors.push_back({spec.backbone_range, DiagId::ModelShape, {first_line(e.what_without_backtrace())}, {}});
    return nullptr;
  }
  if (!pretrained_and_frozen(spec, file, *net, net->backbone, net->frozen, errors, pretrained_report)) return nullptr;
  net->train(net->is_training());
  return net;
}

Network build_network(const ModelSpec &spec, const InputShape &input, const Conventions &conventions) {
  nn::Sequential backbone = backbone_of(spec, input.channels, input.height, input.width, 0, conventions);
  if (!backbone) throw std::runtime_error("the backbone " + spec.backbone + " cannot be built here");
  torch::NoGradGuard no_grad;
  backbone->eval();
  torch::Tensor f = backbone->forward(torch::zeros({1, input.channels, input.height, input.width}));
  const int features = static_cast<int>(f.dim() == 4 ? f.size(1) : f.numel());
  backbone->train();
  return Network(backbone, classifier(features, ints(spec.head_hidden), 0.0, input.classes), true);
}

Detector build_detector(const ModelSpec &spec, const InputShape &input, std::vector<ModelError> &errors,
                        std::string *pretrained_report) {
  if (!spec.detects()) {
    errors.push_back({spec.head_range, DiagId::NotSupportedYet, {"head", spec.head}, {}});
    return nullptr;
  }
  DetectorShape shape;
  using Head = DetectorShape::Head;
  shape.head = spec.head == "yolo" ? Head::yolo : spec.head == "faster_rcnn" ? Head::faster_rcnn : Head::retinanet;
  auto doubles = [](const std::vector<spec::Scalar> &list) {
    std::vector<double> out;
    for (const spec::Scalar &s : list) out.push_back(s.value);
    return out;
  };
  shape.sizes = doubles(spec.anchor_sizes);
  shape.ratios = doubles(spec.anchor_ratios);
  shape.scales = doubles(spec.anchor_scales);
  shape.fpn = spec.neck == "fpn";
  shape.fpn_channels = static_cast<int>(std::lround(spec.neck_channels.value));
  shape.depth = static_cast<int>(std::lround(spec.head_depth.value));
  shape.channels = static_cast<int>(std::lround(spec.head_channels.value));
  shape.settings.classes = input.classes;
  shape.settings.score_threshold = spec.score_threshold;
  shape.settings.nms_threshold = spec.nms_threshold;
  shape.settings.detections = static_cast<std::int64_t>(std::lround(spec.detections.value));
  if (shape.two_stage()) {
    shape.settings.proposals = static_cast<std::int64_t>(std::lround(spec.proposals.value));
    shape.rois = static_cast<int>(std::lround(spec.rois.value));
    shape.box_width = static_cast<int>(std::lround(spec.box_width.value));
  }
  return dense_network<Detector>(
      spec, input, "detector", [&](nn::Sequential backbone) { return make_detector(backbone, shape, input); }, errors,
      pretrained_report);
}

Segmenter build_segmenter(const ModelSpec &spec, const InputShape &input, std::vector<ModelError> &errors,
                          std::string *pretrained_report) {
  if (!spec.segments()) {
    errors.push_back({spec.head_range, DiagId::NotSupportedYet, {"head", spec.head}, {}});
    return nullptr;
  }
  const int channels = static_cast<int>(std::lround(spec.decoder_channels.value));
  return dense_network<Segmenter>(
      spec, input, "segmenter",
      [&](nn::Sequential backbone) { return make_segmenter(backbone, spec.head, spec.dropout.value, channels, input); },
      errors, pretrained_report);
}

void save_weights(nn::Module &model, const std::string &path, const Pretraining *pretraining) {
  c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
  for (const auto &p : model.named_parameters()) dict.insert(p.key(), p.value().detach());
  for (const auto &b : model.named_buffers()) dict.insert(b.key(), b.value().detach());
  if (pretraining) dict.insert(kPretrainingKey, pretraining->to_json());
  std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::rename(tmp.c_str(), path.c_str());  // a crash never leaves half a weights file
}

bool read_weights_file(const std::string &path, WeightsFile &file, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error = "cannot open the file", false;
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  c10::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const c10::Error &e) {
    return error = "not a weights file written by edlc (" + first_line(e.what_without_backtrace()) + ")", false;
  }
  if (!value.isGenericDict()) return error = "not a weights file written by edlc", false;
  for (const auto &entry : value.toGenericDict()) {
    if (!entry.key().isString()) continue;
    const std::string &name = entry.key().toStringRef();
    if (entry.value().isTensor()) file.tensors[name] = entry.value().toTensor();
    else if (name == kPretrainingKey && entry.value().isString()) {
      file.pretraining = Pretraining::from_json(entry.value().toStringRef(), error);
      if (!file.pretraining) return false;
    }
  }
  return true;
}

std::optional<Pretraining> read_pretraining(const std::string &path) {
  WeightsFile file;
  std::string error;
  if (path.empty() || !read_weights_file(path, file, error)) return std::nullopt;
  return file.pretraining;
}

std::size_t load_weights(nn::Module &model, const std::string &path, std::string &error, std::size_t *skipped) {
  WeightsFile file;
  if (!read_weights_file(path, file, error)) return 0;
  std::size_t kept = 0;
  std::size_t loaded = copy_weights(model, file, kept);
  if (skipped) *skipped = kept;
  return loaded;
}

}  // namespace edl::lower
