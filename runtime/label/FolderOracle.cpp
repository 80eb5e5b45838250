#include "runtime/label/FolderOracle.h"

#include <algorithm>
#include <filesystem>

namespace edl::label {

namespace fs = std::filesystem;

FolderOracle::FolderOracle(const std::string &dir, std::string &error) : dir_(dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    error = "the oracle's folder " + dir + " does not exist";
    return;
  }
  for (const fs::directory_entry &cls : fs::directory_iterator(dir, ec)) {
    if (!cls.is_directory(ec)) continue;
    for (const fs::directory_entry &f : fs::recursive_directory_iterator(cls.path(), ec)) {
      if (!f.is_regular_file(ec)) continue;
      const std::string name = f.path().filename().string(), label = cls.path().filename().string();
      auto [it, inserted] = class_of_.emplace(name, label);
      if (!inserted && it->second != label) {
        error = "the oracle's folder " + dir + " labels '" + name + "' both '" + it->second + "' and '" + label + "'";
        return;
      }
    }
  }
  if (ec) error = "cannot read the oracle's folder " + dir + ": " + ec.message();
}

int FolderOracle::answer(const std::string &path, const std::vector<std::string> &classes, std::string &error) const {
  const std::string name = fs::path(path).filename().string();
  auto it = class_of_.find(name);
  if (it == class_of_.end()) {
    error = "the oracle's folder " + dir_ + " has no label for '" + name + "' (" + path + ")";
    return -1;
  }
  auto c = std::find(classes.begin(), classes.end(), it->second);
  if (c == classes.end()) {
    error = "the oracle's folder " + dir_ + " labels '" + name + "' '" + it->second + "', a class the model does not have";
    return -1;
  }
  return static_cast<int>(c - classes.begin());
}

}  // namespace edl::label
