#include "compiler/lower/torch/Pretraining.h"

#include <nlohmann/json.hpp>

namespace edl::lower {

std::string Pretraining::to_json() const {
  nlohmann::json j = {{"source", source},
                      {"backbone", backbone},
                      {"width", width},
                      {"tf_padding", conventions.tf_padding},
                      {"batch_norm_eps", conventions.bn_eps},
                      {"channels", channels},
                      {"size", size},
                      {"mean", mean},
                      {"std", std},
                      {"head_hidden", head_hidden},
                      {"classes", classes}};
  return j.dump();
}

std::optional<Pretraining> Pretraining::from_json(const std::string &text, std::string &error) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    Pretraining p;
    p.source = j.value("source", "");
    p.backbone = j.at("backbone").get<std::string>();
    p.width = j.value("width", 1.0);
    p.conventions.tf_padding = j.value("tf_padding", false);
    p.conventions.bn_eps = j.value("batch_norm_eps", 1e-5);
    p.channels = j.value("channels", 3);
    p.size = j.value("size", 0);
    p.mean = j.value("mean", std::vector<double>{});
    p.std = j.value("std", std::vector<double>{});
    p.head_hidden = j.value("head_hidden", std::vector<int>{});
    p.classes = j.value("classes", std::vector<std::string>{});
    if (p.mean.size() != p.std.size()) throw std::runtime_error("mean and std differ in length");
    for (double s : p.std)
      if (!(s > 0)) throw std::runtime_error("a std is not positive");
    return p;
  } catch (const std::exception &e) {
    error = std::string("its pretraining record is unreadable: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace edl::lower
