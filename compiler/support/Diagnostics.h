// Diagnostics are collected values, never exceptions: every stage reports
// into a DiagnosticEngine and keeps going, so one run shows every
// independent mistake. Text comes only from DiagnosticKinds.def.
#pragma once

#include "compiler/support/SourceRange.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace edl {

enum class Severity { Error, Warning, Note };

enum class DiagId {
#define DIAG(Name, Code, Severity, Message) Name,
#include "compiler/support/DiagnosticKinds.def"
  kCount
};

enum class NoteId {
#define NOTE(Name, Message) Name,
#include "compiler/support/DiagnosticKinds.def"
  kCount
};

struct Label {
  SourceRange range;
  std::string message;
};

struct Diagnostic {
  DiagId id;
  Severity severity;
  std::string code;
  std::string message;
  SourceRange range;
  std::vector<Label> labels;   // secondary spans
  std::vector<std::string> notes;
  std::optional<std::string> help;
};

struct DiagnosticInfo {
  const char *name;
  const char *code;
  Severity severity;
  const char *message;
};

const DiagnosticInfo &diagnostic_info(DiagId id);
std::optional<DiagId> diagnostic_by_code(const std::string &code);
std::vector<DiagId> all_diagnostics();
// Fills {0}, {1}, ... in a catalogue message; `{{` stands for a literal brace.
std::string format_message(const char *pattern, const std::vector<std::string> &args);
std::string note_text(NoteId id, const std::vector<std::string> &args = {});

class DiagnosticEngine;

// Returned by DiagnosticEngine::report; adds details to the diagnostic it made.
class DiagnosticBuilder {
 public:
  DiagnosticBuilder(Diagnostic *d) : d_(d) {}
  DiagnosticBuilder &label(SourceRange r, NoteId id, std::vector<std::string> args = {});
  DiagnosticBuilder &note(NoteId id, std::vector<std::string> args = {});
  DiagnosticBuilder &help(NoteId id, std::vector<std::string> args = {});
  // A "did you mean" help when a candidate is close enough.
  DiagnosticBuilder &suggest(const std::string &word, const std::vector<std::string> &candidates);
  // The same, or when nothing is close, a note listing every candidate.
  DiagnosticBuilder &suggest_or_list(const std::string &word, const std::vector<std::string> &candidates);

 private:
  Diagnostic *d_;  // null once the engine's limit is reached
};

class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(std::size_t error_limit = 100) : error_limit_(error_limit) {}

  DiagnosticBuilder report(DiagId id, SourceRange range, std::vector<std::string> args = {});

  const std::vector<Diagnostic> &diagnostics() const { return diagnostics_; }
  std::size_t error_count() const { return errors_; }
  std::size_t warning_count() const { return warnings_; }
  bool has_errors() const { return errors_ > 0; }
  bool limit_reached() const { return errors_ >= error_limit_; }
  // Stable order for output: by file, position, then report order.
  void sort();

 private:
  std::vector<Diagnostic> diagnostics_;
  std::size_t errors_ = 0, warnings_ = 0, error_limit_;
};

}  // namespace edl
