#include "runtime/label/HumanOracle.h"

#include "compiler/support/AtomicWrite.h"
#include "runtime/data/Dataset.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace edl::label {
namespace {

namespace fs = std::filesystem;

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
std::string csv_field(const std::string &s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string file_text(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Thumbnails in rows of ten, each with its CSV row number, at most 96 pixels a side.
cv::Mat sheet_of(const std::vector<Question> &questions) {
  const int side = 96, label_h = 16, gap = 4, columns = 10;
  const int n = static_cast<int>(questions.size());
  const int cols = std::min(columns, std::max(1, n)), rows = (n + columns - 1) / columns;
  cv::Mat sheet(std::max(1, rows) * (side + label_h + gap) + gap, cols * (side + gap) + gap, CV_8UC3,
                cv::Scalar(48, 48, 48));
  for (int i = 0; i < n; ++i) {
    const int x = gap + (i % columns) * (side + gap), y = gap + (i / columns) * (side + label_h + gap);
    cv::Mat image = cv::imread(questions[static_cast<std::size_t>(i)].file, cv::IMREAD_COLOR);
    if (!image.empty()) {
      const double scale = static_cast<double>(side) / std::max(image.cols, image.rows);
      cv::Mat small;
      cv::resize(image, small, cv::Size(std::max(1, static_cast<int>(image.cols * scale)),
                                        std::max(1, static_cast<int>(image.rows * scale))),
                 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_NEAREST);
      small.copyTo(sheet(cv::Rect(x, y, small.cols, small.rows)));
    }
    cv::putText(sheet, std::to_string(i + 2), cv::Point(x, y + side + label_h - 3), cv::FONT_HERSHEY_SIMPLEX, 0.4,
                cv::Scalar(230, 230, 230), 1, cv::LINE_AA);
  }
  return sheet;
}

}  // namespace

std::string questions_csv(const std::string &dir, int round) {
  return (fs::path(dir) / ("round-" + std::to_string(round) + ".csv")).string();
}

std::string contact_sheet(const std::string &dir, int round) {
  return (fs::path(dir) / ("round-" + std::to_string(round) + ".png")).string();
}

bool write_questions(const std::string &dir, int round, const std::vector<Question> &questions, std::string &error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string csv = questions_csv(dir, round);
  if (fs::exists(csv, ec)) return true;  // being answered: keep every answer in it
  std::string text = "file,suggested,confidence,label\n";
  for (const Question &q : questions) {
    char confidence[32] = "";  // blank without a suggestion (the seed labels: no model yet)
    if (!q.suggested.empty()) std::snprintf(confidence, sizeof confidence, "%.3f", q.confidence);
    text += csv_field(q.file) + "," + csv_field(q.suggested) + "," + confidence + ",\n";
  }
  if (!cv::imwrite(contact_sheet(dir, round), sheet_of(questions))) {
    error = "cannot write the contact sheet " + contact_sheet(dir, round);
    return false;
  }
  if (!write_atomically(csv, text)) {
    error = "cannot write " + csv;
    return false;
  }
  return true;
}

std::string AnswerProblem::message(const std::vector<std::string> &classes) const {
  const std::string at = "row " + std::to_string(row) + " (" + file + ")";
  switch (kind) {
    case UnknownClass: {
      std::string all;
      for (const std::string &c : classes) all += (all.empty() ? "" : ", ") + c;
      return at + ": '" + value + "' is not a class; the classes: " + all;
    }
    case Duplicate: return at + ": answers the same file as an earlier row";
    case NotAsked: return at + ": this round did not ask about this file";
    case Missing: return "'" + file + "' was asked but has no row";
    case Malformed: return "row " + std::to_string(row) + ": expected 4 fields (file, suggested, confidence, label)";
  }
  return at;
}

std::vector<std::string> files_in(const std::string &dir, int round) {
  const std::string text = file_text(questions_csv(dir, round));
  std::vector<std::string> files, fields;
  std::set<std::string> seen;  // a row written twice is one question (read_answers names the duplicate)
  std::size_t pos = 0, row = 0;
  while (data::next_csv_record(text, pos, fields))
    if (++row > 1 && !fields.empty() && !fields[0].empty() && seen.insert(fields[0]).second) files.push_back(fields[0]);
  return files;
}

Answers read_answers(const std::string &dir, int round, const std::vector<std::string> &asked,
                     const std::vector<std::string> &classes) {
  Answers out;
  out.labels.assign(asked.size(), -1);
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < asked.size(); ++i) position[asked[i]] = i;
  std::map<std::string, int> class_index;
  for (std::size_t c = 0; c < classes.size(); ++c) class_index[classes[c]] = static_cast<int>(c);

  const std::string text = file_text(questions_csv(dir, round));
  std::size_t pos = 0, row = 0;
  std::vector<std::string> fields;
  std::vector<bool> seen(asked.size(), false);
  while (data::next_csv_record(text, pos, fields)) {
    if (++row == 1) continue;  // the header
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    if (fields.size() != 4) {
      out.problems.push_back({AnswerProblem::Malformed, row, "", ""});
      continue;
    }
    const std::string &file = fields[0];
    std::string label = fields[3];
    label.erase(0, label.find_first_not_of(" \t"));
    label.erase(label.find_last_not_of(" \t") + 1);
    auto at = position.find(file);
    if (at == position.end()) {
      out.problems.push_back({AnswerProblem::NotAsked, row, file, ""});
      continue;
    }
    if (seen[at->second]) {
      out.problems.push_back({AnswerProblem::Duplicate, row, file, ""});
      continue;
    }
    seen[at->second] = true;
    if (label.empty()) continue;  // not answered yet
    auto c = class_index.find(label);
    if (c == class_index.end()) {
      out.problems.push_back({AnswerProblem::UnknownClass, row, file, label});
      continue;
    }
    out.labels[at->second] = c->second;
    ++out.answered;
  }
  for (std::size_t i = 0; i < asked.size(); ++i)
    if (!seen[i]) out.problems.push_back({AnswerProblem::Missing, 0, asked[i], ""});
  return out;
}

}  // namespace edl::label
