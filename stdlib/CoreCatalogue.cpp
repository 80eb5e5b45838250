// The core catalogue of LANGUAGE.md §4, as data. Add a callable here and
// the checker, `edlc explain`, the docs and the editor support know it.
#include "stdlib/Catalogue.h"
#include "stdlib/Types.h"

namespace edl::stdlib {
namespace {

using namespace types;
using ast::DeclKind;
using C = Category;

class Builder {
 public:
  explicit Builder(Catalogue &c) : c_(c) {}

  Function &fn(Category cat, std::string name, std::string doc, std::vector<Field> params = {}) {
    c_.functions_.push_back({cat, std::move(name), std::move(params), std::move(doc), 0, false, "", ""});
    return c_.functions_.back();
  }
  // Every augmentation op takes `p`, the probability that it is applied.
  void op(unsigned domains, std::string name, std::string doc, std::vector<Field> params = {}) {
    params.push_back(opt("p", fraction(), "1", "probability that the op is applied to an image"));
    fn(C::AugmentOp, std::move(name), std::move(doc), std::move(params)).domains = domains;
  }
  void block(DeclKind k, std::string doc, std::vector<Field> props) {
    c_.blocks_.push_back({k, std::move(props), std::move(doc), ""});
  }

 private:
  Catalogue &c_;
};

TypePtr pair_of(TypePtr element) { return list(std::move(element), 0, 2); }

// Metrics, written SPLIT.METRIC or listed in a train block's `metrics`.
const std::vector<std::string> kMetrics = {"loss", "accuracy", "top5", "f1",   "precision",     "recall",
                                           "map",  "map50",    "miou", "pixel_accuracy"};
// Metrics the language names that no task computes yet.
const std::vector<std::string> kMetricsNotYet = {};

// edge() builds for the machine edlc runs on; cross-building is not built.
#if defined(__aarch64__)
const char *const kOtherArch = "x86_64";
#else
const char *const kOtherArch = "arm64";
#endif

void image_ops(Builder &b) {
  const unsigned I = kImage;
  b.op(I, "flip_horizontal", "mirrors the image left to right");
  b.op(I, "flip_vertical", "mirrors the image top to bottom");
  b.op(I, "rotate", "rotates by an angle in degrees, counter-clockwise",
       {req("degrees", number(-360, 360), "angle in degrees")});
  b.op(I, "rotate90", "rotates by k quarter turns", {req("k", integer(0, 3), "number of quarter turns")});
  b.op(I, "affine", "one affine warp: scale, rotation, shear and translation together",
       {opt("scale", number(0, 10, true), "1", "zoom factor"),
        opt("rotate", number(-360, 360), "0", "angle in degrees"),
        opt("shear", pair_of(number(-2, 2)), "[0, 0]", "shear factors along x and y"),
        opt("translate", pair_of(number(-1, 1)), "[0, 0]", "shift as fractions of width and height")});
  b.op(I, "shear_x", "shears horizontally", {req("amount", number(-2, 2), "shear factor (tangent of the angle)")});
  b.op(I, "shear_y", "shears vertically", {req("amount", number(-2, 2), "shear factor (tangent of the angle)")});
  b.op(I, "translate_x", "shifts horizontally", {req("fraction", number(-1, 1), "shift as a fraction of the width")});
  b.op(I, "translate_y", "shifts vertically", {req("fraction", number(-1, 1), "shift as a fraction of the height")});
  b.op(I, "crop", "cuts out a region",
       {req("size", one_of({size(), number(0, 1, true)}), "a size in pixels or a fraction of the image"),
        opt("position", enumeration({"random", "center"}), "random", "where the region is taken")});
  b.op(I, "random_resized_crop", "crops a random area and aspect ratio, then resizes",
       {req("size", size(), "output size"),
        opt("scale", pair_of(number(0, 1, true)), "[0.08, 1.0]", "range of the area fraction"),
        opt("ratio", pair_of(positive()), "[0.75, 1.333]", "range of the aspect ratio")});
  b.op(I, "resize", "resizes to a fixed size", {req("size", size(), "output size")});
  b.op(I, "pad", "adds a border", {req("pixels", integer(0, 4096), "border width in pixels"),
                                   opt("fill", fraction(), "0", "border value")});
  b.op(I, "brightness", "scales brightness", {req("factor", number(0, 10), "1 keeps the image")});
  b.op(I, "contrast", "scales contrast", {req("factor", number(0, 10), "1 keeps the image")});
  b.op(I, "saturation", "scales colour saturation", {req("factor", number(0, 10), "1 keeps the image")});
  b.op(I, "hue", "shifts hue", {req("shift", number(-0.5, 0.5), "fraction of the colour wheel")});
  b.op(I, "gamma", "applies a gamma curve", {req("g", number(0, 10, true), "exponent")});
  b.op(I, "grayscale", "converts to gray, keeping the channel count");
  b.op(I, "invert", "inverts every pixel (1 - x)");
  b.op(I, "solarize", "inverts pixels above a threshold", {req("threshold", fraction(), "pixel value")});
  b.op(I, "posterize", "keeps the top bits of each channel", {req("bits", integer(1, 8), "bits kept")});
  b.op(I, "equalize", "equalizes the histogram");
  b.op(I, "autocontrast", "stretches each channel to the full range");
  b.op(I, "sharpness", "sharpens or blurs", {req("factor", number(0, 10), "1 keeps the image")});
  b.op(I, "blur", "Gaussian blur", {req("sigma", number(0, 50, true), "standard deviation in pixels")});
  b.op(I | kAudio, "noise", "adds Gaussian noise", {req("std", fraction(), "standard deviation")});
  b.op(I, "cutout", "blanks square patches",
       {req("size", one_of({size(), number(0, 1, true)}), "patch size, in pixels or as a fraction"),
        opt("count", integer(1, 100), "1", "number of patches")});
  b.op(kBatch, "mixup", "blends pairs of images and labels",
       {req("alpha", positive(), "Beta distribution parameter")});
  b.op(kBatch, "cutmix", "pastes patches between images, mixing labels by area",
       {req("alpha", positive(), "Beta distribution parameter")});
  b.op(kAudio, "time_shift", "shifts the waveform in time", {req("fraction", number(-1, 1), "shift as a fraction of the clip")});
  b.op(kAudio, "gain", "changes loudness", {req("db", number(-60, 60), "gain in decibels")});
  b.op(kAudio, "time_mask", "masks spans of time frames",
       {req("width", integer(1, 10000), "frames per mask"), opt("count", integer(1, 100), "1", "number of masks")});
  b.op(kAudio, "freq_mask", "masks bands of frequencies",
       {req("width", integer(1, 1024), "bins per mask"), opt("count", integer(1, 100), "1", "number of masks")});
  b.op(kText, "token_dropout", "drops tokens at random", {opt("rate", fraction(), "0.1", "fraction of tokens")});
  b.op(kText, "token_swap", "swaps neighbouring tokens", {opt("rate", fraction(), "0.05", "fraction of tokens")});

  b.fn(C::Policy, "randaugment", "applies n ops from a list at magnitude m",
       {req("n", integer(1, 20), "ops per image"), req("m", integer(0, 30), "magnitude"),
        opt("ops", list(op_name(), 1), "all image ops", "ops to choose from"),
        opt("p", fraction(), "1", "probability that the policy is applied")});
  b.fn(C::Policy, "trivialaugment", "applies one op from a list at a random magnitude",
       {opt("ops", list(op_name(), 1), "all image ops", "ops to choose from"),
        opt("p", fraction(), "1", "probability that the policy is applied")});

  b.fn(C::Control, "one_of", "applies exactly one of its steps, chosen at random");
  b.fn(C::Control, "some_of", "applies n of its steps, chosen at random",
       {req("n", integer(1, 100), "steps applied")});
  b.fn(C::Control, "maybe", "applies its steps with probability p",
       {opt("p", fraction(), "0.5", "probability")});
}

void data(Builder &b) {
  b.fn(C::Source, "image_folder", "images in one subfolder per class",
       {req("path", path(PathRole::Input, "data folder"), "folder of class folders")});
  b.fn(C::Source, "csv", "rows of a CSV file",
       {req("path", path(PathRole::Input, "CSV file"), "the file"), req("text", string(), "column with the input"),
        req("label", string(), "column with the class")});
  b.fn(C::Source, "audio_folder", "WAV/FLAC clips in one subfolder per class",
       {req("path", path(PathRole::Input, "data folder"), "folder of class folders")});
  b.fn(C::Source, "coco", "COCO-format detection annotations",
       {req("annotations", path(PathRole::Input, "annotation file"), "instances JSON"),
        req("images", path(PathRole::Input, "image folder"), "image folder")});
  b.fn(C::Source, "voc", "Pascal VOC detection annotations",
       {req("annotations", path(PathRole::Input, "annotation folder"), "folder of XML files, one per image"),
        req("images", path(PathRole::Input, "image folder"), "image folder")});
  b.fn(C::Source, "mask_folder", "images with one segmentation mask each",
       {req("images", path(PathRole::Input, "image folder"), "image folder"),
        req("masks", path(PathRole::Input, "mask folder"), "label-map PNGs (gray or palette class indices), same names"),
        opt("ignore_index", integer(0, 255), "255", "mask value of pixels neither trained on nor measured")});
  b.fn(C::Features, "log_mel", "log-mel spectrogram",
       {opt("n_mels", integer(1, 512), "40", "mel bands"), opt("n_fft", integer(16, 65536), "400", "FFT size"),
        opt("hop", integer(1, 65536), "160", "hop length in samples")});
  b.fn(C::Features, "mfcc", "mel-frequency cepstral coefficients: the DCT of the log-mel spectrogram",
       {opt("n_mfcc", integer(1, 512), "13", "coefficients kept (at most n_mels)"),
        opt("n_mels", integer(1, 512), "40", "mel bands"), opt("n_fft", integer(16, 65536), "400", "FFT size"),
        opt("hop", integer(1, 65536), "160", "hop length in samples")});
  b.fn(C::Tokenizer, "word", "words (runs of letters and digits) and punctuation marks, learnt on the training split",
       {opt("lowercase", boolean(), "true", "fold case before counting"),
        opt("min_count", integer(1, 1000000), "1", "rarer words become the unknown token"),
        opt("max_vocab", integer(10, 10000000), "20000", "the most frequent words kept")});
  b.fn(C::Tokenizer, "char", "one token per character (UTF-8 code point)",
       {opt("lowercase", boolean(), "false", "fold case")});
  b.fn(C::Tokenizer, "bpe", "words split into subword pieces by a byte-pair encoding learnt on the training split",
       {opt("vocab", integer(100, 1000000), "8000", "vocabulary size: characters and merged pieces"),
        opt("lowercase", boolean(), "true", "fold case before learning")});
}

void models(Builder &b) {
  auto pretrained = [] {
    return opt("pretrained", one_of({none(), path(PathRole::Input, "weights file")}), "none",
               "weights saved by an earlier edlc run, or imported (edlc import-weights)");
  };
  auto freeze = [] { return opt("freeze", one_of({none(), string()}), "none", "freeze layers up to this block"); };
  // Fine-tuning a pretrained image backbone (docs/transfer.md).
  auto unfreeze = [] {
    return opt("unfreeze",
               one_of({none(), record({req("after", integer(1, 100000), "epochs trained with the blocks frozen"),
                                       opt("lr_scale", number(0, 1, true), "0.1",
                                           "their learning rate then, as a share of the job's")})}),
               "none", "train the frozen blocks too, after some epochs");
  };
  auto layer_decay = [] {
    return opt("layer_decay", number(0, 1, true), "1",
               "discriminative learning rates: each backbone block's is the one above it times this");
  };
  auto channels = [] { return list(integer(1, 65536), 1); };
  b.fn(C::Backbone, "mlp", "fully connected layers",
       {req("hidden", one_of({integer(1, 1000000), list(integer(1, 1000000), 1)}), "width of each hidden layer"),
        pretrained(), freeze()});
  b.fn(C::Backbone, "cnn", "plain convolution stages with pooling",
       {req("channels", channels(), "channels of each stage"), opt("kernel", integer(1, 15), "3", "kernel size"),
        pretrained(), freeze(), unfreeze(), layer_decay()});
  for (const char *n : {"resnet18", "resnet34", "resnet50"})
    b.fn(C::Backbone, n, "residual network", {pretrained(), freeze(), unfreeze(), layer_decay()});
  b.fn(C::Backbone, "mobilenet_v2", "inverted residual network for small devices",
       {opt("width", number(0, 4, true), "1.0", "width multiplier"), pretrained(), freeze(), unfreeze(), layer_decay()});
  b.fn(C::Backbone, "text_cnn", "convolutions over word embeddings",
       {opt("embed", integer(1, 4096), "128", "embedding size"),
        opt("kernels", list(integer(1, 64), 1), "[3, 4, 5]", "kernel widths"),
        opt("channels", integer(1, 4096), "100", "channels per kernel"), pretrained(), freeze()});
  b.fn(C::Backbone, "lstm", "recurrent network over word embeddings, max-pooled over the tokens",
       {opt("hidden", integer(1, 8192), "128", "hidden size"), opt("layers", integer(1, 16), "1", "layers"),
        opt("bidirectional", boolean(), "false", "read both directions"),
        opt("embed", integer(1, 4096), "128", "embedding size"), pretrained(), freeze()});
  b.fn(C::Backbone, "transformer", "small transformer encoder over word embeddings, mean-pooled over the tokens",
       {opt("embed", integer(1, 4096), "64", "embedding size (a multiple of heads)"),
        opt("heads", integer(1, 64), "4", "attention heads"), opt("layers", integer(1, 24), "2", "encoder layers"),
        opt("ff", integer(1, 16384), "128", "feed-forward width"),
        opt("dropout", fraction(), "0.1", "dropout in the encoder layers"), pretrained(), freeze()});
  b.fn(C::Backbone, "audio_cnn", "convolutions over spectrograms",
       {opt("channels", channels(), "[32, 64]", "channels of each stage"),
        opt("dims", integer(1, 2), "2",
            "2: 3x3 convolutions over the spectrogram as an image; 1: convolutions over time, the bands as channels")});
  b.fn(C::Backbone, "nas", "architecture found by neural architecture search",
       {opt("cells", integer(1, 32), "4", "cells"),
        opt("ops",
            list(enumeration({"conv3x3", "conv5x5", "sep_conv3x3", "sep_conv5x5", "dil_conv3x3", "max_pool3x3",
                              "avg_pool3x3", "skip"}),
                 1),
            "all", "candidate operations"),
        opt("controller", call(C::Controller), "reinforce(lr = 3e-4)", "search controller"),
        opt("trials", integer(1, 100000), "20", "architectures tried")});
  b.fn(C::Controller, "reinforce", "REINFORCE policy-gradient controller",
       {opt("lr", number(0, 1, true), "3e-4", "controller learning rate")});
  b.fn(C::Neck, "fpn", "feature pyramid network", {opt("channels", integer(1, 4096), "256", "channels per level")});

  auto anchors = [] {
    return opt("anchors",
               record({opt("sizes", list(integer(1, 4096), 1), "[32, 64, 128, 256, 512]",
                           "anchor sizes in pixels, one per pyramid level (all on one level without a neck)"),
                       opt("ratios", list(positive(), 1), "[0.5, 1.0, 2.0]", "aspect ratios (height / width)"),
                       opt("scales", list(positive(), 1), "[1.0, 1.26, 1.587]", "multiples of each size")}),
               "{}", "anchor boxes");
  };
  b.fn(C::Head, "classifier", "pooled features to class scores",
       {opt("hidden", list(integer(1, 1000000)), "[]", "hidden layer widths"),
        opt("dropout", number(0, 1, false, true), "0", "dropout before each layer")})
      .task = "classification";
  // What a detection head's user edits: anchors, towers, what is kept.
  auto kept = [&](std::vector<Field> fields) {
    fields.push_back(opt("score_threshold", number(0, 1), "0.05", "lowest class score a detection keeps"));
    fields.push_back(opt("nms_threshold", number(0, 1), "0.5",
                         "IoU above which a lower-scored box of its class is suppressed"));
    fields.push_back(opt("detections", integer(1, 10000), "100", "detections kept per image"));
    return fields;
  };
  auto one_stage = [&] {
    return kept({anchors(), opt("depth", integer(0, 16), "4", "convolutions in each tower (classes, boxes)"),
                 opt("channels", integer(1, 4096), "256", "width of the towers")});
  };
  b.fn(C::Head, "faster_rcnn", "two-stage detector: region proposals, then a box head on RoIAlign-pooled regions",
       kept({anchors(), opt("depth", integer(0, 16), "1", "convolutions in each of the RPN's towers (objectness, boxes)"),
             opt("channels", integer(1, 4096), "256", "width of the RPN's towers"),
             opt("proposals", integer(1, 10000), "1000", "proposals kept per image and per level (after NMS at 0.7)"),
             opt("rois", integer(1, 10000), "512", "proposals sampled per image to train the box head"),
             opt("box_width", integer(1, 16384), "1024", "width of the box head's two layers")}))
      .task = "detection";
  b.fn(C::Head, "retinanet", "one-stage detector with focal loss", one_stage()).task = "detection";
  b.fn(C::Head, "yolo", "one-stage detector with objectness and bounded box offsets (YOLOv5's)", one_stage()).task =
      "detection";
  b.fn(C::Head, "fcn", "fully convolutional segmentation: class scores from the deepest stage, upsampled (FCN-32s)",
       {opt("dropout", number(0, 1, false, true), "0.1", "dropout before the class scores")})
      .task = "segmentation";
  b.fn(C::Head, "unet", "encoder-decoder segmentation: each backbone stage joins the decoder on its way up",
       {opt("channels", integer(1, 4096), "64", "width of each decoder stage")})
      .task = "segmentation";

  b.fn(C::Loss, "cross_entropy", "cross-entropy",
       {opt("label_smoothing", number(0, 1, false, true), "0", "mass spread over other classes")});
  b.fn(C::Loss, "focal", "focal loss for imbalanced classes", {opt("gamma", number(0, 10), "2", "focusing strength")});
  b.fn(C::Loss, "dice", "segmentation: one minus the soft Dice score averaged over classes, plus cross-entropy",
       {opt("cross_entropy", number(0, 100), "1", "weight of the cross-entropy added (0: Dice alone)")});
}

void training(Builder &b) {
  auto lr = [] { return req("lr", number(0, 10, true), "learning rate"); };
  auto betas = [] { return opt("betas", pair_of(number(0, 1, false, true)), "[0.9, 0.999]", "moment decay rates"); };
  b.fn(C::Optimizer, "sgd", "stochastic gradient descent",
       {lr(), opt("momentum", number(0, 1, false, true), "0", "momentum"),
        opt("nesterov", boolean(), "false", "Nesterov momentum"),
        opt("weight_decay", fraction(), "0", "L2 penalty")});
  b.fn(C::Optimizer, "adam", "Adam", {lr(), betas(), opt("weight_decay", fraction(), "0", "L2 penalty")});
  b.fn(C::Optimizer, "adamw", "Adam with decoupled weight decay",
       {lr(), betas(), opt("weight_decay", fraction(), "0.01", "decoupled weight decay")});

  b.fn(C::Schedule, "constant", "keeps the learning rate");
  b.fn(C::Schedule, "step", "multiplies the rate by gamma every few epochs",
       {req("every", integer(1, 1000000), "epochs between steps"), opt("gamma", number(0, 1, true), "0.1", "factor")});
  b.fn(C::Schedule, "cosine", "cosine decay to zero", {opt("warmup", integer(0, 1000000), "0", "linear warm-up epochs")});
  b.fn(C::Schedule, "onecycle", "one-cycle policy", {req("max_lr", number(0, 10, true), "peak learning rate")});
  b.fn(C::Schedule, "custom", "a formula of lr, epoch, step and progress, compiled to native code",
       {req("formula", formula("schedule formula"), "the learning rate")});

  auto search_params = [](std::vector<Field> first, bool trials_required) {
    std::vector<Field> ps = std::move(first);
    ps.push_back(req("objective", call(C::Objective), "metric to maximize or minimize"));
    if (trials_required) ps.push_back(req("trials", integer(1, 1000000), "trials to run"));
    ps.push_back(opt("parallel", integer(1, 1024), "1", "trials at once"));
    ps.push_back(opt("budget", one_of({none(), duration()}), "none", "wall-clock limit"));
    ps.push_back(opt("space",
                     one_of({enumeration({"all"}), ref({DeclKind::Space}), list(ref({DeclKind::Space}), 1)}), "all",
                     "spaces searched"));
    ps.push_back(opt("prune", one_of({none(), call(C::Pruner)}), "none", "early stopping of weak trials"));
    ps.push_back(opt("proxy",
                     one_of({none(), record({opt("epochs", integer(1, 100000), "", "epochs per proxy trial"),
                                             opt("subset", number(0, 1, true), "", "fraction of the data")})}),
                     "none", "cheaper trials"));
    return ps;
  };
  b.fn(C::Strategy, "random", "random sampling", search_params({}, true));
  b.fn(C::Strategy, "tpe", "tree-structured Parzen estimator", search_params({}, true));
  b.fn(C::Strategy, "gp", "Gaussian-process Bayesian optimisation", search_params({}, true));
  {
    auto ps = search_params({}, false);
    ps.insert(ps.begin() + 1, opt("trials", one_of({enumeration({"all"}), integer(1, 1000000)}), "all",
                                  "trials; all enumerates the whole grid"));
    b.fn(C::Strategy, "grid", "every combination; continuous dimensions at 5 points", ps);
  }
  b.fn(C::Strategy, "pbt", "population-based training",
       search_params({req("population", integer(2, 1024), "workers"),
                      req("interval", integer(1, 100000), "epochs between exploit/explore"),
                      opt("perturb", pair_of(positive()), "[0.8, 1.2]", "factors for explore")},
                     true));
  b.fn(C::Pruner, "asha", "asynchronous successive halving",
       {opt("min_epochs", integer(1, 100000), "1", "epochs before the first cut"),
        opt("reduction", integer(2, 16), "3", "keep 1 of this many")});
  b.fn(C::Pruner, "median", "stops trials below the median",
       {opt("warmup", integer(0, 100000), "1", "epochs before pruning")});
  b.fn(C::Objective, "maximize", "higher is better", {req("metric", metric(), "the metric")});
  b.fn(C::Objective, "minimize", "lower is better", {req("metric", metric(), "the metric")});

  b.fn(C::Distribution, "uniform", "uniform between a and b", {req("a", number(), "low"), req("b", number(), "high")});
  b.fn(C::Distribution, "loguniform", "log-uniform between a and b",
       {req("a", positive(), "low"), req("b", positive(), "high")});
  b.fn(C::Distribution, "int", "integer between a and b inclusive",
       {req("a", integer(), "low"), req("b", integer(), "high")});
  b.fn(C::Distribution, "choice", "one of the listed values").variadic = true;
  b.fn(C::Distribution, "normal", "normal distribution",
       {req("mean", number(), "mean"), req("std", positive(), "standard deviation")});

  b.fn(C::Compress, "dgc", "deep gradient compression",
       {opt("sparsity", number(0, 1, false, true), "0.999", "fraction of each gradient not sent"),
        opt("warmup", integer(0, 1000), "4", "epochs of sparsity warm-up (75%, 93.75%, ... up to sparsity)"),
        opt("clip", one_of({none(), positive()}), "none",
            "global gradient-norm bound; each worker clips its own at clip / sqrt(workers)")});
  b.fn(C::Compress, "powersgd", "low-rank gradient compression", {opt("rank", integer(1, 1024), "4", "rank")});
}

void deployment(Builder &b) {
  b.fn(C::Oracle, "folder", "labels looked up in a folder of labelled files",
       {req("path", path(PathRole::Input, "label folder"), "labelled files")});
  b.fn(C::Oracle, "human", "writes a labeling queue and waits for answers",
       {req("dir", path(PathRole::Output, "queue folder"), "queue folder")});
  b.fn(C::Target, "server", "local HTTP server",
       {opt("host", string(), "\"127.0.0.1\"", "address to bind"), opt("port", integer(1, 65535), "8080", "port"),
        opt("token", one_of({none(), string()}), "none", "bearer token")});
  b.fn(C::Target, "sdk", "C++ SDK with compiled preprocessing",
       {opt("lang", enumeration({"cpp"}, true), "\"cpp\"", "language")});
  b.fn(C::Target, "edge", "model for small devices",
       {req("arch", enumeration({"x86_64", "arm64"}, false, {kOtherArch}), "target architecture (this machine's)"),
        opt("quantize", enumeration({"none", "fp16", "int8"}, false, {"fp16"}), "none", "weight precision")});
  b.fn(C::Target, "torchscript", "TorchScript module");
}

void blocks(Builder &b) {
  b.block(DeclKind::Project, "the project: seed, store and resources",
          {opt("seed", integer(0, 9.2e18), "0", "seed for every random choice"),
           opt("store", path(PathRole::Output, "store"), "\".edl/store.db\"", "SQLite experiment store"),
           opt("device", enumeration({"cpu", "cuda", "auto"}, false, {"cuda"}), "auto",
               "where training runs (auto: the CPU in this version)"),
           opt("threads", integer(1, 1024), "all cores", "CPU threads"),
           opt("workflow",
               record({opt("parallel", integer(1, 1024), "cores", "tasks at once"),
                       opt("retries", integer(0, 100), "0", "retries of a failed task"),
                       opt("backoff", duration(), "1s", "first retry delay, doubled each time")}),
               "{}", "task scheduling")});
  b.block(DeclKind::Dataset, "where data comes from and how it is read",
          {req("source", call(C::Source), "the data source"),
           opt("task", enumeration({"classification", "detection", "segmentation"}),
               "classification", "the task"),
           opt("split",
               record({opt("train", fraction(), "", "training share"), opt("val", fraction(), "", "validation share"),
                       opt("test", fraction(), "", "test share"),
                       opt("group", string(), "\"\"",
                           "regular expression on each file name: samples with the same first capture group (else "
                           "match) stay in one split, e.g. \"(.+)__\" for speakers")}),
               "{ train = 80%, val = 20% }", "how the data is split"),
           opt("stratify", boolean(), "true", "keep class proportions in every split"),
           opt("image",
               record({opt("size", size(), "", "size images are resized to"),
                       opt("channels", integer(1, 4), "3", "1 gray, 3 colour or 4 with alpha (not 2)"),
                       opt("max_pixels", integer(1, 1e12), "100_000_000",
                           "larger images are skipped from their header, before decoding"),
                       opt("normalize",
                           one_of({boolean(), record({req("mean", list(number(), 1), "per channel"),
                                                      req("std", list(positive(), 1), "per channel")})}),
                           "true", "per-channel normalisation")}),
               "{}", "image decoding"),
           opt("text",
               record({opt("tokenizer", call(C::Tokenizer), "word()", "tokenizer"),
                       opt("max_len", integer(1, 1000000), "256", "tokens kept per row (shorter rows are padded)")}),
               "{}", "text processing (csv)"),
           opt("audio",
               record({opt("sample_rate", integer(1000, 384000), "16000", "resample to this rate"),
                       opt("duration", duration(), "1s", "pad or trim to this length"),
                       opt("features", call(C::Features), "log_mel()", "features computed")}),
               "{}", "audio processing (audio_folder)"),
           opt("classes", list(string(), 1), "from the data", "class names, in order"),
           opt("on_error", enumeration({"skip", "fail"}), "skip", "what bad files do")});
  b.block(DeclKind::Model, "a network: backbone, optional neck, head",
          {req("backbone", call(C::Backbone), "feature extractor"), opt("neck", call(C::Neck), "none", "neck"),
           opt("head", call(C::Head), "classifier()", "task head")});
  b.block(DeclKind::Space, "searched variables, each a distribution", {});
  b.block(DeclKind::Train, "one training job, optionally searched",
          {req("data", ref({DeclKind::Dataset}), "dataset"),
           opt("augment", one_of({none(), ref({DeclKind::Augment})}), "none", "augmentation pipeline"),
           req("model", ref({DeclKind::Model}), "model"), req("optimizer", call(C::Optimizer), "optimizer"),
           opt("schedule", call(C::Schedule), "constant()", "learning-rate schedule"),
           req("epochs", integer(1, 100000), "passes over the training split"),
           opt("batch", integer(1, 65536), "32", "batch size"),
           opt("loss", call(C::Loss), "cross_entropy()", "loss"),
           opt("metrics",
               list(enumeration(kMetrics, false, kMetricsNotYet), 1),
               "[accuracy]", "metrics recorded"),
           opt("early_stop",
               record({req("metric", metric(), "metric watched"), req("patience", integer(1, 100000), "epochs"),
                       opt("mode", enumeration({"auto", "min", "max"}), "auto", "direction")}),
               "none", "stop when a metric stalls"),
           opt("search", call(C::Strategy), "none", "hyperparameter search"),
           opt("distributed",
               record({req("workers", integer(1, 1024), "processes, each on batch / workers of every batch"),
                       opt("backend", enumeration({"gloo", "nccl"}), "gloo", "collective backend"),
                       opt("compress", one_of({none(), call(C::Compress)}), "none", "gradient compression")}),
               "none", "data-parallel training"),
           opt("checkpoint",
               record({opt("every", integer(1, 100000), "1", "epochs between checkpoints"),
                       opt("keep", one_of({enumeration({"all"}), integer(1, 100000)}), "1",
                           "newest epoch checkpoints kept (the best epoch's weights are always kept)")}),
               "{ every = 1, keep = 1 }", "checkpoints"),
           opt("priority", integer(-1000, 1000), "0", "scheduling priority among ready tasks")});
  b.block(DeclKind::Label, "smart labeling rounds (active learning)",
          {req("pool", one_of({ref({DeclKind::Dataset}), call(C::Source)}), "unlabeled data"),
           req("model", ref({DeclKind::Train}), "train job whose model scores the pool"),
           opt("strategy", enumeration({"uncertainty", "margin", "entropy", "coreset", "random"}), "uncertainty",
               "which samples to label"),
           opt("batch", integer(1, 1000000), "100", "samples labeled per round"),
           opt("rounds", integer(1, 10000), "5", "labeling rounds"),
           opt("seed_labels", one_of({integer(0, 1000000000), number(0, 1)}), "0",
               "samples labeled at random before the first round: a count, or a share of the pool (10%); "
               "0: one batch"),
           req("oracle", call(C::Oracle), "who answers"),
           opt("stop", condition(), "none",
               "no further round once this holds (val.X: the held-out split, train.X, labels: the labels so far)"),
           opt("steps", one_of({none(), integer(1, 10000000)}), "none",
               "optimizer steps per round (its epochs follow from the labels); none: the recipe's epochs"),
           opt("warm_start", boolean(), "false", "continue from the last round's weights instead of retraining"),
           opt("baseline", boolean(), "true", "also run random selection at the same budget (folder oracle)"),
           opt("reference", boolean(), "true", "also train on every pool label (folder oracle)")});
  b.block(DeclKind::Deploy, "what is shipped",
          {req("from", ref({DeclKind::Train, DeclKind::Label}), "train job, or label block (its last round's model)"),
           req("targets", list(call(C::Target), 1), "targets"),
           opt("package", path(PathRole::Output, "package"), "\"dist/<name>.tar.gz\"", "output tarball")});
}

// What the language defines but this version of edlc does not run yet: the
// checker rejects each where it is written (E0901), so nothing is accepted
// that would be dropped or fail later. A feature's issue deletes its line.
void not_yet_built(Catalogue &c) {
  const std::pair<Category, std::vector<std::string>> kFunctions[] = {
      {C::Backbone, {"nas"}},
      {C::Controller, {"reinforce"}},
  };
  for (const auto &[category, names] : kFunctions)
    for (const std::string &name : names)
      for (Function &f : c.functions_)
        if (f.category == category && f.name == name) f.not_yet = "-";
  // The note names the siblings that do run.
  for (Function &f : c.functions_) {
    if (f.not_yet.empty()) continue;
    std::string runs;
    for (const Function &g : c.functions_)
      if (g.category == f.category && g.not_yet.empty() && (g.category != C::AugmentOp || (g.domains & (kImage | kBatch))))
        runs += (runs.empty() ? "" : ", ") + g.name;
    f.not_yet = runs.empty() ? std::string("no ") + plural(f.category) : runs;
  }
  c.metrics_not_yet_ = kMetricsNotYet;
}

Catalogue build() {
  Catalogue c;
  Builder b(c);
  image_ops(b);
  data(b);
  models(b);
  training(b);
  deployment(b);
  blocks(b);
  using F = FormulaOp;
  c.formula_functions_ = {{"abs", 1, "absolute value", F::Abs},
                          {"sqrt", 1, "square root (NaN below 0)", F::Sqrt},
                          {"exp", 1, "e to the power", F::Exp},
                          {"log", 1, "natural logarithm (NaN below 0, -inf at 0)", F::Log},
                          {"pow", 2, "a to the power b", F::Pow},
                          {"sin", 1, "sine", F::Sin},
                          {"cos", 1, "cosine", F::Cos},
                          {"tanh", 1, "hyperbolic tangent", F::Tanh},
                          {"min", 2, "smaller of two", F::Min},
                          {"max", 2, "larger of two", F::Max},
                          {"clamp", 3, "x limited to [lo, hi]", F::Clamp},
                          {"floor", 1, "round down", F::Floor},
                          {"select", 3, "a if cond (not 0) else b", F::Select}};
  c.metrics_ = kMetrics;
  c.splits_ = {"train", "val", "test"};
  not_yet_built(c);
  return c;
}

}  // namespace

const Catalogue &catalogue() {
  static const Catalogue c = build();
  return c;
}

}  // namespace edl::stdlib
