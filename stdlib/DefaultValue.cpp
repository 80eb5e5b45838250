#include "stdlib/DefaultValue.h"

#include <cctype>
#include <cstdlib>

namespace edl::stdlib {
namespace {

bool parse_number(std::string s, double &out) {
  std::string digits;
  for (char c : s)
    if (c != '_') digits += c;
  if (digits.empty()) return false;
  double scale = 1;
  if (digits.back() == 's') digits.pop_back();  // a duration in seconds
  else if (digits.back() == '%') digits.pop_back(), scale = 0.01;
  char *end = nullptr;
  out = std::strtod(digits.c_str(), &end) * scale;
  return !digits.empty() && end == digits.c_str() + digits.size();
}

bool identifier(const std::string &s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

}  // namespace

DefaultValue parse_default(const std::string &text) {
  DefaultValue v;
  if (text.empty()) return v;
  if (parse_number(text, v.number)) {
    v.kind = DefaultValue::Number;
    return v;
  }
  if (text == "true" || text == "false") {
    v.kind = DefaultValue::Bool;
    v.boolean = text == "true";
    return v;
  }
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    v.kind = DefaultValue::String;
    v.text = text.substr(1, text.size() - 2);
    return v;
  }
  if (text.front() == '[' && text.back() == ']') {
    v.kind = DefaultValue::List;
    std::string item;
    for (char c : text.substr(1, text.size() - 2) + ",") {
      if (c != ',') {
        if (c != ' ') item += c;
        continue;
      }
      double n;
      if (item.empty()) continue;
      if (!parse_number(item, n)) return {DefaultValue::Described, 0, false, text, {}, {}};
      v.numbers.push_back(n);
      item.clear();
    }
    return v;
  }
  if (text.front() == '{' && text.back() == '}') {  // a record of numbers: "{ key = number, ... }"
    v.kind = DefaultValue::Record;
    std::string inside = text.substr(1, text.size() - 2) + ",";
    for (std::size_t at = 0, comma; (comma = inside.find(',', at)) != std::string::npos; at = comma + 1) {
      std::string item;
      for (char c : inside.substr(at, comma - at))
        if (c != ' ') item += c;
      if (item.empty()) continue;
      std::size_t eq = item.find('=');
      double n;
      if (eq == std::string::npos || !identifier(item.substr(0, eq)) || !parse_number(item.substr(eq + 1), n))
        return {DefaultValue::Described, 0, false, text, {}, {}};
      v.fields.emplace_back(item.substr(0, eq), n);
    }
    return v;
  }
  if (std::size_t open = text.find('('); open != std::string::npos && text.back() == ')' &&
                                         identifier(text.substr(0, open))) {
    v.kind = DefaultValue::Call;
    v.text = text.substr(0, open);
    return v;
  }
  v.kind = identifier(text) ? DefaultValue::Name : DefaultValue::Described;
  v.text = text;
  return v;
}

}  // namespace edl::stdlib
