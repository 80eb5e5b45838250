// Classifies images with a deploy package and nothing else: the
// TorchScript module and the manifest's preprocessing (decode as the
// training data was decoded, resize, normalise). Used by `edlc predict`.
#pragma once

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

struct Classified {
  std::vector<Prediction> top;  // best first; empty when `error` says why
  std::string error;
};

class Predictor {
 public:
  // Opens a package: a .tar.gz (unpacked once into a cache folder named by
  // its content hash) or an unpacked folder. `edge`: run the edge() target's
  // module (e.g. the int8 one) instead of model/torchscript.pt. Null with
  // `error`.
  static std::unique_ptr<Predictor> open(const std::string &package, std::string &error, bool edge = false);
  ~Predictor();

  const nlohmann::json &manifest() const;
  // The `k` best classes of each image (encoded bytes: PNG, JPEG, ...), in
  // one batch; an image that cannot be decoded gets an error, not the batch.
  std::vector<Classified> classify(const std::vector<std::vector<std::uint8_t>> &images, int k) const;

 private:
  struct Impl;
  explicit Predictor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edl::deploy
