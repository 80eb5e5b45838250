// Runs a deploy package with nothing else: the TorchScript module and the
// manifest's preprocessing. On images: decode as the training data was
// decoded, resize, normalise; a classifier answers its best classes, a
// detector (manifest task "detection") its boxes on the image as given, a
// segmenter (task "segmentation") a label map of the image as given. On
// text: the package's tokenizer. On sound: decode, resample and pad or trim
// as training did, then the same compiled log-mel kernel. Used by `edlc
// predict` and `edlc serve`.
#pragma once

#include "runtime/data/LabelMap.h"
#include "runtime/data/TextEncoder.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edl::deploy {

struct Prediction {
  int index = 0;
  std::string label;
  double score = 0;  // softmax probability
};

// One detected object: its class, score, and box in the pixels of the
// image as sent (x0 y0 x1 y1, before any resizing).
struct Detection {
  int index = 0;
  std::string label;
  double score = 0;
  double box[4] = {0, 0, 0, 0};
};

// As `edlc predict --json` and `edlc serve` write it: {label, index, score, box}.
nlohmann::json to_json(const Detection &d);

struct Predicted {
  std::vector<Prediction> top;       // a classifier's classes, best first
  std::vector<Detection> objects;    // a detector's objects, best first
  // A segmenter's label map at the size of the image as sent (its class
  // scores resized bilinearly, then the best class of each pixel), and
  // how many of its pixels each class holds.
  data::LabelMap mask;
  std::vector<std::int64_t> class_pixels;
  std::string error;                 // why neither is there
};

// A segmenter's answer as they write it besides the mask itself: the label
// map's size and, per class present, {label, index, pixels, share}.
nlohmann::json areas_json(const Predicted &p, const std::vector<std::string> &classes);

class Predictor {
 public:
  // Opens a package: a .tar.gz (unpacked once into a cache folder named by
  // its content hash) or an unpacked folder. `edge`: run the edge() target's
  // module (e.g. the int8 one) instead of model/torchscript.pt. Null with
  // `error`.
  static std::unique_ptr<Predictor> open(const std::string &package, std::string &error, bool edge = false);
  ~Predictor();

  const nlohmann::json &manifest() const;
  bool detects() const;
  bool segments() const;
  // A text classifier (manifest input kind "text"): predict_texts, not predict.
  bool reads_text() const;
  // A sound classifier (manifest input kind "audio"): predict_audio, not predict.
  bool reads_audio() const;
  // Each image (encoded bytes: PNG, JPEG, ...) in one batch: a classifier's
  // `k` best classes, or a detector's objects (its own score threshold and
  // limit; `k` unused). An image that cannot be decoded gets an error, not
  // the batch.
  std::vector<Predicted> predict(const std::vector<std::vector<std::uint8_t>> &images, int k) const;
  // A text classifier's `k` best classes of each text (UTF-8), tokenized by
  // the package's own tokenizer, in one batch.
  std::vector<Predicted> predict_texts(const std::vector<std::string> &texts, int k) const;
  // A sound classifier's `k` best classes of each clip (the bytes of a WAV,
  // FLAC, ... file) in one batch. A clip that cannot be decoded gets an
  // error, not the batch.
  std::vector<Predicted> predict_audio(const std::vector<std::vector<std::uint8_t>> &clips, int k) const;

 private:
  struct Impl;
  explicit Predictor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edl::deploy
