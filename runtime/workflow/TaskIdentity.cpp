#include "runtime/workflow/TaskIdentity.h"

#include "compiler/support/Hash.h"

#include <algorithm>
#include <filesystem>
#include <vector>

namespace edl::workflow {
namespace {

namespace fs = std::filesystem;

std::string entry(const fs::path &p, const fs::path &root) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  const auto time = fs::last_write_time(p, ec).time_since_epoch().count();
  return fs::relative(p, root, ec).string() + "|" + std::to_string(ec ? 0 : size) + "|" + std::to_string(time) + "\n";
}

}  // namespace

std::string data_fingerprint(const std::string &path) {
  std::error_code ec;
  if (path.empty() || !fs::exists(path, ec)) return content_hash("missing:" + path);
  if (!fs::is_directory(path, ec)) return content_hash(entry(path, fs::path(path).parent_path()));
  std::vector<std::string> entries;
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec)) entries.push_back(entry(it->path(), path));
  std::sort(entries.begin(), entries.end());  // directory order is not stable
  std::string all;
  for (const std::string &e : entries) all += e;
  return content_hash(all);
}

std::map<std::string, std::string> task_identities(const Plan &plan) {
  std::map<std::string, std::string> ids;
  for (const Task &t : plan.tasks) {  // topological order: dependencies first
    std::string material = "semantics " + std::to_string(kSemanticsVersion) + "|" + t.hash;
    if (t.kind == TaskKind::Load && t.dataset) material += "|data:" + data_fingerprint(t.dataset->path);
    // Boxes and masks live beside the images: an edited annotation file
    // (coco) or folder (voc, mask_folder) is other data too.
    if (t.kind == TaskKind::Load && t.dataset && (spec::has_boxes(t.dataset->source) || spec::has_masks(t.dataset->source)))
      material += "|annotations:" + data_fingerprint(t.dataset->annotations);
    // A re-imported or retrained weights file starts the job from other weights.
    if (t.train && !t.train->model.pretrained.empty())
      material += "|pretrained:" + data_fingerprint(t.train->model.pretrained);
    for (const std::string &dep : t.deps) material += "|" + ids[dep];
    ids[t.id] = content_hash(material);
  }
  return ids;
}

}  // namespace edl::workflow
