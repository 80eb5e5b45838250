#include "runtime/train/PretrainedInput.h"

#include "compiler/lower/torch/BuildModel.h"

namespace edl::train {

std::optional<Normalizer> pretrained_normalizer(const spec::Model &model, int channels) {
  if (model.pretrained.empty()) return std::nullopt;
  const std::optional<lower::Pretraining> p = lower::read_pretraining(model.pretrained);
  if (!p || p->mean.empty()) return std::nullopt;
  Normalizer n;
  for (int c = 0; c < channels; ++c) {
    if (channels == 1 && p->mean.size() > 1) {
      double mean = 0, stdev = 0;
      for (std::size_t i = 0; i < p->mean.size(); ++i) {
        mean += p->mean[i] / p->mean.size();
        stdev += p->std[i] / p->std.size();
      }
      n.mean.push_back(static_cast<float>(mean));
      n.std.push_back(static_cast<float>(stdev));
    } else {
      n.mean.push_back(static_cast<float>(p->mean[std::min<std::size_t>(c, p->mean.size() - 1)]));
      n.std.push_back(static_cast<float>(p->std[std::min<std::size_t>(c, p->std.size() - 1)]));
    }
  }
  return n;
}

Normalizer input_normalizer(const data::DatasetSpec &spec, const data::LoadedDataset &data, const spec::Model &model,
                            bool *from_pretraining) {
  std::optional<Normalizer> n;
  if (data.tokens.empty() && data.audio.empty()) n = pretrained_normalizer(model, data.channels);
  if (from_pretraining) *from_pretraining = n.has_value();
  return n ? *n : make_normalizer(spec, data);
}

}  // namespace edl::train
