#include "compiler/lower/torch/ModelSpec.h"

#include "compiler/sema/CallArguments.h"
#include "compiler/sema/ProjectSettings.h"

#include <cmath>

namespace edl::lower {
namespace {

std::vector<int> integers(const CheckedProject &project, const ast::Expr *e, const SpaceValues &space) {
  std::vector<int> out;
  if (!e) return out;
  if (const auto *l = e->as<ast::List>()) {
    for (const auto &item : l->items)
      if (auto v = resolve_number(project, *item, space)) out.push_back(static_cast<int>(std::lround(*v)));
  } else if (auto v = resolve_number(project, *e, space)) {
    out.push_back(static_cast<int>(std::lround(*v)));
  }
  return out;
}

}  // namespace

ModelSpec model_spec(const CheckedProject &project, const ast::Decl &model, const SourceManager &sm,
                     const SpaceValues &space) {
  ModelSpec spec;
  spec.name = model.name;
  auto number = [&](const ast::Expr *e, double fallback) {
    auto v = e ? resolve_number(project, *e, space) : std::nullopt;
    return v ? *v : fallback;
  };
  if (const ast::Property *bp = ast::find_property(model.properties, "backbone"))
    if (const auto *call = bp->value->as<ast::Call>()) {
      spec.backbone = call->callee;
      spec.backbone_range = call->range;
      spec.hidden = integers(project, call_argument(*call, "hidden"), space);
      spec.channels = integers(project, call_argument(*call, "channels"), space);
      spec.kernel = static_cast<int>(number(call_argument(*call, "kernel"), 3));
      spec.width = number(call_argument(*call, "width"), 1.0);
      if (const ast::Expr *w = call_argument(*call, "pretrained"))
        if (const auto *l = w->as<ast::Literal>(); l && l->literal == ast::LiteralKind::String) {
          spec.pretrained = resolve_path(sm, w->range, l->text);
          spec.pretrained_range = w->range;
        }
      if (const ast::Expr *f = call_argument(*call, "freeze"))
        if (const auto *l = f->as<ast::Literal>(); l && l->literal == ast::LiteralKind::String) {
          spec.freeze = l->text;
          spec.freeze_range = f->range;
        }
    }
  spec.head_range = model.name_range;
  if (const ast::Property *hp = ast::find_property(model.properties, "head"))
    if (const auto *call = hp->value->as<ast::Call>()) {
      spec.head = call->callee;
      spec.head_range = call->range;
      spec.head_hidden = integers(project, call_argument(*call, "hidden"), space);
      spec.dropout = number(call_argument(*call, "dropout"), 0);
    }
  return spec;
}

}  // namespace edl::lower
