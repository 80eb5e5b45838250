// The loaders behind load_dataset, one per source kind; internal to
// runtime/data. Each fills `out` and records problems in out.report.
#pragma once

#include "runtime/data/Dataset.h"

#include <nlohmann/json_fwd.hpp>

#include <functional>

namespace edl::data {

class DecodeCache;

// Class subfolders of a folder source, in label order, each with its
// sample files (sorted). Reports missing, unexpected and empty classes.
struct ClassFiles {
  std::vector<std::string> classes;
  std::vector<std::vector<std::string>> files;  // per class
};
bool scan_class_folders(const DatasetSpec &spec, const std::vector<std::string> &extensions, const char *what,
                        ClassFiles &out, DataReport &report);
// The file extensions image_folder reads.
const std::vector<std::string> &image_extensions();

bool read_bytes(const std::string &path, std::vector<std::uint8_t> &bytes);

// Calls visit(class index, file, its bytes, their content hash) for every
// file of every class, in label order; a file that cannot be read is a bad
// sample. Stops early when visit returns false or on_error = fail trips.
void for_each_file(const DatasetSpec &spec, const ClassFiles &files, DataReport &report,
                   const std::function<bool(std::size_t, const std::string &, const std::vector<std::uint8_t> &,
                                            const std::string &)> &visit);

void load_images(const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out);
void load_audio(const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out);
void load_csv(const DatasetSpec &spec, LoadedDataset &out);
void load_coco(const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out);
void load_voc(const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out);
void load_masks(const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out);

// A COCO document (images, annotations, categories), loaded as coco()
// loads its file: `where` names the document in reports, the namer one of
// its annotations. voc() builds one from its XML files.
using AnnotationNamer = std::function<std::string(const nlohmann::json &)>;
void load_coco_document(const nlohmann::json &root, const std::string &where, const AnnotationNamer &annotation_entry,
                        const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out);

// One image file decoded as image_folder decodes it (through the cache when
// there is one), its pixels appended to out.pixels; `stored` receives the
// image's own size. Returns why it cannot be used, or "".
std::string load_one_image(const DatasetSpec &spec, DecodeCache *cache, const std::vector<std::uint8_t> &bytes,
                           const std::string &key, LoadedDataset &out, std::pair<int, int> &stored);

// Records a bad sample: skipped, or with on_error = fail the error that
// ends the load. Returns whether loading goes on.
bool bad_sample(const DatasetSpec &spec, DataReport &report, const std::string &source, const std::string &reason);

}  // namespace edl::data
