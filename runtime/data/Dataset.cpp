#include "runtime/data/Dataset.h"

#include "runtime/data/DecodeCache.h"
#include "runtime/data/Loaders.h"

#include <memory>

namespace edl::data {

LoadedDataset load_dataset(const DatasetSpec &spec, const LoadOptions &options) {
  LoadedDataset out;
  // Everything that shapes a decoded sample besides the file's bytes.
  std::string settings = std::to_string(static_cast<int>(spec.source)) + "|" + std::to_string(spec.width) + "x" +
                         std::to_string(spec.height) + "x" + std::to_string(spec.channels) + "|" +
                         std::to_string(spec.sample_rate) + "|" + std::to_string(spec.duration);
  std::unique_ptr<DecodeCache> cache;
  // No cache folder (a spec built in code, not from a project): decode every time.
  if (options.use_cache && !spec.cache_dir.empty() && spec.source != SourceKind::Csv)
    cache = std::make_unique<DecodeCache>(spec.cache_dir, spec.name, settings);
  switch (spec.source) {
    case SourceKind::ImageFolder: load_images(spec, cache.get(), out); break;
    case SourceKind::AudioFolder: load_audio(spec, cache.get(), out); break;
    case SourceKind::Csv: load_csv(spec, out); break;
    case SourceKind::Coco:
    case SourceKind::MaskFolder:
      out.report.errors.push_back("dataset '" + spec.name +
                                  "': loading detection and segmentation sources (coco, mask_folder) is not "
                                  "supported by this version of edlc");
      break;
  }
  if (!out.report.ok()) return out;
  std::string cache_error;
  if (cache && !cache->save(cache_error)) out.report.warnings.push_back(cache_error);
  out.split = split_samples(out.labels, out.classes.size(), spec, out.report, out.classes);
  return out;
}

}  // namespace edl::data
