#include "stdlib/Reference.h"

namespace edl::stdlib {
namespace {

std::string field_line(const Field &p) {
  std::string head = "  " + p.name + (p.required ? "" : " = " + (p.default_text.empty() ? "(unset)" : p.default_text));
  if (head.size() < 28) head += std::string(28 - head.size(), ' ');
  return head + " " + p.doc + (p.required ? " (required)" : "") + "; " + p.type->describe() +
         (p.not_yet.empty() ? "" : "; not supported by this version of edlc (E0901)") + "\n";
}

const Category kOrder[] = {Category::AugmentOp,  Category::Control,  Category::Policy,  Category::Source,
                           Category::Features,   Category::Tokenizer, Category::Backbone, Category::Neck,
                           Category::Head,       Category::Controller, Category::Loss,   Category::Optimizer,
                           Category::Schedule,   Category::Strategy, Category::Pruner,  Category::Objective,
                           Category::Distribution, Category::Compress, Category::Oracle, Category::Target};

std::string domains(unsigned d) {
  std::string out;
  for (auto [bit, name] : {std::pair{kImage, "image"}, {kAudio, "audio"}, {kText, "text"}, {kBatch, "batch"}})
    if (d & bit) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

// Marks what the language defines but this version does not run (E0901).
std::string not_yet_text(const std::string &what_runs) {
  if (what_runs.empty()) return "";
  return " **Not supported by this version of edlc** (E0901; supported: " + what_runs + ").";
}

// The record a value of type `t` may be written as, if any.
const Type *record_of(const Type &t) {
  if (t.kind == TypeKind::Record) return &t;
  if (t.kind == TypeKind::OneOf)
    for (const auto &alt : t.alternatives)
      if (alt->kind == TypeKind::Record) return alt.get();
  return nullptr;
}

std::string field_row(const Field &p, const std::string &prefix = "");

// A record's fields as rows under the row of the property holding it.
std::string record_rows(const Field &p) {
  const Type *r = record_of(*p.type);
  std::string out;
  if (r)
    for (const Field &f : r->fields) out += field_row(f, p.name + ".");
  return out;
}

std::string field_row(const Field &p, const std::string &prefix) {
  std::string meaning = p.doc;
  if (!p.not_yet.empty()) meaning += "." + not_yet_text(p.not_yet);
  if (!p.type->not_yet_values.empty()) {
    meaning += "; not supported by this version:";
    for (const std::string &v : p.type->not_yet_values) meaning += " `" + v + "`";
  }
  std::string default_text = p.required ? "required" : p.default_text.empty() ? "unset" : "`" + p.default_text + "`";
  return "| `" + prefix + p.name + "` | " + default_text + " | " + p.type->describe() + " | " + meaning + " |\n" +
         record_rows(p);
}

}  // namespace

std::string signature(const Function &f) {
  std::string out = f.name + "(";
  if (f.variadic) out += "v1, v2, ...";
  for (std::size_t i = 0; i < f.params.size(); ++i) {
    const Field &p = f.params[i];
    out += (i ? ", " : "") + p.name + (p.required ? "" : " = " + p.default_text);
  }
  return out + ")";
}

std::string describe(const Function &f) {
  std::string out = signature(f) + "\n  " + to_string(f.category) + ": " + f.doc;
  if (f.category == Category::AugmentOp) out += " (" + domains(f.domains) + ")";
  if (!f.task.empty()) out += " (task " + f.task + ")";
  out += "\n";
  if (!f.not_yet.empty()) out += "  not supported by this version of edlc (E0901); supported: " + f.not_yet + "\n";
  if (!f.params.empty()) out += "parameters:\n";
  for (const Field &p : f.params) out += field_line(p);
  return out;
}

std::string describe(const BlockSchema &b) {
  std::string out = std::string(ast::to_string(b.kind)) + " NAME { ... }\n  " + b.doc + "\n";
  if (!b.not_yet.empty()) out += "  not supported by this version of edlc (E0901); supported: " + b.not_yet + "\n";
  if (b.kind == ast::DeclKind::Space) return out + "  every property is a distribution: uniform loguniform int choice normal\n";
  out += "properties:\n";
  for (const Field &p : b.properties) out += field_line(p);
  return out;
}

std::vector<RecordEntry> record_entries() {
  const Catalogue &c = catalogue();
  std::vector<RecordEntry> out;
  for (const BlockSchema &b : c.blocks_)
    for (const Field &f : b.properties)
      if (const Type *r = record_of(*f.type)) out.push_back({ast::to_string(b.kind), &f, r});
  for (const Function &fn : c.all())
    for (const Field &f : fn.params)
      if (const Type *r = record_of(*f.type)) out.push_back({fn.name + "(...)", &f, r});
  return out;
}

std::string describe(const RecordEntry &r) {
  std::string out = r.field->name + " = { ... }\n  record, in " + r.owner + ": " + r.field->doc +
                    (r.field->default_text.empty() ? "" : " (default " + r.field->default_text + ")") + "\n";
  if (!r.field->not_yet.empty()) out += "  not supported by this version of edlc (E0901); supported: " + r.field->not_yet + "\n";
  out += "fields:\n";
  for (const Field &f : r.record->fields) out += field_line(f);
  return out;
}

std::string reference_markdown() {
  const Catalogue &c = catalogue();
  std::string out =
      "# EDL reference\n\n"
      "Generated from the compiler's catalogue by `edlc explain --reference`; a test keeps this file equal to\n"
      "that output. `edlc explain NAME` prints one entry. Parameters without a default are required; every\n"
      "augmentation op also takes `p`, the probability that it is applied.\n\n"
      "## Blocks\n";
  for (const BlockSchema &b : c.blocks_) {
    out += "\n### " + std::string(ast::to_string(b.kind)) + "\n\n" + b.doc + "." + not_yet_text(b.not_yet) + "\n\n";
    if (b.kind == ast::DeclKind::Space) {
      out += "Every property is a distribution (see Distributions).\n";
      continue;
    }
    out += "| property | default | type | meaning |\n|---|---|---|---|\n";
    for (const Field &p : b.properties) out += field_row(p);
  }
  for (Category cat : kOrder) {
    std::string title = plural(cat);
    title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
    out += "\n## " + title + "\n";
    for (const Function *f : c.functions(cat)) {
      out += "\n### `" + signature(*f) + "`\n\n" + f->doc;
      if (cat == Category::AugmentOp) out += " (" + domains(f->domains) + ")";
      if (!f->task.empty()) out += " (task " + f->task + ")";
      out += "." + not_yet_text(f->not_yet) + "\n";
      if (f->params.empty()) continue;
      out += "\n| parameter | default | type | meaning |\n|---|---|---|---|\n";
      for (const Field &p : f->params) out += field_row(p);
    }
  }
  out += "\n## Formula functions\n\nIn `op` bodies and `custom(...)` schedules.\n\n| function | arguments | meaning |\n|---|---|---|\n";
  for (const FormulaFunction &f : c.formula_functions())
    out += "| `" + f.name + "` | " + std::to_string(f.arity) + " | " + f.doc + " |\n";
  out += "\n## Metrics\n\nWritten `SPLIT.METRIC` with SPLIT one of";
  for (const std::string &s : c.metric_splits()) out += " `" + s + "`";
  out += "; METRIC one of";
  for (const std::string &m : c.metric_names()) out += " `" + m + "`";
  std::string not_yet;
  for (const std::string &m : c.metric_names())
    if (!c.metric_runs(m)) not_yet += " `" + m + "`";
  if (!not_yet.empty()) out += ". This version of edlc computes none of" + not_yet + " yet (E0901)";
  return out + ".\n";
}

}  // namespace edl::stdlib
