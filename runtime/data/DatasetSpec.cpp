#include "runtime/data/DatasetSpec.h"

#include "compiler/sema/ProjectSettings.h"

#include <filesystem>

namespace edl::data {
namespace {

namespace fs = std::filesystem;

std::string text_of(const ast::Expr *e) {
  const auto *l = e ? e->as<ast::Literal>() : nullptr;
  return l ? l->text : "";
}

double number_of(const ast::Expr *e, double fallback) {
  auto n = e ? const_number(*e) : std::nullopt;
  return n ? n->value : fallback;
}

}  // namespace

DatasetSpec dataset_spec(const CheckedProject &project, const ast::Decl &d, const SourceManager &sm) {
  DatasetSpec spec;
  spec.name = d.name;
  if (const ast::Property *src = ast::find_property(d.properties, "source"))
    if (const auto *call = src->value->as<ast::Call>()) {
      const std::string &f = call->callee;
      spec.source = f == "csv" ? SourceKind::Csv
                    : f == "audio_folder" ? SourceKind::AudioFolder
                    : f == "coco" ? SourceKind::Coco
                    : f == "mask_folder" ? SourceKind::MaskFolder
                                         : SourceKind::ImageFolder;
      // The folder of images: `path`, or `images` for coco (second) and mask_folder (first).
      const ast::Expr *path = spec.source == SourceKind::Coco         ? ast::find_argument(*call, "images", 1)
                              : spec.source == SourceKind::MaskFolder ? ast::find_argument(*call, "images", 0)
                                                                      : ast::find_argument(*call, "path", 0);
      spec.path = resolve_path(sm, src->value->range, text_of(path));
      spec.text_column = text_of(ast::find_argument(*call, "text", 1));
      spec.label_column = text_of(ast::find_argument(*call, "label", 2));
    }
  if (const ast::Property *split = ast::find_property(d.properties, "split"))
    if (const auto *r = split->value->as<ast::Record>()) {
      auto share = [&](const char *key) {
        const ast::Property *f = ast::find_property(r->fields, key);
        return number_of(f ? f->value.get() : nullptr, 0);
      };
      spec.train = share("train");
      spec.val = share("val");
      spec.test = share("test");
    }
  if (const ast::Property *s = ast::find_property(d.properties, "stratify"))
    if (const auto *l = s->value->as<ast::Literal>()) spec.stratify = l->boolean;
  if (const ast::Property *img = ast::find_property(d.properties, "image"))
    if (const auto *r = img->value->as<ast::Record>()) {
      if (const ast::Property *size = ast::find_property(r->fields, "size"))
        if (const auto *l = size->value->as<ast::Literal>()) {
          spec.width = static_cast<int>(l->int_value);
          spec.height = static_cast<int>(l->height);
        }
      if (const ast::Property *ch = ast::find_property(r->fields, "channels"))
        spec.channels = static_cast<int>(number_of(ch->value.get(), 3));
      if (const ast::Property *mp = ast::find_property(r->fields, "max_pixels"))
        spec.max_pixels = static_cast<std::uint64_t>(number_of(mp->value.get(), kDefaultMaxPixels));
      if (const ast::Property *norm = ast::find_property(r->fields, "normalize")) {
        if (const auto *l = norm->value->as<ast::Literal>()) spec.normalize = l->boolean;
        if (const auto *rec = norm->value->as<ast::Record>()) {
          auto numbers = [&](const char *key) {
            std::vector<double> out;
            if (const ast::Property *f = ast::find_property(rec->fields, key))
              if (const auto *list = f->value->as<ast::List>())
                for (const auto &item : list->items) out.push_back(number_of(item.get(), 0));
            return out;
          };
          spec.mean = numbers("mean");
          spec.std = numbers("std");
        }
      }
    }
  if (const ast::Property *audio = ast::find_property(d.properties, "audio"))
    if (const auto *r = audio->value->as<ast::Record>()) {
      if (const ast::Property *rate = ast::find_property(r->fields, "sample_rate"))
        spec.sample_rate = static_cast<int>(number_of(rate->value.get(), 16000));
      if (const ast::Property *dur = ast::find_property(r->fields, "duration"))
        if (const auto *l = dur->value->as<ast::Literal>()) spec.duration = l->number;
    }
  if (const ast::Property *classes = ast::find_property(d.properties, "classes"))
    if (const auto *l = classes->value->as<ast::List>())
      for (const auto &item : l->items) spec.classes.push_back(text_of(item.get()));
  if (const ast::Property *on_error = ast::find_property(d.properties, "on_error"))
    if (const auto *n = on_error->value->as<ast::Name>()) spec.fail_on_error = n->name == "fail";

  ProjectSettings settings = project_settings(project, sm);
  spec.seed = settings.seed;
  spec.cache_dir = (fs::path(settings.store).parent_path() / "cache").string();
  return spec;
}

bool report_missing_folder(const ast::Decl &dataset, const DatasetSpec &spec, DiagnosticEngine &diags) {
  std::error_code ec;
  if (spec.path.empty() || fs::is_directory(spec.path, ec)) return false;
  SourceRange at = dataset.name_range;
  std::string written = spec.path;
  if (const ast::Property *src = ast::find_property(dataset.properties, "source"))
    if (const auto *call = src->value->as<ast::Call>()) {
      const ast::Expr *path = spec.source == SourceKind::MaskFolder ? ast::find_argument(*call, "images", 0)
                                                                    : ast::find_argument(*call, "path", 0);
      at = path ? path->range : call->range;
      if (const auto *l = path ? path->as<ast::Literal>() : nullptr) written = l->text;
    }
  std::vector<std::string> siblings;
  const fs::path parent = fs::path(spec.path).parent_path();
  for (const auto &e : fs::directory_iterator(parent, ec))
    if (e.is_directory(ec)) siblings.push_back(e.path().filename().string());
  diags.report(DiagId::DataFolderMissing, at, {written})
      .suggest(fs::path(spec.path).filename().string(), siblings);
  return true;
}

}  // namespace edl::data
