#include "compiler/lower/torch/ModelSpec.h"

#include "compiler/sema/ProjectSettings.h"
#include "stdlib/Catalogue.h"

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

// An argument by name or by its position in the catalogue's signature.
const ast::Expr *argument(const ast::Call &call, const std::string &name) {
  std::size_t position = static_cast<std::size_t>(-1);
  if (const stdlib::Function *f = stdlib::catalogue().find_any(call.callee))
    for (std::size_t i = 0; i < f->params.size(); ++i)
      if (f->params[i].name == name) position = i;
  return ast::find_argument(call, name, position);
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
      spec.hidden = integers(project, argument(*call, "hidden"), space);
      spec.channels = integers(project, argument(*call, "channels"), space);
      spec.kernel = static_cast<int>(number(argument(*call, "kernel"), 3));
      spec.width = number(argument(*call, "width"), 1.0);
      if (const ast::Expr *w = argument(*call, "pretrained"))
        if (const auto *l = w->as<ast::Literal>(); l && l->literal == ast::LiteralKind::String) {
          spec.pretrained = resolve_path(sm, w->range, l->text);
          spec.pretrained_range = w->range;
        }
      if (const ast::Expr *f = argument(*call, "freeze"))
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
      spec.head_hidden = integers(project, argument(*call, "hidden"), space);
      spec.dropout = number(argument(*call, "dropout"), 0);
    }
  return spec;
}

}  // namespace edl::lower
