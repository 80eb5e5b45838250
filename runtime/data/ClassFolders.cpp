#include "runtime/data/Loaders.h"

#include "compiler/support/Hash.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

namespace edl::data {

namespace fs = std::filesystem;

bool read_bytes(const std::string &path, std::vector<std::uint8_t> &bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;  // a folder opens, but its "size" is no file's
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) return false;
  in.seekg(0);
  bytes.resize(static_cast<std::size_t>(size));
  return static_cast<bool>(in.read(reinterpret_cast<char *>(bytes.data()), size)) || size == 0;
}

void for_each_file(const DatasetSpec &spec, const ClassFiles &files, DataReport &report,
                   const std::function<bool(std::size_t, const std::string &, const std::vector<std::uint8_t> &,
                                            const std::string &)> &visit) {
  std::vector<std::uint8_t> bytes;
  for (std::size_t c = 0; c < files.classes.size(); ++c)
    for (const std::string &file : files.files[c]) {
      if (!read_bytes(file, bytes)) {
        if (!bad_sample(spec, report, file, "cannot read the file")) return;
        continue;
      }
      if (bytes.empty()) {
        if (!bad_sample(spec, report, file, "empty file")) return;
        continue;
      }
      std::string key = content_hash(std::string_view(reinterpret_cast<const char *>(bytes.data()), bytes.size()));
      if (!visit(c, file, bytes, key)) return;
    }
}

bool bad_sample(const DatasetSpec &spec, DataReport &report, const std::string &source, const std::string &reason) {
  if (spec.fail_on_error) {
    report.errors.push_back({DiagId::DataFileFailed, {source, reason}, {}});
    return false;
  }
  report.skipped.push_back({source, reason});
  return true;
}

namespace {

// What a directory entry is, links followed; a link that leads nowhere, or
// in a circle, is named as such rather than thrown as an error.
enum class EntryKind { Folder, File, Other, DanglingLink, LinkLoop };

EntryKind entry_kind(const fs::directory_entry &e) {
  std::error_code ec;
  fs::file_status s = fs::status(e.path(), ec);
  if (ec) {
    if (ec == std::errc::too_many_symbolic_link_levels) return EntryKind::LinkLoop;
    return e.is_symlink(ec) ? EntryKind::DanglingLink : EntryKind::Other;
  }
  if (s.type() == fs::file_type::not_found) return EntryKind::DanglingLink;
  if (fs::is_directory(s)) return EntryKind::Folder;
  return fs::is_regular_file(s) ? EntryKind::File : EntryKind::Other;
}

const char *link_problem(EntryKind k) {
  return k == EntryKind::LinkLoop ? "symbolic link loop" : "dangling symbolic link (its target does not exist)";
}

}  // namespace

bool scan_class_folders(const DatasetSpec &spec, const std::vector<std::string> &extensions, const char *what,
                        ClassFiles &out, DataReport &report) {
  std::error_code ec;
  if (!fs::is_directory(spec.path, ec)) {
    report.errors.push_back({DiagId::DataFolderMissing, {spec.path}, {}});
    return false;
  }
  std::vector<std::string> folders;
  for (const auto &e : fs::directory_iterator(spec.path, ec)) {
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    EntryKind kind = entry_kind(e);
    if (kind == EntryKind::Folder) folders.push_back(name);
    else if (kind == EntryKind::LinkLoop || kind == EntryKind::DanglingLink) {
      if (!bad_sample(spec, report, e.path().string(), link_problem(kind))) return false;
    } else {
      ++report.ignored;  // files beside the class folders are not samples
    }
  }
  std::sort(folders.begin(), folders.end());
  if (spec.classes.empty()) {
    out.classes = folders;
  } else {
    out.classes = spec.classes;
    std::set<std::string> declared(spec.classes.begin(), spec.classes.end());
    for (const std::string &f : folders)
      if (!declared.count(f))
        report.errors.push_back({DiagId::UndeclaredClassFolder, {f, spec.path}, {}});
    for (const std::string &c : spec.classes)
      if (std::find(folders.begin(), folders.end(), c) == folders.end())
        report.errors.push_back({DiagId::DeclaredClassMissing, {c, spec.path}, {}});
    if (!report.errors.empty()) return false;
  }
  if (out.classes.empty()) {
    report.errors.push_back({DiagId::NoClassFolders, {spec.path, what}, {}});
    return false;
  }
  for (const std::string &c : out.classes) {
    std::vector<std::string> files;
    for (const auto &e : fs::directory_iterator(fs::path(spec.path) / c, ec)) {
      std::string name = e.path().filename().string();
      std::string ext = e.path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
      if (name[0] == '.' || std::find(extensions.begin(), extensions.end(), ext) == extensions.end()) {
        ++report.ignored;
        continue;
      }
      EntryKind kind = entry_kind(e);
      if (kind == EntryKind::LinkLoop || kind == EntryKind::DanglingLink) {
        if (!bad_sample(spec, report, e.path().string(), link_problem(kind))) return false;
        continue;
      }
      if (kind != EntryKind::File) {
        ++report.ignored;
        continue;
      }
      files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    if (files.empty())
      report.errors.push_back({DiagId::EmptyClass, {c, (fs::path(spec.path) / c).string(), what}, {}});
    else if (files.size() == 1)
      report.warnings.push_back("class '" + c + "' has a single sample; it can only be in one split");
    out.files.push_back(std::move(files));
  }
  return report.errors.empty();
}

}  // namespace edl::data
