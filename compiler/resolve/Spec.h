// The typed specs the resolve stage produces from a checked project: every
// property resolved, every default filled from the stdlib catalogue, paths
// absolute, references replaced by what they name. The plan carries them
// and the runtime reads nothing else (never the syntax tree). Source ranges
// ride along for diagnostics; they are not part of a spec's meaning.
#pragma once

#include "compiler/resolve/AugmentSpec.h"
#include "compiler/resolve/Scalar.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edl::spec {

struct Project {
  std::string name;
  std::uint64_t seed = 0;
  std::string device = "cpu";
  std::string store;          // absolute path of the SQLite store
  int threads = 0;            // 0: every core
  int workflow_parallel = 0;  // 0: what the cores allow
  int retries = 0;
  double backoff = 1;         // seconds before the first retry
  std::string main_file;      // absolute; where dist/ goes by default
  std::string source_hash;    // of every source file: a package's provenance
  SpaceValues space_defaults;  // every space variable at the middle of its domain
};

enum class SourceKind { ImageFolder, Csv, AudioFolder, Coco, Voc, MaskFolder };
// Sources of boxes (detection data): an annotations path beside the images.
inline bool has_boxes(SourceKind k) { return k == SourceKind::Coco || k == SourceKind::Voc; }
// Sources of label maps (segmentation data): a mask folder beside the images.
inline bool has_masks(SourceKind k) { return k == SourceKind::MaskFolder; }
const char *to_string(SourceKind k);

struct Dataset {
  std::string name;
  SourceKind source = SourceKind::ImageFolder;
  std::string path;                       // folder or file, absolute
  std::string path_as_written;            // for messages
  SourceRange path_range;
  std::string text_column, label_column;  // csv
  // coco: the COCO JSON file; voc: the XML folder; mask_folder: the masks
  // folder. Absolute; `path` is then the images folder.
  std::string annotations;
  std::string annotations_as_written;
  SourceRange annotations_range;
  double train = 0.8, val = 0.2, test = 0.0;
  bool stratify = true;
  // split.group: a regular expression on each sample's file name; samples
  // whose key (its first capture group, else the match) is equal share a
  // split. Empty: samples are split one by one.
  std::string split_group;
  int width = 0, height = 0;  // image.size; 0 keeps each image's own size (they must agree)
  int channels = 3;
  std::uint64_t max_pixels = 100000000;  // image.max_pixels (resolve sets the catalogue's): a larger image is refused from its header
  // image.normalize: true scales by the training split's per-channel mean
  // and std; false only maps pixels to [0, 1]; given mean/std (in [0, 1]
  // units) are used as they are.
  bool normalize = true;
  std::vector<double> mean, std;
  int sample_rate = 16000;
  double duration = 1.0;                  // seconds
  // audio.features = log_mel(n_mels, n_fft, hop) or mfcc(n_mfcc, ...):
  // what a sound model reads.
  struct LogMel {
    int n_mels = 40, n_fft = 400, hop = 160;
    int n_mfcc = 0;  // mfcc(): coefficients of the log-mel's DCT kept; 0 for log_mel()
  } log_mel;
  // text = { tokenizer, max_len } (csv): how rows become token ids. The
  // vocabulary is learnt from the training split only.
  struct Text {
    std::string tokenizer = "word";  // word | char | bpe
    bool lowercase = true;
    int min_count = 1;               // word: rarer words become the unknown token
    int max_vocab = 20000;           // word: the most frequent ones kept; bpe: its vocab
    int max_len = 256;               // tokens kept per row; shorter rows are padded
  } text;
  std::vector<std::string> classes;       // declared order; empty: sorted folder or label names
  bool fail_on_error = false;             // on_error = fail
  int ignore_index = 255;                 // mask_folder: the mask value that is no class
  // Images with no labels (a label block's inline pool): every image under
  // the folder, class folders or not, in one class named kUnlabeled.
  bool unlabeled = false;
  std::uint64_t seed = 0;                 // the project's seed
  std::string cache_dir;                  // where decoded tensors are kept
};

// The one class of an unlabeled dataset.
inline constexpr const char *kUnlabeled = "(unlabeled)";

