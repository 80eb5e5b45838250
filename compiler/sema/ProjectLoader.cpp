#include "compiler/sema/ProjectLoader.h"

#include <filesystem>
#include <map>

namespace edl {
namespace {

namespace fs = std::filesystem;

std::string canonical(const fs::path &p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return (ec ? p.lexically_normal() : c).string();
}

class Loader {
 public:
  Loader(SourceManager &sm, DiagnosticEngine &diags, LoadedProject &out) : sm_(sm), diags_(diags), out_(out) {}

  // Loads one file and its imports depth-first; `stack` is the chain of
  // files being loaded, for cycle reports.
  void load(FileId id, const std::string &key) {
    std::size_t index = out_.files.size();
    loaded_[key] = index;
    stack_.push_back({key, id});
    ParseResult parsed = parse_file(id, sm_, diags_);
    const bool recovered = !parsed.file && parsed.partial;
    out_.files.push_back({id, recovered ? std::move(parsed.partial) : std::move(parsed.file), std::move(parsed.comments),
                          recovered});
    if (!out_.files[index].ast || recovered) out_.complete = false;
    if (out_.files[index].ast) {
      std::vector<ast::Import> imports = out_.files[index].ast->imports;
      fs::path dir = fs::path(sm_.path(id)).parent_path();
      for (const ast::Import &imp : imports) follow(imp, dir);
    }
    stack_.pop_back();
  }

 private:
  void follow(const ast::Import &imp, const fs::path &dir) {
    std::string path = (dir / imp.path).lexically_normal().string();
    std::string key = canonical(path);
    for (std::size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i].first != key) continue;
      std::string chain;
      for (std::size_t k = i; k < stack_.size(); ++k) chain += display(stack_[k].second) + " -> ";
      chain += display(stack_[i].second);
      diags_.report(DiagId::ImportCycle, imp.path_range, {chain});
      out_.complete = false;
      return;
    }
    if (loaded_.count(key)) return;  // each file once
    ReadFailure why;
    std::optional<FileId> id = sm_.load(path, &why);
    if (!id) {
      diags_.report(DiagId::ImportNotFound, imp.path_range, {imp.path}).note(read_failure_note(why));
      out_.complete = false;
      return;
    }
    load(*id, key);
  }

  std::string display(FileId id) const { return fs::path(sm_.path(id)).filename().string(); }

  SourceManager &sm_;
  DiagnosticEngine &diags_;
  LoadedProject &out_;
  std::map<std::string, std::size_t> loaded_;
  std::vector<std::pair<std::string, FileId>> stack_;
};

}  // namespace

NoteId read_failure_note(ReadFailure why) {
  switch (why) {
    case ReadFailure::Missing: return NoteId::FileMissing;
    case ReadFailure::NotRegular: return NoteId::FileNotRegular;
    case ReadFailure::TooLarge: return NoteId::FileTooLarge;
    case ReadFailure::None:
    case ReadFailure::Unreadable: break;
  }
  return NoteId::FileUnreadable;
}

LoadedProject load_project(const std::string &root_path, SourceManager &sm, DiagnosticEngine &diags,
                           const std::optional<std::string> &root_text) {
  LoadedProject out;
  out.complete = true;
  std::optional<FileId> root;
  ReadFailure why = ReadFailure::None;
  if (root_text) root = sm.add(root_path, *root_text);
  else root = sm.load(root_path, &why);
  if (!root) {
    diags.report(DiagId::FileNotFound, {}, {root_path}).note(read_failure_note(why));
    out.complete = false;
    return out;
  }
  Loader(sm, diags, out).load(*root, canonical(root_path));
  return out;
}

}  // namespace edl
