// The folder oracle: labels revealed from a labelled folder (one subfolder
// per class, as image_folder reads), found by the pool file's name. It
// stands in for a person when measuring strategies.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace edl::label {

class FolderOracle {
 public:
  // Scans `dir`; `error` says why it cannot be used (no such folder, a
  // file name under two classes).
  FolderOracle(const std::string &dir, std::string &error);

  // The class of the pool file `path` (matched by its file name), as an
  // index into `classes`; -1 with `error` when the folder has no label for
  // it or names a class the model does not know.
  int answer(const std::string &path, const std::vector<std::string> &classes, std::string &error) const;

 private:
  std::string dir_;
  std::map<std::string, std::string> class_of_;  // file name -> class folder
};

}  // namespace edl::label
