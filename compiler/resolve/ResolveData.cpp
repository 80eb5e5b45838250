// Dataset and deploy blocks resolved: absolute paths, shares, image and
// audio settings, targets with their defaults filled.
#include "compiler/resolve/Resolver.h"

#include "compiler/sema/ProjectSettings.h"

#include <filesystem>

namespace edl::resolve {
namespace {

namespace fs = std::filesystem;
using stdlib::Category;

std::string text_of(const ast::Expr *e) {
  const auto *l = e ? e->as<ast::Literal>() : nullptr;
  return l ? l->text : "";
}

double number_of(const ast::Expr *e, double fallback) {
  auto n = e ? const_number(*e) : std::nullopt;
  return n ? n->value : fallback;
}

}  // namespace

spec::Dataset Resolver::dataset(const ast::Decl &d, const spec::Project &p) const {
  using spec::SourceKind;
  spec::Dataset s;
  s.name = d.name;
  s.path_range = d.name_range;
  if (const ast::Expr *src = property_value(d.properties, "source"))
    if (const auto *call = src->as<ast::Call>()) {
      const std::string &f = call->callee;
      s.source = f == "csv"            ? SourceKind::Csv
                 : f == "audio_folder" ? SourceKind::AudioFolder
                 : f == "coco"         ? SourceKind::Coco
                 : f == "voc"          ? SourceKind::Voc
                 : f == "mask_folder"  ? SourceKind::MaskFolder
                                       : SourceKind::ImageFolder;
      // What the loaders read: the folder of images for coco, voc and mask_folder.
      bool images = has_boxes(s.source) || s.source == SourceKind::MaskFolder;
      const ast::Expr *path = argument(*call, Category::Source, images ? "images" : "path");
      s.path_as_written = text_of(path);
      s.path = resolve_path(sm_, src->range, s.path_as_written);
      s.path_range = path ? path->range : call->range;
      if (has_boxes(s.source) || has_masks(s.source)) {
        const ast::Expr *annotations = argument(*call, Category::Source, has_masks(s.source) ? "masks" : "annotations");
        s.annotations_as_written = text_of(annotations);
        s.annotations = resolve_path(sm_, src->range, s.annotations_as_written);
        s.annotations_range = annotations ? annotations->range : call->range;
      }
      if (has_masks(s.source))
        s.ignore_index = static_cast<int>(number_arg(*call, Category::Source, "ignore_index", true).value);
      if (s.source == SourceKind::Csv) {
        s.text_column = text_of(argument(*call, Category::Source, "text"));
        s.label_column = text_of(argument(*call, Category::Source, "label"));
      }
    }
  // No split: the catalogue's; written shares must sum to 1 (E0502).
  const stdlib::DefaultValue &split_default = default_record(property(ast::DeclKind::Dataset, "split"));
  s.train = split_default.field("train", 0);
  s.val = split_default.field("val", 0);
  s.test = split_default.field("test", 0);
  if (const ast::Expr *split = property_value(d.properties, "split"))
    if (const auto *r = split->as<ast::Record>()) {
      s.train = number_of(property_value(r->fields, "train"), 0);
      s.val = number_of(property_value(r->fields, "val"), 0);
      s.test = number_of(property_value(r->fields, "test"), 0);
      if (const ast::Expr *g = property_value(r->fields, "group"))
        if (const auto *l = g->as<ast::Literal>(); l && l->literal == ast::LiteralKind::String) s.split_group = l->text;
    }
  s.stratify = default_bool(property(ast::DeclKind::Dataset, "stratify"));
  if (const ast::Expr *e = property_value(d.properties, "stratify"))
    if (const auto *l = e->as<ast::Literal>()) s.stratify = l->boolean;

  const stdlib::Field &image = property(ast::DeclKind::Dataset, "image");
  s.channels = static_cast<int>(default_number(field(image, "channels")));
  s.max_pixels = static_cast<std::uint64_t>(default_number(field(image, "max_pixels")));
  s.normalize = default_bool(field(image, "normalize"));
  if (const ast::Expr *img = property_value(d.properties, "image"))
    if (const auto *r = img->as<ast::Record>()) {
      if (const ast::Expr *size = property_value(r->fields, "size"))
        if (const auto *l = size->as<ast::Literal>()) {
          s.width = static_cast<int>(l->int_value);
          s.height = static_cast<int>(l->height);
        }
      s.channels = static_cast<int>(number_of(property_value(r->fields, "channels"), s.channels));
      s.max_pixels = static_cast<std::uint64_t>(number_of(property_value(r->fields, "max_pixels"),
                                                          static_cast<double>(s.max_pixels)));
      if (const ast::Expr *norm = property_value(r->fields, "normalize")) {
        if (const auto *l = norm->as<ast::Literal>()) s.normalize = l->boolean;
        if (const auto *rec = norm->as<ast::Record>()) {
          auto numbers = [&](const char *key) {
            std::vector<double> out;
            if (const auto *list = property_value(rec->fields, key) ? property_value(rec->fields, key)->as<ast::List>()
                                                                     : nullptr)
              for (const auto &item : list->items) out.push_back(number_of(item.get(), 0));
            return out;
          };
          s.mean = numbers("mean");
          s.std = numbers("std");
        }
      }
    }
  const stdlib::Field &audio = property(ast::DeclKind::Dataset, "audio");
  s.sample_rate = static_cast<int>(default_number(field(audio, "sample_rate")));
  s.duration = default_number(field(audio, "duration"));
  if (const ast::Expr *a = property_value(d.properties, "audio"))
    if (const auto *r = a->as<ast::Record>()) {
      s.sample_rate = static_cast<int>(number_of(property_value(r->fields, "sample_rate"), s.sample_rate));
      if (const ast::Expr *dur = property_value(r->fields, "duration"))
        if (const auto *l = dur->as<ast::Literal>()) s.duration = l->number;
    }
  {
    // The features' options as written, else the catalogue's defaults.
    const ast::Call *features = nullptr;
    if (const ast::Expr *a = property_value(d.properties, "audio"))
      if (const auto *r = a->as<ast::Record>())
        if (const ast::Expr *f = property_value(r->fields, "features")) features = f->as<ast::Call>();
    const stdlib::Function *f = stdlib::catalogue().find(Category::Features, features ? features->callee : "log_mel");
    for (const stdlib::Field &p : f ? f->params : std::vector<stdlib::Field>{}) {
      const ast::Expr *written = features ? argument(*features, Category::Features, p.name) : nullptr;
      const int value = static_cast<int>(number_of(written, default_number(p)));
      if (p.name == "n_mels") s.log_mel.n_mels = value;
      if (p.name == "n_fft") s.log_mel.n_fft = value;
      if (p.name == "hop") s.log_mel.hop = value;
      if (p.name == "n_mfcc") s.log_mel.n_mfcc = value;
    }
  }
  {
    const ast::Call *call = nullptr;  // the tokenizer as written, if it is a call
    if (const ast::Expr *t = property_value(d.properties, "text"))
      if (const auto *r = t->as<ast::Record>()) {
        s.text.max_len = static_cast<int>(number_of(property_value(r->fields, "max_len"), s.text.max_len));
        if (const ast::Expr *tok = property_value(r->fields, "tokenizer")) {
          call = tok->as<ast::Call>();
          const auto *name = tok->as<ast::Name>();
          s.text.tokenizer = call ? call->callee : name ? name->name : s.text.tokenizer;
        }
      }
    // The tokenizer's options as written, else the catalogue's defaults for it.
    const stdlib::Function *f = stdlib::catalogue().find(Category::Tokenizer, s.text.tokenizer);
    for (const stdlib::Field &p : f ? f->params : std::vector<stdlib::Field>{}) {
      const ast::Expr *written = call ? argument(*call, Category::Tokenizer, p.name) : nullptr;
      if (p.name == "lowercase") {
        s.text.lowercase = default_bool(p);
        if (const auto *l = written ? written->as<ast::Literal>() : nullptr) s.text.lowercase = l->boolean;
      } else if (p.name == "min_count") {
        s.text.min_count = static_cast<int>(number_of(written, default_number(p)));
      } else if (p.name == "max_vocab" || p.name == "vocab") {
        s.text.max_vocab = static_cast<int>(number_of(written, default_number(p)));
      }
    }
  }
  if (const ast::Expr *classes = property_value(d.properties, "classes"))
    if (const auto *l = classes->as<ast::List>())
      for (const auto &item : l->items) s.classes.push_back(text_of(item.get()));
  std::string on_error = default_name(property(ast::DeclKind::Dataset, "on_error"));
  if (const ast::Expr *e = property_value(d.properties, "on_error"))
    if (const auto *n = e->as<ast::Name>()) on_error = n->name;
  s.fail_on_error = on_error == "fail";
  s.seed = p.seed;
  s.cache_dir = (fs::path(p.store).parent_path() / "cache").string();
  return s;
}

spec::Deploy Resolver::deploy(const ast::Decl &d, const spec::Project &p) const {
  spec::Deploy s;
  s.name = d.name;
  if (const ast::Expr *from = property_value(d.properties, "from"))
    if (const auto *n = from->as<ast::Name>()) s.from = n->name;
  if (const ast::Expr *targets = property_value(d.properties, "targets"))
    if (const auto *list = targets->as<ast::List>())
      for (const auto &item : list->items)
        if (const auto *call = item->as<ast::Call>()) {
          spec::Target t{call->callee, nlohmann::json::object()};
          const stdlib::Function *f = stdlib::catalogue().find(Category::Target, call->callee);
          for (const stdlib::Field &param : f ? f->params : std::vector<stdlib::Field>{}) {
            const ast::Expr *e = argument(*call, Category::Target, param.name);
            const stdlib::DefaultValue &dv = param.default_value;
            if (const auto *l = e ? e->as<ast::Literal>() : nullptr) {
              if (l->literal == ast::LiteralKind::String) t.options[param.name] = l->text;
              else if (l->literal == ast::LiteralKind::Bool) t.options[param.name] = l->boolean;
              else if (auto n = const_number(*e)) t.options[param.name] = n->value;
            } else if (const auto *n = e ? e->as<ast::Name>() : nullptr) {
              t.options[param.name] = n->name;
            } else if (!e && dv.kind == stdlib::DefaultValue::Number) {
              t.options[param.name] = dv.number;
            } else if (!e && (dv.kind == stdlib::DefaultValue::String ||
                                  (dv.kind == stdlib::DefaultValue::Name && dv.text != "none"))) {
              t.options[param.name] = dv.text;
            }
          }
          s.targets.push_back(std::move(t));
        }
  if (const ast::Expr *pkg = property_value(d.properties, "package"); pkg && pkg->as<ast::Literal>())
    s.package = resolve_path(sm_, pkg->range, pkg->as<ast::Literal>()->text);
  else
    s.package = (fs::path(p.main_file).parent_path() / "dist" / (d.name + ".tar.gz")).lexically_normal().string();
  return s;
}

}  // namespace edl::resolve
