#include "runtime/data/Dataset.h"

#include "runtime/data/DecodeCache.h"
#include "runtime/data/Loaders.h"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace edl::data {

namespace {

// A csv dataset's token ids (rows x text.max_len) may take at most this
// much memory; more is E0802 at load.
constexpr double kMaxTokenBytes = 4.0 * (1 << 30);

// The skipped files grouped by reason, the most frequent reason first (ties
// in order of first appearance).
std::vector<std::pair<std::string, std::vector<std::string>>> skipped_by_reason(const DataReport &report) {
  std::vector<std::pair<std::string, std::vector<std::string>>> by_reason;
  for (const Skipped &s : report.skipped) {
    auto it = std::find_if(by_reason.begin(), by_reason.end(), [&](const auto &r) { return r.first == s.reason; });
    if (it == by_reason.end()) it = by_reason.insert(by_reason.end(), {s.reason, {}});
    it->second.push_back(s.source);
  }
  std::stable_sort(by_reason.begin(), by_reason.end(),
                   [](const auto &a, const auto &b) { return a.second.size() > b.second.size(); });
  return by_reason;
}

}  // namespace

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
    case SourceKind::AudioFolder:
      load_audio(spec, cache.get(), out);
      out.sample_rate = spec.sample_rate;
      out.log_mel = spec.log_mel;
      // What a model reads of each clip: one channel of n_mels (or n_mfcc)
      // x frames (centred frames, lower/halide/LogMel.h).
      out.channels = 1;
      out.height = spec.log_mel.n_mfcc > 0 ? spec.log_mel.n_mfcc : spec.log_mel.n_mels;
      out.width = 1 + out.samples_per_clip / std::max(1, spec.log_mel.hop);
      break;
    case SourceKind::Csv: load_csv(spec, out); break;
    case SourceKind::Coco: load_coco(spec, cache.get(), out); break;
    case SourceKind::Voc: load_voc(spec, cache.get(), out); break;
    case SourceKind::MaskFolder: load_masks(spec, cache.get(), out); break;
  }
  if (!out.report.ok()) return out;
  if (out.labels.empty()) {
    // Once, with a count, rather than a training that fails on nothing.
    const auto reasons = skipped_by_reason(out.report);
    DataError none{DiagId::NoUsableSample, {spec.name}, {}};
    if (!reasons.empty())
      none.notes.push_back({NoteId::MostCommonSkip, {std::to_string(out.report.skipped.size()),
                                                    std::to_string(reasons[0].second.size()), reasons[0].first}});
    out.report.errors.push_back(std::move(none));
    return out;
  }
  std::string cache_error;
  if (cache && !cache->save(cache_error)) out.report.warnings.push_back(cache_error);
  out.split = split_samples(out.labels, out.classes.size(), spec, out.report, out.classes, out.sources);
  if (spec.source == SourceKind::Csv) {
    // Every row keeps max_len ids in memory: refuse what cannot fit
    // rather than fail allocating it.
    const double bytes = static_cast<double>(out.texts.size()) * std::max(0, spec.text.max_len) * sizeof(std::int32_t);
    if (bytes > kMaxTokenBytes) {
      char why[200];
      std::snprintf(why, sizeof why, "%zu rows of text.max_len = %d tokens need %.1f GiB of token ids, more than %.0f GiB; lower max_len",
                    out.texts.size(), spec.text.max_len, bytes / (1 << 30), kMaxTokenBytes / (1 << 30));
      out.report.errors.push_back(DataError{DiagId::ModelShape, {why}, {}});
      return out;
    }
    out.vocabulary = learn_vocabulary(out.texts, out.split.train, spec.text);
    out.tokens = out.vocabulary.encode_all(out.texts);
  }
  return out;
}

std::string DataError::message() const { return format_message(diagnostic_info(id).message, args); }

void report_errors(const DataReport &report, SourceRange at, DiagnosticEngine &diags) {
  for (const DataError &e : report.errors) {
    DiagnosticBuilder d = diags.report(e.id, at, e.args);
    for (const auto &[note, args] : e.notes) d.note(note, args);
  }
}

std::vector<std::string> skipped_summary(const DataReport &report, std::size_t examples) {
  std::vector<std::string> lines;
  for (const auto &[reason, files] : skipped_by_reason(report)) {
    std::string line = "skipped " + std::to_string(files.size()) + " file(s): " + reason + " (";
    for (std::size_t i = 0; i < files.size() && i < examples; ++i) line += (i ? ", " : "") + files[i];
    lines.push_back(line + (files.size() > examples ? ", ...)" : ")"));
  }
  return lines;
}

}  // namespace edl::data
