// The resolve stage's internals, shared by its .cpp files: reading
// arguments and properties the way the checker matched them, with the
// catalogue's typed defaults for what is not written.
#pragma once

#include "compiler/resolve/Resolve.h"
#include "stdlib/Catalogue.h"

#include <set>
#include <string>

namespace edl::resolve {

// The catalogue's entry for a parameter or property; a missing one is a
// broken invariant (the checker accepted the program against this table).
const stdlib::Field &param(stdlib::Category c, const std::string &callee, const std::string &name);
const stdlib::Field &property(ast::DeclKind k, const std::string &key);
const stdlib::Field &field(const stdlib::Field &record, const std::string &name);

// A typed default of the expected kind (Number, Bool, Name, List, Record);
// anything else is a broken invariant.
double default_number(const stdlib::Field &f);
bool default_bool(const stdlib::Field &f);
std::string default_name(const stdlib::Field &f);
std::vector<double> default_numbers(const stdlib::Field &f);
const stdlib::DefaultValue &default_record(const stdlib::Field &f);

// A call's argument by name or by its catalogue position.
const ast::Expr *argument(const ast::Call &call, stdlib::Category c, const std::string &name);
const ast::Expr *property_value(const std::vector<ast::Property> &props, const std::string &key);

class Resolver {
 public:
  Resolver(const CheckedProject &project, const SourceManager &sm, DiagnosticEngine &diags)
      : project_(project), sm_(sm), diags_(diags) {}

  spec::Specs run();

  // A written number: a constant, or arithmetic on searched variables (a
  // formula, valued at the variables' defaults).
  spec::Scalar scalar(const ast::Expr &e, bool integral = false) const;
  // The argument as written, else the catalogue's default.
  spec::Scalar number_arg(const ast::Call &call, stdlib::Category c, const std::string &name,
                          bool integral = false) const;
  std::vector<spec::Scalar> integers(const ast::Expr *e) const;

  spec::Project project_spec() const;
  spec::Dataset dataset(const ast::Decl &d, const spec::Project &p) const;
  spec::Model model(const ast::Decl &d) const;
  // A detection head's anchors, towers and thresholds into `m`.
  void detection_head(const ast::Call &call, spec::Model &m) const;
  spec::Train train(const TrainFacts &facts) const;
  spec::Search search(const TrainFacts &facts, const spec::Train &job) const;
  spec::Distributed distributed(const ast::Record &r) const;
  spec::Deploy deploy(const ast::Decl &d, const spec::Project &p) const;
  // An inline pool source is added to `specs` as a dataset of its own.
  spec::Label label(const ast::Decl &d, spec::Specs &specs) const;
  // Reports E0701-E0703 (once per place); `square`: the dataset's images
  // are square (or of no declared size), so rotate90 keeps their shape.
  spec::Augment augment(const ast::Decl &d, bool square);
  // The baseline a search that tunes augmentation is compared with:
  // trivialaugment over every image op, applied to every image.
  spec::Augment trivialaugment_baseline() const;

 private:
  const CheckedProject &project_;
  const SourceManager &sm_;
  DiagnosticEngine &diags_;
  spec::SpaceValues defaults_;
  std::set<std::string> reported_;
};

}  // namespace edl::resolve
