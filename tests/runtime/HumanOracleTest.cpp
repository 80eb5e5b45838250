// The human oracle's files: a round's questions as a CSV and a contact
// sheet of real digits, and a filled CSV read back with every problem named
// by its row and nothing answered lost.
#include "TestSupport.h"

#include "runtime/label/HumanOracle.h"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace edl;
using namespace edl::label;
namespace fs = std::filesystem;

namespace {

struct Folder {
  fs::path path = fs::temp_directory_path() / ("edl-oracle-" + std::to_string(::getpid()));
  Folder() { fs::create_directories(path); }
  ~Folder() { fs::remove_all(path); }
};

std::vector<std::string> digits(std::size_t n) {
  std::vector<std::string> files;
  for (const char *c : {"3", "7"})
    for (const auto &e : fs::directory_iterator(fs::path(test::source_dir()) / "data" / "digits" / c))
      if (files.size() < n) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string read(const fs::path &p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("a human round writes a CSV to fill in and a contact sheet, and never overwrites answers", "[label]") {
  Folder dir;
  std::vector<std::string> files = digits(12);
  std::vector<Question> questions;
  for (const std::string &f : files) questions.push_back({f, "3", 0.51});
  questions[1].suggested = "seven, maybe";  // a comma: quoted
  std::string error;
  REQUIRE(write_questions(dir.path.string(), 1, questions, error));
  const std::string csv = read(questions_csv(dir.path.string(), 1));
  CHECK(csv.rfind("file,suggested,confidence,label\n", 0) == 0);
  CHECK(csv.find(files[0] + ",3,0.510,\n") != std::string::npos);
  CHECK(csv.find(",\"seven, maybe\",0.510,\n") != std::string::npos);
  cv::Mat sheet = cv::imread(contact_sheet(dir.path.string(), 1));
  REQUIRE_FALSE(sheet.empty());
  CHECK(sheet.cols == 10 * 100 + 4);  // ten thumbnails a row
  CHECK(sheet.rows == 2 * 116 + 4);   // twelve items: two rows

  std::ofstream(questions_csv(dir.path.string(), 1), std::ios::app) << "edited\n";
  REQUIRE(write_questions(dir.path.string(), 1, questions, error));
  CHECK(read(questions_csv(dir.path.string(), 1)).find("edited") != std::string::npos);
}

TEST_CASE("a filled CSV is read back with each problem named by its row", "[label]") {
  Folder dir;
  const std::vector<std::string> classes{"3", "7"};
  const std::vector<std::string> asked{"/d/a.png", "/d/b.png", "/d/c.png", "/d/d.png", "/d/e,f.png"};
  std::ofstream(questions_csv(dir.path.string(), 2)) << "file,suggested,confidence,label\n"
                                                        "/d/a.png,3,0.9,3\n"           // row 2: answered
                                                        "/d/b.png,3,0.6, 7 \n"         // row 3: answered, spaces
                                                        "/d/c.png,3,0.5,\n"            // row 4: not yet
                                                        "/d/d.png,7,0.5,8\n"           // row 5: no such class
                                                        "/d/a.png,3,0.9,7\n"           // row 6: a second answer
                                                        "/d/z.png,3,0.9,3\n"           // row 7: never asked
                                                        "/d/c.png,3\n";                // row 8: cut short
  Answers a = read_answers(dir.path.string(), 2, asked, classes);
  CHECK(a.labels == std::vector<int>{0, 1, -1, -1, -1});
  CHECK(a.answered == 2);
  CHECK_FALSE(a.complete());
  REQUIRE(a.problems.size() == 5);
  CHECK(a.problems[0].message(classes) == "row 5 (/d/d.png): '8' is not a class; the classes: 3, 7");
  CHECK(a.problems[1].message(classes) == "row 6 (/d/a.png): answers the same file as an earlier row");
  CHECK(a.problems[2].message(classes) == "row 7 (/d/z.png): this round did not ask about this file");
  CHECK(a.problems[3].message(classes) == "row 8: expected 4 fields (file, suggested, confidence, label)");
  CHECK(a.problems[4].message(classes) == "'/d/e,f.png' was asked but has no row");

  std::ofstream(questions_csv(dir.path.string(), 2)) << "file,suggested,confidence,label\n"
                                                        "/d/a.png,3,0.9,3\n/d/b.png,3,0.6,7\n/d/c.png,3,0.5,7\n"
                                                        "/d/d.png,7,0.5,3\n\"/d/e,f.png\",7,0.5,7\n";
  Answers full = read_answers(dir.path.string(), 2, asked, classes);
  CHECK(full.complete());
  CHECK(full.labels == std::vector<int>{0, 1, 1, 0, 1});

  Answers none = read_answers(dir.path.string(), 3, asked, classes);  // no round-3.csv
  CHECK(none.problems.size() == asked.size());
  CHECK(none.answered == 0);
}
