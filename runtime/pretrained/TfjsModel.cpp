#include "runtime/pretrained/TfjsModel.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

namespace edl::pretrained {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

float half_to_float(std::uint16_t h) {
  const int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float v;
  if (exponent == 0) v = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31) v = mantissa ? NAN : INFINITY;
  else v = std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
  return sign ? -v : v;
}

// Bytes per stored value, by the stored (quantized) type.
int stored_bytes(const std::string &dtype) {
  if (dtype == "float32" || dtype == "int32") return 4;
  if (dtype == "uint16" || dtype == "float16") return 2;
  if (dtype == "uint8" || dtype == "bool") return 1;
  return 0;
}

// The values of one weight from `bytes`, as the manifest entry `w` stores them.
std::vector<float> decode(const json &w, const unsigned char *bytes, std::size_t count) {
  std::vector<float> out(count);
  const std::string dtype = w.value("dtype", "float32");
  if (w.contains("quantization")) {
    const json &q = w["quantization"];
    const std::string stored = q.value("dtype", "uint8");
    if (stored == "float16") {
      for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t h;
        std::memcpy(&h, bytes + 2 * i, 2);
        out[i] = half_to_float(h);
      }
      return out;
    }
    const double min = q.at("min").get<double>(), scale = q.at("scale").get<double>();
    for (std::size_t i = 0; i < count; ++i) {
      std::uint32_t v = bytes[i];
      if (stored == "uint16") {
        std::uint16_t u;
        std::memcpy(&u, bytes + 2 * i, 2);
        v = u;
      }
      out[i] = static_cast<float>(min + scale * v);
    }
    return out;
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (dtype == "int32") {
      std::int32_t v;
      std::memcpy(&v, bytes + 4 * i, 4);
      out[i] = static_cast<float>(v);
    } else if (dtype == "bool") {
      out[i] = bytes[i] ? 1.0f : 0.0f;
    } else {
      std::memcpy(&out[i], bytes + 4 * i, 4);
    }
  }
  return out;
}

std::string read_all(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The names of the layers a Keras 2 functional layer reads.
std::vector<std::string> inbound_layers(const json &layer) {
  std::vector<std::string> names;
  const json &nodes = layer.value("inbound_nodes", json::array());
  if (!nodes.is_array() || nodes.empty() || !nodes[0].is_array()) return names;
  for (const json &node : nodes[0])
    if (node.is_array() && !node.empty() && node[0].is_string()) names.push_back(node[0].get<std::string>());
  return names;
}

// The layer a weight belongs to: the component before the last of its
// name ("model/block_1_expand/kernel" → "block_1_expand").
std::string layer_of(const std::string &weight) {
  const std::size_t last = weight.rfind('/');
  if (last == std::string::npos) return weight;
  const std::size_t before = weight.rfind('/', last - 1);
  return weight.substr(before == std::string::npos ? 0 : before + 1, last - (before == std::string::npos ? 0 : before + 1));
}

}  // namespace

std::optional<TfjsModel> read_tfjs_model(const std::string &dir, std::string &error) {
  try {
    const fs::path folder(dir);
    const fs::path model_json = folder / "model.json";
    if (!fs::exists(model_json)) {
      error = "no model.json in " + dir + " (a TensorFlow.js layers model is a folder with model.json and its .bin shards)";
      return std::nullopt;
    }
    const json root = json::parse(read_all(model_json));
    TfjsModel model;
    model.generated_by = root.value("generatedBy", "");
    json topology = root.at("modelTopology");
    if (topology.contains("model_config")) {
      model.keras_version = topology.value("keras_version", "");
      topology = topology["model_config"];
    }
    const std::string kind = topology.value("class_name", "");
    if (kind != "Model" && kind != "Functional" && kind != "Sequential")
      throw std::runtime_error("its topology is a '" + kind + "', not a Keras Model or Sequential (a graph model cannot be imported)");
    const json &config = topology.at("config");
    const json &layers = config.is_array() ? config : config.at("layers");
    std::map<std::string, std::size_t> by_name;
    for (const json &l : layers) {
      TfjsLayer layer;
      layer.class_name = l.at("class_name").get<std::string>();
      layer.config = l.value("config", json::object());
      layer.name = l.contains("name") ? l["name"].get<std::string>() : layer.config.value("name", "");
      layer.inputs = inbound_layers(l);
      if (kind == "Sequential" && !model.layers.empty()) layer.inputs = {model.layers.back().name};
      if (layer.class_name == "InputLayer" || (model.layers.empty() && layer.config.contains("batch_input_shape"))) {
        const json &shape = layer.config.at("batch_input_shape");
        if (shape.size() == 4) {
          model.height = shape[1].is_number() ? shape[1].get<std::int64_t>() : 0;
          model.width = shape[2].is_number() ? shape[2].get<std::int64_t>() : 0;
          model.channels = shape[3].is_number() ? shape[3].get<std::int64_t>() : 0;
        }
      }
      by_name[layer.name] = model.layers.size();
      model.layers.push_back(std::move(layer));
    }
    for (const json &group : root.at("weightsManifest")) {
      std::string bytes;
      for (const json &path : group.at("paths")) bytes += read_all(folder / path.get<std::string>());
      std::size_t at = 0;
      for (const json &w : group.at("weights")) {
        TfjsWeight weight;
        weight.name = w.at("name").get<std::string>();
        std::size_t count = 1;
        for (const json &d : w.at("shape")) {
          weight.shape.push_back(d.get<std::int64_t>());
          count *= static_cast<std::size_t>(weight.shape.back());
        }
        const std::string stored =
            w.contains("quantization") ? w["quantization"].value("dtype", "uint8") : w.value("dtype", "float32");
        const int size = stored_bytes(stored);
        if (size == 0) throw std::runtime_error("weight " + weight.name + " is stored as '" + stored + "', which cannot be read");
        if (at + count * size > bytes.size())
          throw std::runtime_error("the shards end inside weight " + weight.name + " (" + std::to_string(bytes.size()) +
                                   " bytes)");
        weight.values = decode(w, reinterpret_cast<const unsigned char *>(bytes.data()) + at, count);
        at += count * size;
        auto layer = by_name.find(layer_of(weight.name));
        if (layer == by_name.end()) throw std::runtime_error("weight " + weight.name + " belongs to no layer of the topology");
        model.layers[layer->second].weights.push_back(std::move(weight));
      }
    }
    return model;
  } catch (const std::exception &e) {
    error = e.what();
    return std::nullopt;
  }
}

}  // namespace edl::pretrained