struct Model {
  std::string name;
  std::string backbone;            // mlp cnn resnet18 resnet34 resnet50 mobilenet_v2
  SourceRange backbone_range;
  std::vector<Scalar> hidden;      // mlp; lstm (one value)
  std::vector<Scalar> channels;    // cnn, audio_cnn; text_cnn (one value: per kernel width)
  Scalar embed;                    // text_cnn, lstm, transformer: token embedding size
  std::vector<Scalar> kernels;     // text_cnn: kernel widths
  Scalar layers;                   // lstm, transformer
  bool bidirectional = false;      // lstm
  Scalar heads, ff, encoder_dropout;  // transformer: attention heads, feed-forward width, dropout
  Scalar kernel = 3;               // cnn (resolve sets the catalogue's default)
  Scalar dims = 2;                 // audio_cnn: 2 (over the spectrogram) or 1 (over time)
  Scalar width = 1.0;              // mobilenet_v2
  std::string pretrained;          // absolute path of weights, or empty
  SourceRange pretrained_range;
  std::string freeze;              // a block name of the backbone, or empty
  SourceRange freeze_range;
  // Fine-tuning: `unfreeze = { after, lr_scale }` trains the frozen blocks
  // from epoch after + 1 at lr x lr_scale (0: they stay frozen);
  // `layer_decay` d < 1 gives each backbone block lr x d^(blocks above it).
  int unfreeze_after = 0;
  double unfreeze_lr_scale = 0.1;
  SourceRange unfreeze_range;
  double layer_decay = 1.0;
  std::string head = "classifier";
  SourceRange head_range;
  std::vector<Scalar> head_hidden;
  Scalar dropout;
  // Detection (retinanet, yolo, faster_rcnn): the neck, anchors, towers
  // (faster_rcnn's RPN) and what is kept.
  std::string neck;               // "fpn" or none
  Scalar neck_channels;
  std::vector<Scalar> anchor_sizes, anchor_ratios, anchor_scales;
  Scalar head_depth, head_channels, score_threshold, nms_threshold, detections;
  Scalar proposals, rois, box_width;  // faster_rcnn's second stage
  Scalar decoder_channels;            // unet (fcn: dropout)
  bool detects() const { return head == "retinanet" || head == "yolo" || head == "faster_rcnn"; }
  bool segments() const { return head == "fcn" || head == "unet"; }
  bool reads_text() const { return backbone == "text_cnn" || backbone == "lstm" || backbone == "transformer"; }
  bool reads_sound() const { return backbone == "audio_cnn"; }
  // The metric a run of it always records and watches by default.
  const char *headline_metric() const { return detects() ? "map" : segments() ? "miou" : "accuracy"; }
};

struct Optimizer {
  std::string kind = "sgd";  // sgd adam adamw
  Scalar lr, momentum, weight_decay, beta1, beta2;
  bool nesterov = false;
};

struct Schedule {
  std::string kind = "constant";  // constant step cosine onecycle custom
  Scalar every;                   // step
  Scalar gamma;                   // step
  Scalar warmup;                  // cosine, in epochs
  Scalar max_lr;                  // onecycle
  std::shared_ptr<const Formula> formula;  // custom: over epoch, epochs, step, steps, lr
  SourceRange range;
};

struct Loss {
  std::string kind = "cross_entropy";  // cross_entropy focal dice
  Scalar label_smoothing, gamma;
  Scalar cross_entropy_weight;         // dice: the cross-entropy term's weight
};

struct EarlyStop {
  bool enabled = false;
  std::string split = "val", metric = "loss";
  Scalar patience;
  bool maximize = false;  // mode, with auto: maximise everything but loss
};

// One searched variable.
struct Dimension {
  std::string name;  // "space.var"
  enum Kind { Uniform, LogUniform, Int, Choice, Normal } kind = Uniform;
  double low = 0, high = 1;     // bounds; mean and std for Normal
  std::vector<double> options;  // Choice
};
const char *to_string(Dimension::Kind k);

struct Search {
  std::string strategy;                 // random, tpe, gp, grid, pbt
  SourceRange strategy_range;
  std::uint64_t trials = 1;             // for grid without `trials`: the grid's size
  std::vector<Dimension> dimensions;    // by name
  std::string split = "val", metric = "accuracy";
  bool maximize = true;
  int proxy_epochs = 0;                 // 0: the job's epochs
  double subset = 1.0;                  // fraction of the training split per trial
  bool has_proxy = false;
  std::string pruner;                   // "", asha or median
  int prune_first = 1, prune_reduction = 3;
  int parallel = 1;
  double budget_seconds = 0;            // 0: no wall-clock limit
  int population = 0, interval = 0;     // pbt
  std::pair<double, double> perturb{0.8, 1.2};
  // When the augment block reads a searched variable: the trivialaugment
  // baseline the search is compared with (and may adopt).
  std::shared_ptr<const Augment> baseline_augment;

