// Loads a project: the root file and, transitively, its imports (relative
// to the importing file, each file once, cycles reported with the chain).
#pragma once

#include "compiler/parse/FrontEnd.h"

#include <optional>
#include <string>
#include <vector>

namespace edl {

struct SourceFile {
  FileId id = kNoFile;
  // With syntax errors, the partial tree recovery built (`recovered`): the
  // project is then incomplete, so it is checked only for editors' sake and
  // never planned or run. Absent when no tree could be built at all.
  std::optional<ast::File> ast;
  std::vector<Comment> comments;
  bool recovered = false;
};

struct LoadedProject {
  std::vector<SourceFile> files;  // the root first
  bool complete = false;          // every file read and parsed without error
};

// The note that says why a file could not be read.
NoteId read_failure_note(ReadFailure why);

// `root_text`, when given, is used instead of reading `root_path` (editors
// check unsaved buffers this way).
LoadedProject load_project(const std::string &root_path, SourceManager &sm, DiagnosticEngine &diags,
                           const std::optional<std::string> &root_text = std::nullopt);

}  // namespace edl
