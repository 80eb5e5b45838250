// csv(path, text =, label =): one sample per row, RFC 4180 quoting.
#include "runtime/data/Loaders.h"

#include <algorithm>
#include <map>
#include <set>

namespace edl::data {

bool next_csv_record(const std::string &text, std::size_t &pos, std::vector<std::string> &fields) {
  fields.clear();
  if (pos >= text.size()) return false;
  std::string field;
  bool quoted = false;
  while (pos < text.size()) {
    char c = text[pos++];
    if (quoted) {
      if (c == '"' && pos < text.size() && text[pos] == '"') {
        field += '"';
        ++pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos < text.size() && text[pos] == '\n') ++pos;
      break;
    } else {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return true;
}

void load_csv(const DatasetSpec &spec, LoadedDataset &out) {
  std::vector<std::uint8_t> bytes;
  if (!read_bytes(spec.path, bytes)) {
    out.report.errors.push_back({DiagId::CsvUnreadable, {spec.path}, {}});
    return;
  }
  std::string text(bytes.begin(), bytes.end());
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a UTF-8 byte-order mark
  std::size_t pos = 0;
  std::vector<std::string> header, fields;
  if (!next_csv_record(text, pos, header)) {
    out.report.errors.push_back({DiagId::CsvEmpty, {spec.path}, {}});
    return;
  }
  auto column = [&](const std::string &name) -> std::ptrdiff_t {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : it - header.begin();
  };
  std::ptrdiff_t text_col = column(spec.text_column), label_col = column(spec.label_column);
  for (auto [col, name] : {std::pair{text_col, spec.text_column}, {label_col, spec.label_column}})
    if (col < 0) {
      std::string all;
      for (const std::string &h : header) all += (all.empty() ? "" : ", ") + h;
      out.report.errors.push_back({DiagId::CsvNoColumn, {spec.path, name, all}, {}});
    }
  if (!out.report.errors.empty()) return;

  std::set<std::string> declared(spec.classes.begin(), spec.classes.end());
  std::vector<std::string> raw_labels;
  std::size_t row = 1;
  while (next_csv_record(text, pos, fields)) {
    ++row;
    std::string where = spec.path + ":" + std::to_string(row);
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    if (fields.size() != header.size()) {
      if (!bad_sample(spec, out.report, where,
                      "row has " + std::to_string(fields.size()) + " field(s), the header " +
                          std::to_string(header.size())))
        return;
      continue;
    }
    const std::string &label = fields[static_cast<std::size_t>(label_col)];
    const std::string &body = fields[static_cast<std::size_t>(text_col)];
    if (label.empty() || body.empty()) {
      if (!bad_sample(spec, out.report, where, "empty '" + (label.empty() ? spec.label_column : spec.text_column) + "'"))
        return;
      continue;
    }
    if (!declared.empty() && !declared.count(label)) {
      if (!bad_sample(spec, out.report, where, "label '" + label + "' is not among the declared classes")) return;
      continue;
    }
    out.texts.push_back(body);
    out.sources.push_back(where);
    raw_labels.push_back(label);
  }
  if (spec.classes.empty()) {
    std::set<std::string> unique(raw_labels.begin(), raw_labels.end());
    out.classes.assign(unique.begin(), unique.end());
  } else {
    out.classes = spec.classes;
  }
  std::map<std::string, int> index;
  for (std::size_t i = 0; i < out.classes.size(); ++i) index[out.classes[i]] = static_cast<int>(i);
  std::map<int, std::size_t> counts;
  for (const std::string &l : raw_labels) {
    out.labels.push_back(index[l]);
    ++counts[index[l]];
  }
  out.report.decoded = out.labels.size();
  for (std::size_t c = 0; c < out.classes.size(); ++c) {
    if (!counts.count(static_cast<int>(c)))
      out.report.errors.push_back({DiagId::CsvClassWithoutRows, {out.classes[c], spec.path}, {}});
    else if (counts[static_cast<int>(c)] == 1)
      out.report.warnings.push_back("class '" + out.classes[c] + "' has a single row; it can only be in one split");
  }
  if (out.labels.empty() && out.report.errors.empty())
    out.report.errors.push_back({DiagId::NoUsableSample, {spec.name}, {}});
}

}  // namespace edl::data
