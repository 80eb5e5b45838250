#include "compiler/lower/halide/CheckAugments.h"

#include "compiler/lower/halide/AugmentProgram.h"

#include <set>

namespace edl::lower {
namespace {

// The image size and channels a dataset declares, or none for non-image data.
bool image_shape(const ast::Decl &dataset, int &w, int &h, int &channels) {
  const ast::Property *src = ast::find_property(dataset.properties, "source");
  const auto *call = src ? src->value->as<ast::Call>() : nullptr;
  if (!call || (call->callee != "image_folder" && call->callee != "coco" && call->callee != "mask_folder")) return false;
  w = h = 32;  // any size serves when the dataset does not fix one
  channels = 3;
  if (const ast::Property *img = ast::find_property(dataset.properties, "image"))
    if (const auto *r = img->value->as<ast::Record>()) {
      if (const ast::Property *size = ast::find_property(r->fields, "size"))
        if (const auto *l = size->value->as<ast::Literal>()) w = static_cast<int>(l->int_value), h = static_cast<int>(l->height);
      if (const ast::Property *ch = ast::find_property(r->fields, "channels"))
        if (auto n = const_number(*ch->value)) channels = static_cast<int>(n->value);
    }
  return true;
}

}  // namespace

void check_augments(const CheckedProject &project, DiagnosticEngine &diags) {
  std::set<std::pair<const ast::Decl *, std::string>> reported;
  for (const TrainFacts &t : project.trains) {
    int w, h, channels;
    if (!t.augment || !t.dataset || !image_shape(*t.dataset, w, h, channels)) continue;
    std::vector<LoweringError> errors;
    build_program(project, *t.augment, w, h, channels, errors);
    for (const LoweringError &e : errors) {
      // One report per place, however many jobs use the block.
      if (!reported.insert({t.augment, std::to_string(e.range.begin) + e.message()}).second) continue;
      diags.report(e.id, e.range, e.args);
    }
  }
}

}  // namespace edl::lower
