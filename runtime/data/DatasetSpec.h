// A dataset block resolved into plain values (absolute paths, fractions,
// sizes, defaults filled in), so loaders never read the AST.
#pragma once

#include "compiler/sema/Checker.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edl::data {

enum class SourceKind { ImageFolder, Csv, AudioFolder, Coco, MaskFolder };

// image.max_pixels by default: a larger image is refused from its header,
// before decoding (a decompression bomb decodes to gigabytes).
inline constexpr std::uint64_t kDefaultMaxPixels = 100'000'000;

struct DatasetSpec {
  std::string name;
  SourceKind source = SourceKind::ImageFolder;
  std::string path;                       // folder or file, absolute
  std::string text_column, label_column;  // csv
  double train = 0.8, val = 0.2, test = 0.0;
  bool stratify = true;
  int width = 0, height = 0;  // image.size; 0 keeps each image's own size (they must agree)
  int channels = 3;
  std::uint64_t max_pixels = kDefaultMaxPixels;  // image.max_pixels
  // image.normalize: true scales by the training split's per-channel mean
  // and std; false only maps pixels to [0, 1]; given mean/std (in [0, 1]
  // units) are used as they are.
  bool normalize = true;
  std::vector<double> mean, std;
  int sample_rate = 16000;
  double duration = 1.0;                  // seconds
  std::vector<std::string> classes;       // declared order; empty: sorted folder or label names
  bool fail_on_error = false;             // on_error = fail
  std::uint64_t seed = 0;                 // the project's seed
  std::string cache_dir;                  // where decoded tensors are kept
};

// Reads a checked dataset declaration; the project gives the seed and the
// store's folder (the cache lives beside the store).
DatasetSpec dataset_spec(const CheckedProject &project, const ast::Decl &dataset, const SourceManager &sm);

// E0807 at the path in the dataset's source when its folder is missing,
// with a did-you-mean among the folders beside it: the cause of a failed
// load, said first and where it was written. False when the folder exists.
bool report_missing_folder(const ast::Decl &dataset, const DatasetSpec &spec, DiagnosticEngine &diags);

}  // namespace edl::data
