#include "runtime/workflow/TaskIdentity.h"

#include "compiler/sema/ProjectSettings.h"
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

// The folder or file a dataset's source reads, resolved like the loaders do.
std::string source_path(const ast::Decl &dataset, const SourceManager &sm) {
  const ast::Property *source = ast::find_property(dataset.properties, "source");
  const auto *call = source ? source->value->as<ast::Call>() : nullptr;
  const ast::Expr *arg = call ? ast::find_argument(*call, "path", 0) : nullptr;
  const auto *lit = arg ? arg->as<ast::Literal>() : nullptr;
  if (!lit || lit->literal != ast::LiteralKind::String) return "";
  return resolve_path(sm, lit->range, lit->text);
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

std::map<std::string, std::string> task_identities(const Plan &plan, const CheckedProject &project,
                                                   const SourceManager &sm) {
  std::map<std::string, std::string> ids;
  for (const Task &t : plan.tasks) {  // topological order: dependencies first
    std::string material = "semantics " + std::to_string(kSemanticsVersion) + "|" + t.hash;
    if (t.kind == TaskKind::Load)
      if (const ast::Decl *d = project.find(ast::DeclKind::Dataset, t.block))
        material += "|data:" + data_fingerprint(source_path(*d, sm));
    for (const std::string &dep : t.deps) material += "|" + ids[dep];
    ids[t.id] = content_hash(material);
  }
  return ids;
}

}  // namespace edl::workflow
