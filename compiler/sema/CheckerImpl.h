// The checker's internals, shared by its .cpp files: Checker.cpp
// (declarations, blocks, steps, unused), CheckValues.cpp (values against
// catalogue types), CheckFormula.cpp (formulas), CheckProject.cpp (rules
// that span blocks).
#pragma once

#include "compiler/support/NumberText.h"

#include "compiler/sema/Checker.h"
#include "stdlib/Catalogue.h"
#include "stdlib/Types.h"

#include <set>

namespace edl::sema {

using stdlib::Field;
using stdlib::Function;
using stdlib::Type;


struct ValueContext {
  const ast::Decl *decl = nullptr;   // the block being checked
  bool per_image = false;            // inside an augment: distributions are sampled per image
  std::string what;                  // parameter or property name, for messages
  std::vector<SpaceUse> *uses = nullptr;
};

class Checker {
 public:
  Checker(const LoadedProject &p, const SourceManager &sm, DiagnosticEngine &d) : project_(p), sm_(sm), diags_(d) {}
  CheckedProject run();

  // Checker.cpp
  void collect_declarations();
  void check_decl(const ast::Decl &d);
  void check_fields(const std::vector<ast::Property> &props, const std::vector<Field> &schema,
                    const std::string &kind, const std::string &name, SourceRange where_range,
                    ValueContext ctx);
  void check_space(const ast::Decl &d);
  void check_op_decl(const ast::Decl &d);
  void check_steps(const std::vector<ast::Step> &steps, ValueContext &ctx);
  void report_unused();

  // CheckValues.cpp
  void check_value(const ast::Expr &e, const Type &t, ValueContext &ctx);
  void check_args(const Function &f, const std::vector<ast::Argument> &args, SourceRange callee,
                  ValueContext &ctx);
  void check_call(const ast::Expr &e, const Type &t, ValueContext &ctx);
  void check_reference(const ast::Expr &e, const Type &t, ValueContext &ctx);
  void check_metric(const ast::Expr &e, ValueContext &ctx);
  void check_condition(const ast::Expr &e, ValueContext &ctx);
  bool check_domain_bounds(const ast::Call &dist);
  void check_domain_against(const ast::Call &dist, const Type &t, SourceRange use, const std::string &name,
                            ValueContext &ctx);
  void check_space_reference(const ast::Member &m, const ast::Decl &space, const Type &t, ValueContext &ctx);
  // Records a use of `space.var` (for searched values and unused warnings);
  // null, with E0306 reported, when the space has no such variable.
  const ast::Property *use_space_variable(const ast::Member &m, const ast::Decl &space, ValueContext &ctx);
  // The integer or number type `t` is, or offers as an alternative.
  static const Type *numeric_type(const Type &t);
  void mismatch(const ast::Expr &e, const Type &t);
  // E0901: the language defines it, this version of edlc does not run it.
  void not_supported(SourceRange at, const std::string &what, const std::string &name, const std::string &what_runs);
  std::string metrics_that_run() const;
  std::string describe(const ast::Expr &e) const;

  // CheckSearched.cpp
  bool is_searched_expression(const ast::Expr &e) const;
  void check_searched_expression(const ast::Expr &e, const Type &t, ValueContext &ctx);
  std::string source_text(SourceRange r) const;
  static bool empty_domain_of(const ast::Call &dist);

  // CheckFormula.cpp
  void check_formula(const ast::Expr &e, const std::vector<std::string> &names, const std::string &where);

  // CheckProject.cpp
  void check_trains();
  void check_dataset_rules(const ast::Decl &d);
  // Metrics a train job reads (metrics, early_stop, the objective) against what its task measures.
  void check_metrics_of(const ast::Decl &train, const std::string &task);
  void check_model_rules(const ast::Decl &d);
  // The declaration of `kind` that property `key` of `d` names, or null (d null too).
  const ast::Decl *referenced(const ast::Decl *d, const char *key, ast::DeclKind kind) const;
  // Label blocks and deploys against the task of the train job they use.
  void check_task_users();
  void check_loss_of(const ast::Decl &train, const ast::Decl *model);
  // distributed = {...}: gloo, classification, a job without search, a
  // batch that splits evenly between the workers.
  void check_distributed(const ast::Decl &train, const std::string &task);
  void check_edge_of_detector(const ast::Decl &deploy, const std::string &train, const char *model);
  // Every op of `augment` works on what `train` feeds it (`holds`: text or images), E0522.
  void check_augment_domain(const ast::Decl &train, const ast::Decl &augment, const std::string &holds);
  // A label block's stop condition reads only what a round measures; with a
  // human oracle it asks for no baseline or reference.
  void check_label_rules(const ast::Decl &d);

  const ast::Decl *lookup(ast::DeclKind k, const std::string &name) const { return result_.find(k, name); }
  std::vector<std::string> names_of(ast::DeclKind k) const;
  const ast::Property *property(const ast::Decl &d, const std::string &key) const;
  std::string file_dir(SourceRange r) const;

  const LoadedProject &project_;
  const SourceManager &sm_;
  DiagnosticEngine &diags_;
  CheckedProject result_;
  std::set<const ast::Decl *> used_;
  std::set<std::pair<const ast::Decl *, std::string>> used_vars_;
  std::set<std::string> warned_paths_;
  std::map<const ast::Decl *, std::vector<SpaceUse>> uses_;  // space uses per block
};

}  // namespace edl::sema
