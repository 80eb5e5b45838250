#include "runtime/data/DatasetSpec.h"

#include <filesystem>

namespace edl::data {

namespace fs = std::filesystem;

bool report_missing_folder(const DatasetSpec &spec, DiagnosticEngine &diags) {
  std::error_code ec;
  // A csv source is a file; the loader says when it cannot be read (E0815).
  if (spec.path.empty() || spec.source == SourceKind::Csv || fs::is_directory(spec.path, ec)) return false;
  std::vector<std::string> siblings;
  const fs::path parent = fs::path(spec.path).parent_path();
  for (const auto &e : fs::directory_iterator(parent, ec))
    if (e.is_directory(ec)) siblings.push_back(e.path().filename().string());
  diags.report(DiagId::DataFolderMissing, spec.path_range, {spec.path_as_written})
      .suggest(fs::path(spec.path).filename().string(), siblings);
  return true;
}

}  // namespace edl::data
