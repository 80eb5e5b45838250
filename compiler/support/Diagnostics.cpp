#include "compiler/support/Diagnostics.h"

#include "compiler/support/EditDistance.h"

#include <algorithm>

namespace edl {
namespace {

constexpr DiagnosticInfo kInfos[] = {
#define DIAG(Name, Code, Sev, Message) {#Name, Code, Severity::Sev, Message},
#include "compiler/support/DiagnosticKinds.def"
};

constexpr const char *kNotes[] = {
#define NOTE(Name, Message) Message,
#include "compiler/support/DiagnosticKinds.def"
};

}  // namespace

const DiagnosticInfo &diagnostic_info(DiagId id) { return kInfos[static_cast<int>(id)]; }

std::optional<DiagId> diagnostic_by_code(const std::string &code) {
  for (int i = 0; i < static_cast<int>(DiagId::kCount); ++i)
    if (code == kInfos[i].code) return static_cast<DiagId>(i);
  return std::nullopt;
}

std::vector<DiagId> all_diagnostics() {
  std::vector<DiagId> ids;
  for (int i = 0; i < static_cast<int>(DiagId::kCount); ++i) ids.push_back(static_cast<DiagId>(i));
  return ids;
}

std::string format_message(const char *pattern, const std::vector<std::string> &args) {
  std::string out;
  for (const char *p = pattern; *p; ++p) {
    if (p[0] == '{' && p[1] == '{') {
      out += '{';
      ++p;
    } else if (p[0] == '}' && p[1] == '}') {
      out += '}';
      ++p;
    } else if (p[0] == '{' && p[1] >= '0' && p[1] <= '9' && p[2] == '}') {
      std::size_t i = static_cast<std::size_t>(p[1] - '0');
      if (i < args.size()) out += args[i];
      p += 2;
    } else {
      out += *p;
    }
  }
  return out;
}

std::string note_text(NoteId id, const std::vector<std::string> &args) {
  return format_message(kNotes[static_cast<int>(id)], args);
}

DiagnosticBuilder &DiagnosticBuilder::label(SourceRange r, NoteId id, std::vector<std::string> args) {
  if (d_) d_->labels.push_back({r, note_text(id, args)});
  return *this;
}

DiagnosticBuilder &DiagnosticBuilder::note(NoteId id, std::vector<std::string> args) {
  if (d_) d_->notes.push_back(note_text(id, args));
  return *this;
}

DiagnosticBuilder &DiagnosticBuilder::help(NoteId id, std::vector<std::string> args) {
  if (d_) d_->help = note_text(id, args);
  return *this;
}

DiagnosticBuilder &DiagnosticBuilder::suggest(const std::string &word,
                                              const std::vector<std::string> &candidates) {
  if (auto best = closest_match(word, candidates)) help(NoteId::DidYouMean, {*best});
  return *this;
}

DiagnosticBuilder &DiagnosticBuilder::suggest_or_list(const std::string &word,
                                                      const std::vector<std::string> &candidates) {
  if (auto best = closest_match(word, candidates)) return help(NoteId::DidYouMean, {*best});
  std::string all;
  for (const std::string &c : candidates) all += (all.empty() ? "" : ", ") + c;
  return note(NoteId::AvailableNames, {all});
}

DiagnosticBuilder DiagnosticEngine::report(DiagId id, SourceRange range, std::vector<std::string> args) {
  const DiagnosticInfo &info = diagnostic_info(id);
  if (info.severity == Severity::Error) {
    if (limit_reached()) return DiagnosticBuilder(nullptr);
    ++errors_;
  } else if (info.severity == Severity::Warning) {
    ++warnings_;
  }
  diagnostics_.push_back({id, info.severity, info.code, format_message(info.message, args), range, {}, {}, {}});
  return DiagnosticBuilder(&diagnostics_.back());
}

void DiagnosticEngine::sort() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic &a, const Diagnostic &b) {
    if (a.range.file != b.range.file) return a.range.file < b.range.file;
    return a.range.begin < b.range.begin;
  });
}

}  // namespace edl
