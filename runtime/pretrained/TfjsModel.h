// A TensorFlow.js layers model, read from its folder: model.json (the
// Keras topology and the weights manifest) and the binary shards it names.
// Quantized weights (uint8/uint16 with min and scale, float16) come back
// as floats. What `edlc import-weights tfjs` maps onto a stdlib network.
// No torch here.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edl::pretrained {

struct TfjsWeight {
  std::string name;  // e.g. "block_1_expand/kernel"
  std::vector<std::int64_t> shape;
  std::vector<float> values;
};

struct TfjsLayer {
  std::string class_name, name;  // e.g. "Conv2D", "block_1_expand"
  nlohmann::json config;
  std::vector<std::string> inputs;  // the layers it reads
  std::vector<TfjsWeight> weights;  // in the manifest's order
};

struct TfjsModel {
  std::string keras_version, generated_by;
  std::vector<TfjsLayer> layers;  // in the topology's order
  // The input layer's [height, width, channels]; 0 where not fixed.
  std::int64_t height = 0, width = 0, channels = 0;
};

// Null with `error` set when the folder holds no readable layers model.
std::optional<TfjsModel> read_tfjs_model(const std::string &dir, std::string &error);

}  // namespace edl::pretrained
