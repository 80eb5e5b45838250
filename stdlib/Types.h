// Constructors for catalogue types, so the catalogue reads like signatures.
#pragma once

#include "stdlib/Catalogue.h"

#include <initializer_list>

namespace edl::stdlib::types {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

TypePtr any();
TypePtr none();
TypePtr integer(double min = -kInf, double max = kInf);
TypePtr number(double min = -kInf, double max = kInf, bool min_open = false, bool max_open = false);
TypePtr positive();                 // a number > 0
TypePtr fraction();                 // a number in [0, 1]
TypePtr boolean();
TypePtr string();
TypePtr path(PathRole role, std::string what);
TypePtr size();
TypePtr duration();
// `not_yet`: values the language defines that this version of edlc does not run.
TypePtr enumeration(std::vector<std::string> values, bool quoted = false, std::vector<std::string> not_yet = {});
TypePtr list(TypePtr element, std::size_t min_items = 0, std::size_t exact_items = 0);
TypePtr record(std::vector<Field> fields);
TypePtr call(Category c);
TypePtr ref(std::vector<ast::DeclKind> kinds);
TypePtr metric();
TypePtr condition();
TypePtr formula(std::string context);
TypePtr op_name();
TypePtr one_of(std::vector<TypePtr> alternatives);

Field req(std::string name, TypePtr type, std::string doc);
Field opt(std::string name, TypePtr type, std::string default_text, std::string doc);
// A property the language defines that this version of edlc does not run;
// `what_runs` says what does instead.
Field not_yet(Field f, std::string what_runs);

}  // namespace edl::stdlib::types
