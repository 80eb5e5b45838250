// The files a human oracle answers through. A round's questions go to DIR
// as round-K.csv (file, suggested label, confidence, and an empty `label`
// column to fill in) and round-K.png (a contact sheet: each item's image
// with its row number). The next `edlc run` reads the CSV back: every
// problem in it is named with its row, nothing answered is lost, and a file
// that is only partly filled is kept and asked again for the rest.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace edl::label {

// One item a round asks about.
struct Question {
  std::string file;        // the sample's image, absolute
  std::string suggested;   // the model's most likely class
  double confidence = 0;   // its probability
};

// Where a round's files go: DIR/round-K.csv and DIR/round-K.png.
std::string questions_csv(const std::string &dir, int round);
std::string contact_sheet(const std::string &dir, int round);

// Writes the round's CSV and contact sheet, unless the CSV exists already
// (a person may be filling it in: it is never overwritten). False with
// `error` when the folder or a file cannot be written.
bool write_questions(const std::string &dir, int round, const std::vector<Question> &questions, std::string &error);

// Something wrong in a filled CSV, with the CSV row (1 = the header) it is on.
struct AnswerProblem {
  enum Kind { UnknownClass, Duplicate, NotAsked, Missing, Malformed } kind;
  std::size_t row = 0;  // 0 for a missing item (it has no row)
  std::string file;
  std::string value;    // the label written, for UnknownClass
  std::string message(const std::vector<std::string> &classes) const;
};

// What a filled CSV says. `labels[i]` answers `asked[i]`: a class index, or
// -1 while its row is blank (not answered yet).
struct Answers {
  std::vector<int> labels;
  std::vector<AnswerProblem> problems;
  std::size_t answered = 0;
  bool complete() const { return problems.empty() && answered == labels.size(); }
};

// The files DIR/round-K.csv lists, in its order (for `edlc label status`,
// which has no store to say what was asked); empty without the file.
std::vector<std::string> files_in(const std::string &dir, int round);

// Reads DIR/round-K.csv against the files `asked` and the `classes`.
// Without the CSV every item is Missing.
Answers read_answers(const std::string &dir, int round, const std::vector<std::string> &asked,
                     const std::vector<std::string> &classes);

}  // namespace edl::label
