// Model and train blocks resolved, and a train's search: strategy settings,
// the searched dimensions and the number of trials.
#include "compiler/resolve/Resolver.h"

#include "compiler/sema/ProjectSettings.h"

#include <algorithm>
#include <limits>
#include <map>

namespace edl::resolve {
namespace {

using stdlib::Category;

double const_or(const ast::Expr *e, double fallback) {
  auto n = e ? const_number(*e) : std::nullopt;
  return n ? n->value : fallback;
}

// `space = hp` or `space = [hp, aug]` limits a search to those spaces;
// `all` (the default) searches every one.
std::set<std::string> searched_spaces(const ast::Call &search) {
  std::set<std::string> only;
  if (const ast::Expr *arg = argument(search, Category::Strategy, "space")) {
    if (const auto *n = arg->as<ast::Name>(); n && n->name != "all") only.insert(n->name);
    if (const auto *l = arg->as<ast::List>())
      for (const auto &item : l->items)
        if (const auto *n = item->as<ast::Name>()) only.insert(n->name);
  }
  return only;
}

// Grid points of a dimension: choice and int exactly, continuous at 5.
std::uint64_t grid_points(const spec::Dimension &d) {
  if (d.kind == spec::Dimension::Choice) return std::max<std::size_t>(1, d.options.size());
  if (d.kind == spec::Dimension::Int && d.high >= d.low) return static_cast<std::uint64_t>(d.high - d.low) + 1;
  return 5;
}

}  // namespace

spec::Model Resolver::model(const ast::Decl &d) const {
  spec::Model m;
  m.name = d.name;
  if (const ast::Expr *b = property_value(d.properties, "backbone"))
    if (const auto *call = b->as<ast::Call>()) {
      m.backbone = call->callee;
      m.backbone_range = call->range;
      m.hidden = integers(argument(*call, Category::Backbone, "hidden"));
      m.channels = integers(argument(*call, Category::Backbone, "channels"));
      if (m.backbone == "cnn") m.kernel = number_arg(*call, Category::Backbone, "kernel", true);
      if (m.backbone == "audio_cnn") m.dims = number_arg(*call, Category::Backbone, "dims", true);
      if (m.backbone == "mobilenet_v2") m.width = number_arg(*call, Category::Backbone, "width");
      if (m.reads_text()) m.embed = number_arg(*call, Category::Backbone, "embed", true);
      if (m.backbone == "text_cnn") {
        m.kernels = integers(argument(*call, Category::Backbone, "kernels"));
        if (m.kernels.empty())
          for (double k : default_numbers(param(Category::Backbone, "text_cnn", "kernels"))) m.kernels.emplace_back(k);
        if (m.channels.empty()) m.channels = {number_arg(*call, Category::Backbone, "channels", true)};
      }
      if (m.backbone == "audio_cnn" && m.channels.empty())
        for (double c : default_numbers(param(Category::Backbone, "audio_cnn", "channels"))) m.channels.emplace_back(c);
      if (m.backbone == "transformer") {
        m.layers = number_arg(*call, Category::Backbone, "layers", true);
        m.heads = number_arg(*call, Category::Backbone, "heads", true);
        m.ff = number_arg(*call, Category::Backbone, "ff", true);
        m.encoder_dropout = number_arg(*call, Category::Backbone, "dropout");
      }
      if (m.backbone == "lstm") {
        if (m.hidden.empty()) m.hidden = {number_arg(*call, Category::Backbone, "hidden", true)};
        m.layers = number_arg(*call, Category::Backbone, "layers", true);
        m.bidirectional = default_bool(param(Category::Backbone, "lstm", "bidirectional"));
        if (const ast::Expr *e = argument(*call, Category::Backbone, "bidirectional"))
          if (const auto *l = e->as<ast::Literal>()) m.bidirectional = l->boolean;
      }
      if (const ast::Expr *w = argument(*call, Category::Backbone, "pretrained"))
        if (const auto *l = w->as<ast::Literal>(); l && l->literal == ast::LiteralKind::String) {
          m.pretrained = resolve_path(sm_, w->range, l->text);
          m.pretrained_range = w->range;
        }
      if (const ast::Expr *f = argument(*call, Category::Backbone, "freeze"))
        if (const auto *l = f->as<ast::Literal>(); l && l->literal == ast::LiteralKind::String) {
          m.freeze = l->text;
          m.freeze_range = f->range;
        }
      if (const ast::Expr *u = argument(*call, Category::Backbone, "unfreeze"))
        if (const auto *r = u->as<ast::Record>()) {
          m.unfreeze_range = u->range;
          m.unfreeze_after = static_cast<int>(scalar(*property_value(r->fields, "after"), true).value);  // required
          const stdlib::Field &f = param(Category::Backbone, m.backbone, "unfreeze");
          m.unfreeze_lr_scale = property_value(r->fields, "lr_scale") ? scalar(*property_value(r->fields, "lr_scale")).value
                                                                      : default_number(field(f, "lr_scale"));
        }
      if (argument(*call, Category::Backbone, "layer_decay"))
        m.layer_decay = number_arg(*call, Category::Backbone, "layer_decay").value;
    }
  m.head = default_name(property(ast::DeclKind::Model, "head"));
  m.head_range = d.name_range;
  m.dropout = default_number(param(Category::Head, m.head, "dropout"));
  if (const ast::Expr *h = property_value(d.properties, "head"))
    if (const auto *call = h->as<ast::Call>()) {
      m.head = call->callee;
      m.head_range = call->range;
      if (m.head == "classifier") {
        m.head_hidden = integers(argument(*call, Category::Head, "hidden"));
        m.dropout = number_arg(*call, Category::Head, "dropout");
      }
      if (m.detects()) detection_head(*call, m);
      if (m.head == "fcn") m.dropout = number_arg(*call, Category::Head, "dropout");
      if (m.head == "unet") m.decoder_channels = number_arg(*call, Category::Head, "channels", true);
    }
  if (const ast::Expr *n = property_value(d.properties, "neck"))
    if (const auto *call = n->as<ast::Call>()) {
      m.neck = call->callee;
      m.neck_channels = number_arg(*call, Category::Neck, "channels", true);
    }
  return m;
}

void Resolver::detection_head(const ast::Call &call, spec::Model &m) const {
  const stdlib::Field &anchors = param(Category::Head, m.head, "anchors");
  const auto *written = argument(call, Category::Head, "anchors") ? argument(call, Category::Head, "anchors")->as<ast::Record>()
                                                                  : nullptr;
  auto list = [&](const char *key, std::vector<spec::Scalar> &out, bool integral) {
    if (const ast::Expr *e = written ? property_value(written->fields, key) : nullptr) {
      if (const auto *l = e->as<ast::List>())
        for (const auto &item : l->items) out.push_back(scalar(*item, integral));
      return;
    }
    for (double v : default_numbers(field(anchors, key))) {
      out.emplace_back(v);
      out.back().integral = integral;
    }
  };
  list("sizes", m.anchor_sizes, true);
  list("ratios", m.anchor_ratios, false);
  list("scales", m.anchor_scales, false);
  m.head_depth = number_arg(call, Category::Head, "depth", true);
  m.head_channels = number_arg(call, Category::Head, "channels", true);
  m.score_threshold = number_arg(call, Category::Head, "score_threshold");
  m.nms_threshold = number_arg(call, Category::Head, "nms_threshold");
  m.detections = number_arg(call, Category::Head, "detections", true);
  if (m.head == "faster_rcnn") {
    m.proposals = number_arg(call, Category::Head, "proposals", true);
    m.rois = number_arg(call, Category::Head, "rois", true);
    m.box_width = number_arg(call, Category::Head, "box_width", true);
  }
}

spec::Train Resolver::train(const TrainFacts &facts) const {
  const ast::Decl &d = *facts.decl;
  spec::Train t;
  t.name = d.name;
  if (facts.dataset) t.dataset = facts.dataset->name;
  if (const ast::Property *p = ast::find_property(d.properties, "data")) t.data_range = p->value->range;
  if (const ast::Property *p = ast::find_property(d.properties, "augment")) t.augment_range = p->value->range;
  if (facts.model) t.model = model(*facts.model);
  auto number_property = [&](const char *key, bool integral) {
    if (const ast::Expr *e = property_value(d.properties, key)) return scalar(*e, integral);
    spec::Scalar s(default_number(property(ast::DeclKind::Train, key)));
    s.integral = integral;
    return s;
  };
  t.epochs = scalar(*property_value(d.properties, "epochs"), true);  // required: the checker saw it
  t.batch = number_property("batch", true);
  t.priority = static_cast<int>(number_property("priority", true).value);

  if (const auto *opt = property_value(d.properties, "optimizer") ? property_value(d.properties, "optimizer")->as<ast::Call>()
                                                                  : nullptr) {
    spec::Optimizer &o = t.optimizer;
    o.kind = opt->callee;
    o.lr = number_arg(*opt, Category::Optimizer, "lr");
    o.weight_decay = number_arg(*opt, Category::Optimizer, "weight_decay");
    if (o.kind == "sgd") {
      o.momentum = number_arg(*opt, Category::Optimizer, "momentum");
      o.nesterov = default_bool(param(Category::Optimizer, "sgd", "nesterov"));
      if (const ast::Expr *n = argument(*opt, Category::Optimizer, "nesterov"))
        if (const auto *l = n->as<ast::Literal>()) o.nesterov = l->boolean;
    } else {
      std::vector<double> betas = default_numbers(param(Category::Optimizer, o.kind, "betas"));
      o.beta1 = betas.at(0);
      o.beta2 = betas.at(1);
      if (const ast::Expr *b = argument(*opt, Category::Optimizer, "betas"))
        if (const auto *l = b->as<ast::List>(); l && l->items.size() == 2) {
          o.beta1 = scalar(*l->items[0]);
          o.beta2 = scalar(*l->items[1]);
        }
    }
  }
  spec::Schedule &s = t.schedule;
  s.kind = default_name(property(ast::DeclKind::Train, "schedule"));
  if (const ast::Expr *e = property_value(d.properties, "schedule")) {
    s.range = e->range;
    if (const auto *sch = e->as<ast::Call>()) {
      s.kind = sch->callee;
      if (s.kind == "step") {
        s.every = number_arg(*sch, Category::Schedule, "every", true);
        s.gamma = number_arg(*sch, Category::Schedule, "gamma");
      } else if (s.kind == "cosine") {
        s.warmup = number_arg(*sch, Category::Schedule, "warmup", true);
      } else if (s.kind == "onecycle") {
        s.max_lr = number_arg(*sch, Category::Schedule, "max_lr");
      } else if (s.kind == "custom") {
        if (const ast::Expr *f = argument(*sch, Category::Schedule, "formula"))
          s.formula = std::make_shared<spec::Formula>(resolve_formula(*f));
      }
    }
  }
  t.loss.kind = default_name(property(ast::DeclKind::Train, "loss"));
  const ast::Call *loss = property_value(d.properties, "loss") ? property_value(d.properties, "loss")->as<ast::Call>()
                                                               : nullptr;
  if (loss) t.loss.kind = loss->callee;
  if (t.loss.kind == "cross_entropy")
    t.loss.label_smoothing = loss ? number_arg(*loss, Category::Loss, "label_smoothing")
                                  : spec::Scalar(default_number(param(Category::Loss, "cross_entropy", "label_smoothing")));
  if (t.loss.kind == "focal") t.loss.gamma = number_arg(*loss, Category::Loss, "gamma");
  if (t.loss.kind == "dice") t.loss.cross_entropy_weight = number_arg(*loss, Category::Loss, "cross_entropy");

  // Always recorded: the loss, and the task's headline metric.
  t.metrics = {"loss", t.model.headline_metric()};
  if (const auto *list = property_value(d.properties, "metrics") ? property_value(d.properties, "metrics")->as<ast::List>()
                                                                 : nullptr)
    for (const auto &item : list->items)
      if (const auto *n = item->as<ast::Name>())
        if (std::find(t.metrics.begin(), t.metrics.end(), n->name) == t.metrics.end()) t.metrics.push_back(n->name);

  const stdlib::Field &early = property(ast::DeclKind::Train, "early_stop");
  if (const auto *es = property_value(d.properties, "early_stop") ? property_value(d.properties, "early_stop")->as<ast::Record>()
                                                                  : nullptr) {
    spec::EarlyStop &e = t.early_stop;
    e.enabled = true;
    if (const ast::Expr *m = property_value(es->fields, "metric"))
      if (const auto *mem = m->as<ast::Member>()) {
        if (const auto *obj = mem->object->as<ast::Name>()) e.split = obj->name;
        e.metric = mem->member;
      }
    e.patience = scalar(*property_value(es->fields, "patience"), true);  // required
    std::string mode = default_name(field(early, "mode"));
    if (const ast::Expr *m = property_value(es->fields, "mode"))
      if (const auto *n = m->as<ast::Name>()) mode = n->name;
    e.maximize = mode == "max" || (mode == "auto" && e.metric != "loss");
    if (std::find(t.metrics.begin(), t.metrics.end(), e.metric) == t.metrics.end()) t.metrics.push_back(e.metric);
  }
  if (const ast::Expr *e = property_value(d.properties, "distributed"))
    if (const auto *r = e->as<ast::Record>()) t.distributed = distributed(*r);
  const stdlib::Field &checkpoint = property(ast::DeclKind::Train, "checkpoint");
  t.checkpoint_every = spec::Scalar(default_number(field(checkpoint, "every")));
  t.checkpoint_keep = spec::Scalar(default_number(field(checkpoint, "keep")));
  t.checkpoint_every.integral = t.checkpoint_keep.integral = true;
  if (const auto *cp = property_value(d.properties, "checkpoint") ? property_value(d.properties, "checkpoint")->as<ast::Record>()
                                                                  : nullptr) {
    if (const ast::Expr *every = property_value(cp->fields, "every")) t.checkpoint_every = scalar(*every, true);
    if (const ast::Expr *keep = property_value(cp->fields, "keep")) {
      const auto *all = keep->as<ast::Name>();
      t.checkpoint_keep = all && all->name == "all" ? spec::Scalar(0) : scalar(*keep, true);
    }
  }
  return t;
}

spec::Distributed Resolver::distributed(const ast::Record &r) const {
  spec::Distributed d;
  d.range = r.range;
  if (const ast::Expr *w = property_value(r.fields, "workers")) d.workers = static_cast<int>(scalar(*w, true).value);
  if (const ast::Expr *b = property_value(r.fields, "backend"))
    if (const auto *n = b->as<ast::Name>()) d.backend = n->name;
  const auto *call = property_value(r.fields, "compress") ? property_value(r.fields, "compress")->as<ast::Call>() : nullptr;
  if (!call) return d;  // none
  d.compress = call->callee;
  if (d.compress == "dgc") {
    d.sparsity = number_arg(*call, Category::Compress, "sparsity").value;
    d.warmup = static_cast<int>(number_arg(*call, Category::Compress, "warmup", true).value);
    if (const ast::Expr *clip = argument(*call, Category::Compress, "clip"))
      if (!clip->as<ast::Name>()) d.clip = scalar(*clip).value;  // the name is none
  } else if (d.compress == "powersgd") {
    d.rank = static_cast<int>(number_arg(*call, Category::Compress, "rank", true).value);
  }
  return d;
}

spec::Search Resolver::search(const TrainFacts &facts, const spec::Train &job) const {
  const ast::Call &call = *facts.search;
  auto arg = [&](const char *name) { return argument(call, Category::Strategy, name); };
  spec::Search s;
  s.strategy = call.callee;
  s.strategy_range = call.callee_range;
  // objective = maximize(split.metric) | minimize(split.metric)
  if (const auto *oc = arg("objective") ? arg("objective")->as<ast::Call>() : nullptr) {
    s.maximize = oc->callee != "minimize";
    if (const ast::Expr *m = argument(*oc, Category::Objective, "metric"))
      if (const auto *mem = m->as<ast::Member>()) {
        if (const auto *n = mem->object->as<ast::Name>()) s.split = n->name;
        s.metric = mem->member;
      }
  }
  if (const auto *r = arg("proxy") ? arg("proxy")->as<ast::Record>() : nullptr) {
    s.has_proxy = true;
    s.proxy_epochs = static_cast<int>(const_or(property_value(r->fields, "epochs"), 0));
    s.subset = const_or(property_value(r->fields, "subset"), 1.0);
  }
  if (const auto *pc = arg("prune") ? arg("prune")->as<ast::Call>() : nullptr) {
    s.pruner = pc->callee;
    if (pc->callee == "asha") {
      s.prune_first = static_cast<int>(number_arg(*pc, Category::Pruner, "min_epochs").value);
      s.prune_reduction = static_cast<int>(number_arg(*pc, Category::Pruner, "reduction").value);
    } else {
      s.prune_first = static_cast<int>(number_arg(*pc, Category::Pruner, "warmup").value);
    }
  }
  s.parallel = std::max(1, static_cast<int>(number_arg(call, Category::Strategy, "parallel").value));
  if (const auto *l = arg("budget") ? arg("budget")->as<ast::Literal>() : nullptr;
      l && l->literal == ast::LiteralKind::Duration)
    s.budget_seconds = l->number;
  if (s.strategy == "pbt") {
    s.population = static_cast<int>(const_or(arg("population"), 0));
    s.interval = static_cast<int>(const_or(arg("interval"), 1));
    std::vector<double> perturb = default_numbers(param(Category::Strategy, "pbt", "perturb"));
    s.perturb = {perturb.at(0), perturb.at(1)};
    if (const auto *l = arg("perturb") ? arg("perturb")->as<ast::List>() : nullptr; l && l->items.size() == 2)
      s.perturb = {const_or(l->items[0].get(), s.perturb.first), const_or(l->items[1].get(), s.perturb.second)};
  }

  // The dimensions: every searched variable the job reads, in the spaces searched.
  const std::set<std::string> only = searched_spaces(call);
  std::map<std::string, spec::Dimension> dims;
  for (const SpaceUse &use : facts.searched) {
    if (!use.space || (!only.empty() && !only.count(use.space->name))) continue;
    const auto *dist = property_value(use.space->properties, use.var)
                           ? property_value(use.space->properties, use.var)->as<ast::Call>()
                           : nullptr;
    if (!dist) continue;
    spec::Dimension d;
    d.name = use.space->name + "." + use.var;
    std::vector<double> args;
    for (const ast::Argument &a : dist->args)
      if (auto n = const_number(*a.value)) args.push_back(n->value);
    if (dist->callee == "choice") {
      d.kind = spec::Dimension::Choice;
      d.options = args;
      if (d.options.empty()) continue;
    } else {
      if (args.size() < 2) continue;
      d.low = args[0];
      d.high = args[1];
      d.kind = dist->callee == "loguniform" ? spec::Dimension::LogUniform
               : dist->callee == "int"      ? spec::Dimension::Int
               : dist->callee == "normal"   ? spec::Dimension::Normal
                                            : spec::Dimension::Uniform;
    }
    dims[d.name] = d;
  }
  for (auto &[name, d] : dims) s.dimensions.push_back(d);

  // Trials: `trials =`; for grid without it (or with `all`), the grid's size.
  auto n = arg("trials") ? const_number(*arg("trials")) : std::nullopt;
  if (n && n->integral && n->value > 0) {
    s.trials = static_cast<std::uint64_t>(n->value);
  } else if (s.strategy == "grid") {
    s.trials = 1;
    for (const spec::Dimension &d : s.dimensions) {
      std::uint64_t points = grid_points(d);
      s.trials = s.trials > std::numeric_limits<std::uint64_t>::max() / points ? std::numeric_limits<std::uint64_t>::max()
                                                                                : s.trials * points;
    }
  }
  // The baseline is trivialaugment, an image policy: text and sound have no such baseline.
  const ast::Property *source = facts.dataset ? ast::find_property(facts.dataset->properties, "source") : nullptr;
  const auto *source_call = source ? source->value->as<ast::Call>() : nullptr;
  const bool not_images = source_call && (source_call->callee == "csv" || source_call->callee == "audio_folder");
  if (job.augment && is_searched(*job.augment) && !not_images)
    s.baseline_augment = std::make_shared<spec::Augment>(trivialaugment_baseline());
  return s;
}

}  // namespace edl::resolve