  std::string objective_name() const { return split + "." + metric; }
};

// distributed = { workers, backend, compress }: data-parallel training on
// `workers` processes, each on its share of every batch (batch is the
// combined batch), their gradients exchanged every step.
struct Distributed {
  int workers = 1;                 // 1: one process
  std::string backend = "gloo";
  std::string compress = "none";   // none dgc powersgd
  double sparsity = 0.999;         // dgc: share of each gradient not sent
  int warmup = 4;                  // dgc: epochs of sparsity warm-up
  double clip = 0;                 // dgc: global gradient-norm clip; 0: none
  int rank = 4;                    // powersgd
  SourceRange range;               // the property, for run-time errors
  bool on() const { return workers > 1; }
};

struct Train {
  std::string name;
  std::string dataset;                      // the dataset block it reads
  SourceRange data_range;
  std::shared_ptr<const Augment> augment;   // null: none
  SourceRange augment_range;
  Model model;
  Optimizer optimizer;
  Schedule schedule;
  Loss loss;
  Scalar epochs, batch;
  std::vector<std::string> metrics;  // always holds "loss" and "accuracy"
  EarlyStop early_stop;
  Scalar checkpoint_every;
  Scalar checkpoint_keep;            // newest epoch-N files kept; 0 keeps every one
  int priority = 0;
  std::optional<Search> search;
  Distributed distributed;
  SpaceValues space;                 // once bound: the searched values this run uses
};

// A `label` block: rounds of active learning. The pool is a dataset's
// training split (its labels hidden; only the oracle's answers reach the
// learner); accuracy is measured on the model's dataset's validation split.
struct Label {
  std::string name;
  std::string pool;                  // the dataset block (an inline source becomes "NAME.pool")
  SourceRange pool_range;
  std::string model;                 // the train job whose recipe trains each round
  std::string strategy = "uncertainty";  // uncertainty margin entropy coreset random
  std::uint64_t batch = 100;         // asked per round
  int rounds = 5;
  std::uint64_t seed_count = 0;      // seed_labels as a count (0 with no share: one batch)
  double seed_share = 0;             // seed_labels as a share of the pool
  enum class Oracle { Folder, Human } oracle = Oracle::Folder;
  std::string oracle_path;           // the labelled folder, or the human's queue folder; absolute
  SourceRange oracle_range;
  std::shared_ptr<const Formula> stop;  // over "val.X" and "train.X"; null: never stops early
  int steps = 0;                     // optimizer steps per round; 0: the recipe's epochs
  bool warm_start = false;
  bool baseline = true;              // random selection at the same budget (folder oracle only)
  bool reference = true;             // trained on every pool label (folder oracle only)
};
const char *to_string(Label::Oracle o);

struct Target {
  std::string kind;          // torchscript, server, sdk, edge
  nlohmann::json options;    // its arguments, defaults filled
};

struct Deploy {
  std::string name;
  std::string from;          // the train job, or a label block (its last round's model)
  std::vector<Target> targets;
  std::string package;       // the .tar.gz to write, absolute
};

// Everything a run needs, by block name.
struct Specs {
  Project project;
  std::vector<Dataset> datasets;
  std::vector<Augment> augments;  // every augment block (for preview); trains hold theirs
  std::vector<Train> trains;
  std::vector<Label> labels;
  std::vector<Deploy> deploys;

  const Dataset *dataset(const std::string &name) const;
  const Augment *augment(const std::string &name) const;
  const Train *train(const std::string &name) const;
  const Label *label(const std::string &name) const;
  const Deploy *deploy(const std::string &name) const;
};

// `train` with every searched number evaluated at `values` (a variable they
// do not hold takes its default); `space` records the values used.
Train bind(const Train &train, const SpaceValues &values, const SpaceValues &defaults);
Augment bind(const Augment &augment, const SpaceValues &values, const SpaceValues &defaults);

// Whether anything in the augment block reads a searched variable.
bool is_searched(const Augment &augment);

}  // namespace edl::spec
