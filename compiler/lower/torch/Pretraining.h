// What a weights file says about the network its tensors came from.
// `edlc import-weights` writes it next to the tensors (a JSON string under
// the key "edl.pretraining"); the files a run saves have none. Building a
// model reads it to compute as the original did, and training and serving
// normalise inputs as its pretraining did. No torch here.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace edl::lower {

// How a network trained elsewhere computes. TensorFlow pads a strided
// convolution on the right and bottom only, and its batch norm adds 1e-3.
struct Conventions {
  bool tf_padding = false;
  double bn_eps = 1e-5;
};

struct Pretraining {
  std::string source;    // where the tensors came from, for people
  std::string backbone;  // the stdlib backbone they fit, e.g. mobilenet_v2
  double width = 1.0;    // mobilenet_v2's width multiplier
  Conventions conventions;
  int channels = 3;      // the input it was trained on
  int size = 0;          // its side in pixels; 0: not stated
  // Its input normalisation, (pixel / 255 - mean) / std per channel.
  std::vector<double> mean, std;
  std::vector<int> head_hidden;  // the imported classifier's hidden layers
  std::vector<std::string> classes;  // what its last layer scores

  std::string to_json() const;
  // Null with `error` set when `text` is not such a record.
  static std::optional<Pretraining> from_json(const std::string &text, std::string &error);
};

// The key a weights file keeps the record under.
inline constexpr const char *kPretrainingKey = "edl.pretraining";

}  // namespace edl::lower
