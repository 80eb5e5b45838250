// Loading a dataset: decoding every sample, the class list, a
// deterministic split, and a report of what was skipped and why. Bad
// samples never stop a load by surprise: with on_error = skip they are
// counted and reported; with on_error = fail the load stops with the first.
#pragma once

#include "runtime/data/DatasetSpec.h"
#include "runtime/data/ImageHeader.h"
#include "runtime/data/Tokenizer.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace edl::data {

struct Skipped {
  std::string source;  // file, or "file:row"
  std::string reason;
};

// Why the data cannot be used as declared: a diagnostic of the catalogue
// (E0810-E0819, E0807, E0901) with its arguments, reported at the dataset's
// path in the .edl file.
struct DataError {
  DiagId id;
  std::vector<std::string> args;
  std::vector<std::pair<NoteId, std::vector<std::string>>> notes;
  std::string message() const;  // the catalogue's text with the arguments filled in
};

struct DataReport {
  std::vector<Skipped> skipped;
  std::vector<std::string> warnings;  // the data loads, but something deserves a look
  std::vector<DataError> errors;      // the data cannot be used as declared
  std::size_t decoded = 0;            // samples decoded in this load
  std::size_t from_cache = 0;         // samples the decode cache supplied
  std::size_t ignored = 0;            // files that are not samples (other extensions, hidden)
  bool ok() const { return errors.empty(); }
};

struct Split {
  std::vector<std::size_t> train, val, test;  // sample indices
};

// One annotated object of a detection image, in the decoded image's pixels
// (x0, y0 inclusive corner, x1, y1 exclusive: a box of one pixel is 1 wide).
struct Object {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int label = 0;       // class index
  float area = 0;      // as COCO counts it: the annotation's area, in the original image's pixels
  bool crowd = false;  // iscrowd: a region of many objects, neither a target nor a miss
};

struct LoadedDataset {
  std::vector<std::string> classes;
  std::vector<int> labels;          // one per sample
  std::vector<std::string> sources; // one per sample: the file (or file:row)
  // Images: N x height x width x channels, uint8.
  int width = 0, height = 0, channels = 0;
  std::vector<std::uint8_t> pixels;
  // Detection (coco): each image's objects, one list per sample, and the
  // size of the image as stored (boxes are scaled from it to width x height).
  std::vector<std::vector<Object>> objects;
  std::vector<std::pair<int, int>> original_sizes;
  // Segmentation (mask_folder): N x height x width class indices, one label
  // map per sample, ignore_index where a pixel is no class.
  std::vector<std::uint8_t> masks;
  int ignore_index = 255;
  // Text rows, and each as max_len token ids (N x max_len, row-major) in
  // the vocabulary learnt from the training split.
  std::vector<std::string> texts;
  TextEncoder vocabulary;
  std::vector<std::int32_t> tokens;
  // Audio: N x samples_per_clip, mono float in [-1, 1], at sample_rate,
  // and the features a sound model reads of each clip (channels, height
  // and width above say their shape: 1 x n_mels x frames).
  int samples_per_clip = 0, sample_rate = 0;
  std::vector<float> audio;
  spec::Dataset::LogMel log_mel;

  Split split;
  DataReport report;
  std::size_t size() const { return labels.size(); }
};

struct LoadOptions {
  bool use_cache = true;
};

LoadedDataset load_dataset(const DatasetSpec &spec, const LoadOptions &options = {});

// One image's bytes decoded exactly as image_folder decodes them: to
// `channels` (1 gray, 3 RGB, 4 RGBA), resized to width x height (area to
// shrink, linear to grow), height x width x channels bytes in `pixels`.
// `original`, when given, receives the size before resizing (to map
// detected boxes back onto the image). Returns why the bytes cannot be used
// (truncated, not an image, more pixels than max_pixels), or "".
std::string decode_image(const std::vector<std::uint8_t> &bytes, int channels, int width, int height,
                         std::vector<std::uint8_t> &pixels, std::uint64_t max_pixels = kDefaultMaxPixels,
                         ImageSize *original = nullptr);

// Each error of `report` as a diagnostic at `at` (the dataset's path).
void report_errors(const DataReport &report, SourceRange at, DiagnosticEngine &diags);

// The skipped files grouped by reason, most frequent first: one line per
// reason with its count and up to `examples` of its files, so a thousand
// bad files make a few lines, not a thousand.
std::vector<std::string> skipped_summary(const DataReport &report, std::size_t examples = 3);

// Pieces, for tests and for the loaders themselves.
// With spec.split_group, `sources` (each sample's file) give the groups
// that are kept whole: whole groups are cut by the shares, counted in
// samples, and stratification by class gives way to them.
Split split_samples(const std::vector<int> &labels, std::size_t class_count, const DatasetSpec &spec,
                    DataReport &report, const std::vector<std::string> &class_names,
                    const std::vector<std::string> &sources = {});
// Fields of one CSV record (RFC 4180: quotes, doubled quotes, newlines in
// quotes); `pos` advances past the record. False at the end of the text.
bool next_csv_record(const std::string &text, std::size_t &pos, std::vector<std::string> &fields);

}  // namespace edl::data
