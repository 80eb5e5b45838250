#include "compiler/sema/ProjectSettings.h"

#include <filesystem>

namespace edl {
namespace {

double number_of(const ast::Property *p, double fallback) {
  auto n = p ? const_number(*p->value) : std::nullopt;
  return n ? n->value : fallback;
}

}  // namespace

std::string resolve_path(const SourceManager &sm, SourceRange where, const std::string &path) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(sm.path(where.file)).parent_path() / p;
  // An empty path (an empty string in a file held in memory) is the current
  // folder; std::filesystem::absolute throws on it.
  if (p.empty()) p = ".";
  return std::filesystem::absolute(p).lexically_normal().string();
}

ProjectSettings project_settings(const CheckedProject &project, const SourceManager &sm) {
  ProjectSettings s;
  std::string store = ".edl/store.db";
  SourceRange store_at;
  if (const ast::Decl *p = project.project) {
    s.name = p->name;
    store_at = p->range;
    const auto &props = p->properties;
    s.seed = static_cast<std::uint64_t>(number_of(ast::find_property(props, "seed"), 0));
    s.threads = static_cast<int>(number_of(ast::find_property(props, "threads"), 0));
    if (const ast::Property *st = ast::find_property(props, "store"))
      if (const auto *l = st->value->as<ast::Literal>()) {
        store = l->text;
        store_at = st->value->range;
      }
    if (const ast::Property *wf = ast::find_property(props, "workflow"))
      if (const auto *r = wf->value->as<ast::Record>()) {
        s.workflow_parallel = static_cast<int>(number_of(ast::find_property(r->fields, "parallel"), 0));
        s.retries = static_cast<int>(number_of(ast::find_property(r->fields, "retries"), 0));
        if (const ast::Property *b = ast::find_property(r->fields, "backoff"))
          if (const auto *l = b->value->as<ast::Literal>()) s.backoff = l->number;
      }
  }
  s.store = store_at.file == kNoFile ? std::filesystem::absolute(store).lexically_normal().string()
                                     : resolve_path(sm, store_at, store);
  return s;
}

}  // namespace edl
