#include "compiler/resolve/VerifySpecs.h"

#include <cmath>
#include <filesystem>
#include <set>

namespace edl::spec {
namespace {

class Verifier {
 public:
  explicit Verifier(const Specs &specs) : specs_(specs) {}

  std::vector<std::string> run() {
    project(specs_.project);
    std::set<std::string> names;
    for (const Dataset &d : specs_.datasets) {
      unique(names, "dataset", d.name);
      dataset(d);
    }
    for (const Augment &a : specs_.augments) augment("augment '" + a.name + "'", a);
    for (const Train &t : specs_.trains) {
      unique(names, "train", t.name);
      train(t);
    }
    for (const Label &l : specs_.labels) {
      unique(names, "label", l.name);
      label(l);
    }
    for (const Deploy &d : specs_.deploys) {
      unique(names, "deploy", d.name);
      deploy(d);
    }
    return broken_;
  }

 private:
  void expect(bool holds, const std::string &where, const std::string &what) {
    if (!holds) broken_.push_back(where + ": " + what);
  }
  static bool absolute(const std::string &path) { return !path.empty() && std::filesystem::path(path).is_absolute(); }

  void unique(std::set<std::string> &seen, const std::string &kind, const std::string &name) {
    expect(!name.empty(), kind, "has no name");
    expect(seen.insert(kind + "/" + name).second, kind + " '" + name + "'", "is declared twice");
  }

  void project(const Project &p) {
    expect(absolute(p.store), "project", "its store '" + p.store + "' is not an absolute path");
    expect(p.threads >= 0 && p.workflow_parallel >= 0 && p.retries >= 0 && p.backoff >= 0, "project",
           "a negative thread, parallel, retry or backoff setting");
    expect(p.device == "cpu" || p.device == "cuda", "project", "unknown device '" + p.device + "'");
  }

  void dataset(const Dataset &d) {
    const std::string where = "dataset '" + d.name + "'";
    expect(absolute(d.path), where, "its path '" + d.path + "' is not absolute");
    for (double share : {d.train, d.val, d.test}) expect(share >= 0 && share <= 1, where, "a split share outside [0, 1]");
    expect(std::fabs(d.train + d.val + d.test - 1) < 1e-9, where, "its split shares do not add up to 1");
    expect(d.channels == 1 || d.channels == 3 || d.channels == 4, where, "channels is not 1, 3 or 4");
    expect(d.width >= 0 && d.height >= 0 && (d.width == 0) == (d.height == 0), where, "a half-given image size");
    expect(!d.cache_dir.empty(), where, "has no cache folder");
    expect(d.mean.size() == d.std.size(), where, "mean and std differ in length");
  }

  void control(const std::string &where, const Augment &a, const Control &c) {
    if (c.kind == Control::Op)
      expect(c.op >= 0 && static_cast<std::size_t>(c.op) < a.ops.size(), where, "a control step points at no op");
    if (c.kind == Control::SomeOf) expect(c.n >= 1, where, "some_of takes fewer than one op");
    for (const Control &child : c.children) control(where, a, child);
  }

  void augment(const std::string &where, const Augment &a) {
    expect(!a.name.empty(), where, "has no name");
    control(where, a, a.root);
  }

  void train(const Train &t) {
    const std::string where = "train '" + t.name + "'";
    expect(specs_.dataset(t.dataset) != nullptr, where, "its dataset '" + t.dataset + "' is not declared");
    if (t.augment) augment(where + ", augment '" + t.augment->name + "'", *t.augment);
    expect(!t.model.backbone.empty() && !t.model.head.empty(), where, "its model has no backbone or head");
    expect(t.optimizer.kind == "sgd" || t.optimizer.kind == "adam" || t.optimizer.kind == "adamw", where,
           "unknown optimizer '" + t.optimizer.kind + "'");
    expect(t.epochs >= 1 && t.batch >= 1, where, "fewer than one epoch or sample per batch");
    bool loss = false, headline = false;
    const char *const wanted = t.model.headline_metric();
    for (const std::string &m : t.metrics) loss = loss || m == "loss", headline = headline || m == wanted;
    expect(loss && headline, where, std::string("its metrics lack loss or ") + wanted);
    expect(t.schedule.kind != "custom" || t.schedule.formula, where, "a custom schedule without its formula");
    if (t.search) search(where, *t.search);
  }

  void search(const std::string &where, const Search &s) {
    expect(s.trials >= 1 && s.parallel >= 1, where, "its search runs no trial");
    expect(s.subset > 0 && s.subset <= 1, where, "its proxy subset is outside (0, 1]");
    expect(s.strategy != "pbt" || (s.population >= 1 && s.interval >= 1), where, "pbt without population or interval");
    std::set<std::string> names;
    for (const Dimension &d : s.dimensions) {
      expect(names.insert(d.name).second, where, "dimension '" + d.name + "' twice");
      expect(d.name.find('.') != std::string::npos, where, "dimension '" + d.name + "' is not space.var");
      if (d.kind == Dimension::Choice) expect(!d.options.empty(), where, "choice '" + d.name + "' has no options");
      else if (d.kind != Dimension::Normal) expect(d.low <= d.high, where, "dimension '" + d.name + "' has low > high");
    }
  }

  void label(const Label &l) {
    const std::string where = "label '" + l.name + "'";
    expect(specs_.dataset(l.pool) != nullptr, where, "its pool '" + l.pool + "' is not a declared dataset");
    expect(specs_.train(l.model) != nullptr, where, "its train job '" + l.model + "' is not declared");
    const std::set<std::string> strategies = {"uncertainty", "margin", "entropy", "coreset", "random"};
    expect(strategies.count(l.strategy) == 1, where, "unknown strategy '" + l.strategy + "'");
    expect(l.batch >= 1 && l.rounds >= 1, where, "asks nothing: no batch or no round");
    expect(l.seed_share >= 0 && l.seed_share <= 1, where, "seed labels share outside [0, 1]");
    expect(absolute(l.oracle_path), where, "its oracle's folder '" + l.oracle_path + "' is not absolute");
    expect(l.oracle == Label::Oracle::Folder || (!l.baseline && !l.reference), where,
           "a human oracle with a random baseline or a full-label reference");
    expect(l.steps >= 0, where, "negative steps");
    if (l.stop)
      for (const std::string &v : variables_of(*l.stop))
        expect(v == "labels" || v.rfind("val.", 0) == 0 || v.rfind("train.", 0) == 0, where,
               "its stop condition reads '" + v + "', which a round does not measure");
  }

  void deploy(const Deploy &d) {
    const std::string where = "deploy '" + d.name + "'";
    expect(specs_.train(d.from) != nullptr || specs_.label(d.from) != nullptr, where,
           "its train job or label block '" + d.from + "' is not declared");
    expect(!d.targets.empty(), where, "has no target");
    expect(absolute(d.package), where, "its package path '" + d.package + "' is not absolute");
  }

  const Specs &specs_;
  std::vector<std::string> broken_;
};

}  // namespace

std::vector<std::string> verify(const Specs &specs) { return Verifier(specs).run(); }

}  // namespace edl::spec
