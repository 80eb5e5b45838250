#include "runtime/label/RoundData.h"

#include "compiler/support/InternalError.h"

#include <algorithm>

namespace edl::label {

data::LoadedDataset round_data(const data::LoadedDataset &pool, const std::vector<std::size_t> &labeled,
                               const std::vector<int> &labels, const data::LoadedDataset &held_out,
                               const std::vector<std::size_t> &held_out_indices) {
  if (labeled.size() != labels.size() || pool.width != held_out.width || pool.height != held_out.height ||
      pool.channels != held_out.channels)
    internal_error("a labeling round's pool and held-out samples do not match");
  data::LoadedDataset out;
  out.classes = held_out.classes;
  out.width = pool.width, out.height = pool.height, out.channels = pool.channels;
  const std::size_t image = static_cast<std::size_t>(pool.width) * pool.height * pool.channels;
  out.pixels.reserve(image * (labeled.size() + held_out_indices.size()));
  auto add = [&](const data::LoadedDataset &from, std::size_t i, int label) {
    out.pixels.insert(out.pixels.end(), from.pixels.begin() + static_cast<std::ptrdiff_t>(i * image),
                      from.pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * image));
    out.labels.push_back(label);
    out.sources.push_back(from.sources[i]);
  };
  for (std::size_t k = 0; k < labeled.size(); ++k) {
    out.split.train.push_back(out.labels.size());
    add(pool, labeled[k], labels[k]);
  }
  for (std::size_t i : held_out_indices) {
    out.split.val.push_back(out.labels.size());
    add(held_out, i, held_out.labels[i]);
  }
  return out;
}

}  // namespace edl::label
