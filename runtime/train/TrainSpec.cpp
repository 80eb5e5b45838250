#include "runtime/train/TrainSpec.h"

#include "compiler/sema/CallArguments.h"

#include <algorithm>
#include <cmath>

namespace edl::train {

TrainSpec train_spec(const CheckedProject &project, const TrainFacts &facts, const SourceManager &sm,
                     const SpaceValues &space) {
  TrainSpec spec;
  const ast::Decl &d = *facts.decl;
  spec.name = d.name;
  spec.dataset = facts.dataset;
  spec.augment = facts.augment;
  spec.space = space;
  if (facts.model) spec.model = lower::model_spec(project, *facts.model, sm, space);
  auto number = [&](const ast::Expr *e, double fallback) {
    auto v = e ? resolve_number(project, *e, space) : std::nullopt;
    return v ? *v : fallback;
  };
  auto prop = [&](const char *key) -> const ast::Expr * {
    const ast::Property *p = ast::find_property(d.properties, key);
    return p ? p->value.get() : nullptr;
  };
  spec.epochs = static_cast<int>(std::lround(number(prop("epochs"), 1)));
  spec.batch = static_cast<int>(std::lround(number(prop("batch"), 32)));

  if (const auto *opt = prop("optimizer") ? prop("optimizer")->as<ast::Call>() : nullptr) {
    OptimizerSpec &o = spec.optimizer;
    o.kind = opt->callee;
    o.lr = number(call_argument(*opt, "lr"), 0.01);
    o.weight_decay = number(call_argument(*opt, "weight_decay"), o.kind == "adamw" ? 0.01 : 0);
    if (o.kind == "sgd") {
      o.momentum = number(call_argument(*opt, "momentum"), 0);
      if (const ast::Expr *n = call_argument(*opt, "nesterov"))
        if (const auto *l = n->as<ast::Literal>()) o.nesterov = l->boolean;
    } else if (const ast::Expr *b = call_argument(*opt, "betas")) {
      if (const auto *l = b->as<ast::List>(); l && l->items.size() == 2) {
        o.beta1 = number(l->items[0].get(), 0.9);
        o.beta2 = number(l->items[1].get(), 0.999);
      }
    }
  }
  if (const auto *sch = prop("schedule") ? prop("schedule")->as<ast::Call>() : nullptr) {
    ScheduleSpec &s = spec.schedule;
    s.kind = sch->callee;
    s.range = sch->range;
    s.every = static_cast<int>(number(call_argument(*sch, "every"), 1));
    s.gamma = number(call_argument(*sch, "gamma"), 0.1);
    s.warmup = static_cast<int>(number(call_argument(*sch, "warmup"), 0));
    s.max_lr = number(call_argument(*sch, "max_lr"), spec.optimizer.lr);
    s.formula = call_argument(*sch, "formula");
  }
  if (const auto *loss = prop("loss") ? prop("loss")->as<ast::Call>() : nullptr) {
    spec.loss.kind = loss->callee;
    spec.loss.label_smoothing = number(call_argument(*loss, "label_smoothing"), 0);
    spec.loss.gamma = number(call_argument(*loss, "gamma"), 2);
  }
  spec.metrics = {"loss", "accuracy"};
  if (const auto *list = prop("metrics") ? prop("metrics")->as<ast::List>() : nullptr)
    for (const auto &item : list->items)
      if (const auto *n = item->as<ast::Name>())
        if (std::find(spec.metrics.begin(), spec.metrics.end(), n->name) == spec.metrics.end())
          spec.metrics.push_back(n->name);
  if (const auto *es = prop("early_stop") ? prop("early_stop")->as<ast::Record>() : nullptr) {
    EarlyStopSpec &e = spec.early_stop;
    e.enabled = true;
    if (const ast::Property *m = ast::find_property(es->fields, "metric"))
      if (const auto *mem = m->value->as<ast::Member>()) {
        if (const auto *obj = mem->object->as<ast::Name>()) e.split = obj->name;
        e.metric = mem->member;
      }
    e.patience = static_cast<int>(number(ast::find_property(es->fields, "patience")
                                             ? ast::find_property(es->fields, "patience")->value.get()
                                             : nullptr,
                                         1));
    std::string mode = "auto";
    if (const ast::Property *m = ast::find_property(es->fields, "mode"))
      if (const auto *n = m->value->as<ast::Name>()) mode = n->name;
    e.maximize = mode == "max" || (mode == "auto" && e.metric != "loss");
    if (std::find(spec.metrics.begin(), spec.metrics.end(), e.metric) == spec.metrics.end())
      spec.metrics.push_back(e.metric);
  }
  if (const auto *cp = prop("checkpoint") ? prop("checkpoint")->as<ast::Record>() : nullptr) {
    if (const ast::Property *every = ast::find_property(cp->fields, "every"))
      spec.checkpoint_every = static_cast<int>(number(every->value.get(), 1));
    if (const ast::Property *keep = ast::find_property(cp->fields, "keep")) {
      const auto *all = keep->value->as<ast::Name>();
      spec.checkpoint_keep = all && all->name == "all" ? 0 : static_cast<int>(number(keep->value.get(), 1));
    }
  }
  return spec;
}

}  // namespace edl::train
