// Checker: rules that span blocks — searched values and their strategy,
// heads against dataset tasks, split shares.
#include "compiler/sema/CheckerImpl.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <regex>
#include <sstream>

namespace edl::sema {

using ast::DeclKind;

namespace {

// The task a source's data serves: boxes come only from COCO and VOC
// annotations, label maps only from mask folders.
std::string source_task(const std::string &source) {
  if (source == "coco" || source == "voc") return "detection";
  if (source == "mask_folder") return "segmentation";
  return "classification";
}

// What a dataset's source gives: "text" (csv rows), "sound" (audio
// clips) or "images"; empty when it is not written yet.
std::string dataset_input(const ast::Decl *dataset) {
  const ast::Property *source = dataset ? ast::find_property(dataset->properties, "source") : nullptr;
  const auto *call = source ? source->value->as<ast::Call>() : nullptr;
  if (!call) return "";
  return call->callee == "csv" ? "text" : call->callee == "audio_folder" ? "sound" : "images";
}

// What a model's backbone reads: "text" (token ids), "sound" (log-mel
// spectrograms) or "images".
std::string model_input(const ast::Decl *model) {
  const ast::Property *backbone = model ? ast::find_property(model->properties, "backbone") : nullptr;
  const auto *call = backbone ? backbone->value->as<ast::Call>() : nullptr;
  if (!call) return "";
  return call->callee == "text_cnn" || call->callee == "lstm" || call->callee == "transformer" ? "text"
         : call->callee == "audio_cnn"                         ? "sound"
                                                               : "images";
}

}  // namespace

void Checker::check_dataset_rules(const ast::Decl &d) {
  if (const ast::Property *source = property(d, "source"))
    if (const auto *call = source->value->as<ast::Call>()) {
      const ast::Property *task = property(d, "task");
      const auto *written = task ? task->value->as<ast::Name>() : nullptr;
      const std::string declared = written ? written->name : "classification", gives = source_task(call->callee);
      if (declared != gives && (written || !task))
        diags_.report(DiagId::SourceTaskMismatch, task ? task->value->range : source->value->range,
                      {call->callee, gives, d.name, declared})
            .help(NoteId::SetTask, {gives});
    }
  // split.group is a regular expression (ECMAScript, as std::regex reads
  // it), short and shallow enough that compiling it cannot exhaust the
  // stack (std::regex recurses on every nested group).
  if (const ast::Property *split = property(d, "split"))
    if (const auto *record = split->value->as<ast::Record>())
      if (const ast::Property *group = ast::find_property(record->fields, "group"))
        if (const auto *l = group->value->as<ast::Literal>(); l && l->literal == ast::LiteralKind::String) {
          int depth = 0, deepest = 0;
          for (char c : l->text) deepest = std::max(deepest, depth += c == '(' ? 1 : c == ')' ? -1 : 0);
          const std::string shown = l->text.size() > 40 ? l->text.substr(0, 37) + "..." : l->text;
          if (l->text.size() > 200 || deepest > 16) {
            diags_.report(DiagId::BadGroupPattern, group->value->range,
                          {shown, "keep it under 200 characters and 16 nested groups"});
          } else {
            try {
              std::regex check(l->text);
            } catch (const std::regex_error &e) {
              diags_.report(DiagId::BadGroupPattern, group->value->range, {shown, e.what()});
            }
          }
        }
  // `image` settings describe decoded images, `text` settings tokenized
  // rows, `audio` settings decoded clips.
  const std::string input = dataset_input(&d);
  for (const auto &[key, kind, data] : {std::tuple<const char *, const char *, const char *>{"image", "images", "image"},
                                        {"text", "text", "text"},
                                        {"audio", "sound", "sound"}})
    if (const ast::Property *p = property(d, key); p && !input.empty() && input != kind)
      diags_.report(DiagId::PropertyOfOtherData, p->key_range, {key, data, d.name, input});
  // Decoders give 1 (gray), 3 (colour) or 4 (with alpha) channels; 2 is no image format.
  if (const ast::Property *image = property(d, "image"))
    if (const auto *r = image->value->as<ast::Record>())
      if (const ast::Property *ch = ast::find_property(r->fields, "channels"))
        if (auto n = const_number(*ch->value); n && n->value == 2)
          diags_.report(DiagId::ValueOutOfRange, ch->value->range,
                        {"2", "channels", "must be 1 (gray), 3 (colour) or 4 (with alpha)"});
  const ast::Property *split = property(d, "split");
  const auto *record = split ? split->value->as<ast::Record>() : nullptr;
  if (!record || record->fields.empty()) return;
  double sum = 0;
  for (const ast::Property &f : record->fields) {
    auto n = const_number(*f.value);
    if (!n) return;  // a non-number was reported already
    sum += n->value;
  }
  if (std::fabs(sum - 1.0) > 1e-9) {
    std::ostringstream s;
    s << sum * 100 << "%";
    diags_.report(DiagId::SplitSum, split->value->range, {s.str()}).help(NoteId::SplitHelp);
  }
}

namespace {

// Every split.metric a condition reads (and/or/not of comparisons).
void metrics_read(const ast::Expr &e, std::vector<const ast::Member *> &out) {
  if (const auto *m = e.as<ast::Member>()) out.push_back(m);
  if (const auto *u = e.as<ast::Unary>()) metrics_read(*u->operand, out);
  if (const auto *b = e.as<ast::Binary>()) {
    metrics_read(*b->lhs, out);
    metrics_read(*b->rhs, out);
  }
}

}  // namespace

void Checker::check_label_rules(const ast::Decl &d) {
  // The baseline and the reference ask the oracle about every item they
  // use: a person is never asked for them (the resolve stage leaves them out).
  const ast::Property *oracle = property(d, "oracle");
  const auto *call = oracle ? oracle->value->as<ast::Call>() : nullptr;
  if (call && call->callee == "human")
    for (const char *comparison : {"baseline", "reference"})
      if (const ast::Property *p = property(d, comparison))
        if (const auto *l = p->value->as<ast::Literal>(); l && l->literal == ast::LiteralKind::Bool && l->boolean)
          diags_.report(DiagId::LabelComparisonByHand, p->value->range, {d.name, comparison});
  const ast::Property *stop = property(d, "stop");
  if (!stop) return;
  std::vector<const ast::Member *> read;
  metrics_read(*stop->value, read);
  for (const ast::Member *m : read) {
    const auto *split = m->object->as<ast::Name>();
    if (split && split->name != "val" && split->name != "train")
      diags_.report(DiagId::LabelStopUnmeasured, m->range, {d.name, split->name + "." + m->member});
  }
}

namespace {

std::string head_task(const ast::Decl *model) {
  if (!model) return "";
  const ast::Property *head = ast::find_property(model->properties, "head");
  if (!head) return "classification";  // the default head is classifier()
  std::string callee;
  if (const auto *c = head->value->as<ast::Call>()) callee = c->callee;
  if (const auto *n = head->value->as<ast::Name>()) callee = n->name;
  const stdlib::Function *f = stdlib::catalogue().find(stdlib::Category::Head, callee);
  return f ? f->task : "";
}

std::string dataset_task(const ast::Decl *dataset) {
  if (!dataset) return "";
  const ast::Property *task = ast::find_property(dataset->properties, "task");
  const auto *n = task ? task->value->as<ast::Name>() : nullptr;
  return n ? n->name : "classification";
}

}  // namespace

void Checker::check_augment_domain(const ast::Decl &train, const ast::Decl &augment, const std::string &holds) {
  // What each step works on: an op its catalogue entry's data, a user op
  // and a policy (which picks image ops) images; control steps their body.
  const unsigned wanted = holds == "text"    ? stdlib::kText
                         : holds == "sound" ? stdlib::kAudio
                                            : stdlib::kImage | stdlib::kBatch;
  const std::function<void(const std::vector<ast::Step> &)> walk = [&](const std::vector<ast::Step> &steps) {
    for (const ast::Step &step : steps) {
      const stdlib::Function *op = stdlib::catalogue().find(stdlib::Category::AugmentOp, step.name);
      const stdlib::Function *control = stdlib::catalogue().find(stdlib::Category::Control, step.name);
      if (control) {
        walk(step.body);
        continue;
      }
      const unsigned domains = op ? op->domains : stdlib::kImage;
      if (!op && !stdlib::catalogue().find(stdlib::Category::Policy, step.name) &&
          !result_.decls[static_cast<int>(DeclKind::Op)].count(step.name))
        continue;  // unknown: reported where it is written
      if (domains & wanted) continue;
      const std::string works = domains & stdlib::kText ? "text" : domains & stdlib::kAudio ? "sound" : "images";
      diags_.report(DiagId::OpOfOtherData, step.name_range, {augment.name, step.name, works, train.name, holds})
          .label(property(train, "augment")->value->range, NoteId::UsedHere, {augment.name});
    }
  };
  walk(augment.steps);
}

void Checker::check_trains() {
  for (const auto &entry : result_.decls[static_cast<int>(DeclKind::Train)]) {
    const std::string &name = entry.first;
    const ast::Decl *decl = entry.second;
    TrainFacts facts;
    facts.decl = decl;
    facts.dataset = referenced(decl, "data", DeclKind::Dataset);
    facts.augment = referenced(decl, "augment", DeclKind::Augment);
    facts.model = referenced(decl, "model", DeclKind::Model);
    if (const ast::Property *s = property(*decl, "search")) facts.search = s->value->as<ast::Call>();
    for (const ast::Decl *d : {static_cast<const ast::Decl *>(decl), facts.dataset, facts.augment, facts.model}) {
      if (!d) continue;
      for (const SpaceUse &u : uses_[d]) facts.searched.push_back(u);
    }
    if (!facts.searched.empty() && !property(*decl, "search"))
      diags_.report(DiagId::SearchedWithoutSearch, decl->name_range, {name})
          .label(facts.searched.front().range, NoteId::SearchedBecause,
                 {facts.searched.front().space->name + "." + facts.searched.front().var})
          .help(NoteId::AddSearch);
    if (facts.searched.empty() && property(*decl, "search"))
      diags_.report(DiagId::SearchWithoutSearched, property(*decl, "search")->key_range, {name});

    // A text model reads token ids, a sound model spectrograms, an image model pixels.
    const std::string reads = model_input(facts.model), holds = dataset_input(facts.dataset);
    if (!reads.empty() && !holds.empty() && reads != holds)
      diags_.report(DiagId::InputKindMismatch, property(*decl, "model")->value->range,
                    {facts.model->name, reads, facts.dataset->name, holds})
          .label(property(*facts.model, "backbone")->value->range, NoteId::DeclaredHere, {"backbone"});
    if (facts.augment && !holds.empty()) check_augment_domain(*decl, *facts.augment, holds);

    std::string head = head_task(facts.model), task = dataset_task(facts.dataset);
    if (!head.empty() && !task.empty() && head != task) {
      const ast::Property *h = property(*facts.model, "head");
      std::string head_name = "classifier";
      SourceRange at = facts.model->name_range;
      if (h) {
        at = h->value->range;
        if (const auto *c = h->value->as<ast::Call>()) head_name = c->callee;
        if (const auto *n = h->value->as<ast::Name>()) head_name = n->name;
      }
      diags_.report(DiagId::IncompatibleHead, property(*decl, "model")->value->range,
                    {head_name, head, facts.dataset->name, task})
          .label(at, NoteId::DeclaredHere, {head_name});
    }
    // Each task measures its own metrics: no accuracy of a detector, no map of a classifier.
    if (!head.empty() && (head == task || task.empty())) check_metrics_of(*decl, head);
    check_loss_of(*decl, facts.model);
    check_distributed(*decl, head.empty() ? task : head);
    // Boxes and masks follow the warp, but not a blend of two images.
    if (facts.augment && facts.dataset && task != "classification") {
      const std::function<const ast::Step *(const std::vector<ast::Step> &)> blending =
          [&](const std::vector<ast::Step> &steps) -> const ast::Step * {
        for (const ast::Step &step : steps) {
          if (step.name == "mixup" || step.name == "cutmix") return &step;
          if (const ast::Step *inner = blending(step.body)) return inner;
        }
        return nullptr;
      };
      if (const ast::Step *step = blending(facts.augment->steps))
        diags_.report(DiagId::OpWithoutBoxes, step->name_range, {step->name, facts.augment->name, facts.dataset->name, task})
            .label(property(*decl, "augment")->value->range, NoteId::UsedHere, {facts.augment->name});
    }
    result_.trains.push_back(std::move(facts));
  }
}

namespace {

struct MetricUse {
  std::string split;  // "" for a name of the `metrics` list (recorded on every split)
  std::string metric;
  SourceRange range;
};

// split.metric members and the bare names of a `metrics` list, anywhere in e.
void metric_uses(const ast::Expr &e, bool in_metrics_list, std::vector<MetricUse> &out) {
  if (const auto *m = e.as<ast::Member>()) {
    if (const auto *split = m->object->as<ast::Name>();
        split && (split->name == "train" || split->name == "val" || split->name == "test"))
      out.push_back({split->name, m->member, m->member_range});
  } else if (const auto *n = e.as<ast::Name>()) {
    if (in_metrics_list) out.push_back({"", n->name, n->range});
  } else if (const auto *l = e.as<ast::List>()) {
    for (const auto &item : l->items) metric_uses(*item, in_metrics_list, out);
  } else if (const auto *r = e.as<ast::Record>()) {
    for (const ast::Property &f : r->fields) metric_uses(*f.value, false, out);
  } else if (const auto *c = e.as<ast::Call>()) {
    for (const ast::Argument &a : c->args) metric_uses(*a.value, false, out);
  }
}

// What each task measures.
const std::vector<std::string> &metrics_of_task(const std::string &task) {
  static const std::vector<std::string> classification = {"loss", "accuracy", "top5", "f1", "precision", "recall"};
  static const std::vector<std::string> detection = {"loss", "map", "map50"};
  static const std::vector<std::string> segmentation = {"loss", "miou", "pixel_accuracy"};
  return task == "detection" ? detection : task == "segmentation" ? segmentation : classification;
}

}  // namespace

void Checker::check_metrics_of(const ast::Decl &train, const std::string &task) {
  std::vector<MetricUse> used;
  for (const ast::Property &p : train.properties) metric_uses(*p.value, p.key == "metrics", used);
  const std::vector<std::string> &measured = metrics_of_task(task);
  std::string list;
  for (const std::string &m : measured) list += (list.empty() ? "" : ", ") + m;
  const stdlib::Catalogue &c = stdlib::catalogue();
  const std::vector<std::string> &known = c.metric_names();
  for (const auto &[split, metric, range] : used) {  // unknown and not-yet metrics are reported already
    if (std::find(measured.begin(), measured.end(), metric) == measured.end() &&
        std::find(known.begin(), known.end(), metric) != known.end() && c.metric_runs(metric))
      diags_.report(DiagId::MetricNotOfTask, range, {metric, train.name, task, list});
    // A detector's mAP and a segmenter's IoU are measured on held-out images
    // only; their training epochs keep the loss.
    else if ((task == "detection" || task == "segmentation") && split == "train" && metric != "loss")
      diags_.report(DiagId::MetricNotOfTask, range,
                    {"train." + metric, train.name, task, "loss on the training split; " + list + " on val and test"});
  }
}

void Checker::check_model_rules(const ast::Decl &d) {
  // Unfreezing needs blocks frozen first.
  if (const ast::Property *b = property(d, "backbone"))
    if (const auto *call = b->value->as<ast::Call>()) {
      const ast::Expr *unfreeze = nullptr;
      bool frozen = false;
      for (const ast::Argument &a : call->args) {
        if (a.name == "unfreeze" && a.value->as<ast::Record>()) unfreeze = a.value.get();
        if (a.name == "freeze" && a.value->as<ast::Literal>()) frozen = true;
      }
      if (unfreeze && !frozen) diags_.report(DiagId::UnfreezeWithoutFreeze, unfreeze->range, {call->callee});
    }
  // A pyramid serves a detector's levels; a classifier would drop it.
  const ast::Property *neck = property(d, "neck");
  const std::string task = head_task(&d);
  if (neck && !task.empty() && task != "detection") {
    const auto *call = neck->value->as<ast::Call>();
    diags_.report(DiagId::NeckWithoutDetector, neck->value->range, {call ? call->callee : "neck", d.name, task});
  }
}

const ast::Decl *Checker::referenced(const ast::Decl *d, const char *key, DeclKind kind) const {
  const ast::Property *p = d ? property(*d, key) : nullptr;
  const auto *n = p ? p->value->as<ast::Name>() : nullptr;
  return n ? lookup(kind, n->name) : nullptr;
}

// A detector's loss is its head's: retinanet's classes take the focal
// loss (its gamma may be written), yolo's and faster_rcnn's are fixed.
// Segmentation heads take cross_entropy or dice, and only they take dice.
// A `loss` that would be dropped is E0519.
void Checker::check_loss_of(const ast::Decl &train, const ast::Decl *model) {
  const ast::Property *loss = property(train, "loss");
  const ast::Property *head = model ? property(*model, "head") : nullptr;
  if (!loss || !model) return;
  auto name_of = [](const ast::Expr &e) {
    if (const auto *c = e.as<ast::Call>()) return c->callee;
    if (const auto *n = e.as<ast::Name>()) return n->name;
    return std::string();
  };
  const std::string head_name = head ? name_of(*head->value) : "classifier", loss_name = name_of(*loss->value);
  const char *why = head_name == "retinanet" && loss_name != "focal"
                        ? "its classes train with the focal loss: write focal(gamma = ...) or leave loss out"
                    : head_name == "yolo" ? "it trains with its own loss (objectness, classes, GIoU): leave loss out"
                    : head_name == "faster_rcnn"
                        ? "it trains with its own losses (the RPN's objectness and boxes, the box head's classes and "
                          "boxes): leave loss out"
                    : (head_name == "fcn" || head_name == "unet") && loss_name == "focal"
                        ? "segmentation trains with cross_entropy (the default) or dice"
                    : head_name != "fcn" && head_name != "unet" && loss_name == "dice"
                        ? "dice scores label maps: it is a loss of the segmentation heads fcn and unet"
                        : nullptr;
  if (why) diags_.report(DiagId::LossNotOfHead, loss->value->range, {train.name, loss_name, head_name, why});
}

void Checker::check_distributed(const ast::Decl &train, const std::string &task) {
  const ast::Property *p = property(train, "distributed");
  const auto *r = p ? p->value->as<ast::Record>() : nullptr;
  if (!r) return;
  std::int64_t workers = 0;
  for (const ast::Property &f : r->fields) {
    const auto *n = f.value->as<ast::Name>();
    if (f.key == "backend" && n && n->name == "nccl")
      not_supported(f.value->range, "backend", "nccl", "gloo: this edlc trains on the CPU");
    if (const auto *l = f.value->as<ast::Literal>(); f.key == "workers" && l && l->literal == ast::LiteralKind::Int)
      workers = l->int_value;
  }
  if (!task.empty() && task != "classification")
    not_supported(p->value->range, "distributed " + task + " training, train", train.name,
                  "distributed classification of images, text and sound");
  if (const ast::Decl *model = referenced(&train, "model", DeclKind::Model))
    if (const ast::Property *b = property(*model, "backbone"))
      if (const auto *call = b->value->as<ast::Call>())
        for (const ast::Argument &a : call->args)
          if (a.name == "unfreeze" && a.value->as<ast::Record>())
            not_supported(p->value->range, "distributed training of a backbone with 'unfreeze', train", train.name,
                          "'freeze' alone, or 'unfreeze' in one process");
  if (property(train, "search"))
    not_supported(p->value->range, "distributed training under a search, train", train.name,
                  "distributed training of a train job without search (a search's trials train in one process each)");
  // Each worker takes batch / workers samples of every batch: the batch
  // means the same with any number of workers.
  std::int64_t batch = 32;
  if (const ast::Property *b = property(train, "batch")) {
    const auto *l = b->value->as<ast::Literal>();
    batch = l && l->literal == ast::LiteralKind::Int ? l->int_value : 0;  // 0: searched, not known here
  }
  if (workers > 1 && batch > 0 && batch % workers != 0) {
    const ast::Property *b = property(train, "batch");
    diags_.report(DiagId::BatchNotSplit, b ? b->value->range : p->value->range,
                  {train.name, std::to_string(batch), std::to_string(workers)})
        .note(NoteId::BatchMultiple, {std::to_string(workers), std::to_string((batch / workers + 1) * workers)});
  }
}

// edge(quantize = int8) among a detector's or segmenter's deploy targets: E0518.
void Checker::check_edge_of_detector(const ast::Decl &deploy, const std::string &train, const char *model) {
  const ast::Property *targets = property(deploy, "targets");
  const auto *list = targets ? targets->value->as<ast::List>() : nullptr;
  if (!list) return;
  for (const ast::ExprPtr &item : list->items) {
    const auto *call = item->as<ast::Call>();
    if (!call || call->callee != "edge") continue;
    for (const ast::Argument &a : call->args) {
      const auto *n = a.value->as<ast::Name>();
      const auto *l = a.value->as<ast::Literal>();
      if (a.name == "quantize" && ((n && n->name == "int8") || (l && l->spelling == "\"int8\"")))
        diags_.report(DiagId::Int8Detector, a.range, {deploy.name, train, model});
    }
  }
}

void Checker::check_task_users() {
  // A label block asks for one class per image and trains its model's
  // recipe on the answers: a pool, or model data, of boxes or masks has no such answer.
  for (const auto &[name, decl] : result_.decls[static_cast<int>(DeclKind::Label)]) {
    const ast::Decl *pool = referenced(decl, "pool", DeclKind::Dataset);
    const std::string pool_task = dataset_task(pool);
    if (!pool_task.empty() && pool_task != "classification")
      diags_.report(DiagId::LabelPoolNotClasses, property(*decl, "pool")->value->range,
                    {name, "its pool '" + pool->name + "'", pool_task});
    const ast::Decl *train = referenced(decl, "model", DeclKind::Train);
    const std::string task = dataset_task(referenced(train, "data", DeclKind::Dataset));
    const std::string model_data = dataset_input(referenced(train, "data", DeclKind::Dataset));
    const std::string pool_data = dataset_input(pool);
    auto not_images = [](const std::string &kind) { return kind == "text" || kind == "sound"; };
    const std::string other = not_images(model_data) ? model_data : not_images(pool_data) ? pool_data : "";
    if (!other.empty())  // said at the model, else at the pool (either may be missing)
      not_supported(property(*decl, model_data == other ? "model" : "pool")->value->range,
                    "smart labeling of " + other + ", label", name, "label blocks over images");
    if (!task.empty() && task != "classification")
      diags_.report(DiagId::LabelPoolNotClasses, property(*decl, "model")->value->range,
                    {name, "the data of its model '" + train->name + "'", task});
    if (train && property(*train, "distributed"))
      not_supported(property(*decl, "model")->value->range, "distributed rounds of smart labeling, label", name,
                    "rounds trained in one process: train '" + train->name + "' without distributed");
  }
  // Packages hold image, text and sound classifiers, detectors and
  // segmenters; int8 quantizes image classifiers only (it calibrates on images).
  for (const auto &[name, decl] : result_.decls[static_cast<int>(DeclKind::Deploy)]) {
    const ast::Decl *train = referenced(decl, "from", DeclKind::Train);
    const std::string task = head_task(referenced(train, "model", DeclKind::Model));
    const std::string holds = dataset_input(referenced(train, "data", DeclKind::Dataset));
    if (holds == "text" || holds == "sound")
      check_edge_of_detector(*decl, train->name, holds == "text" ? "text classifier" : "sound classifier");
    else if (task == "detection" || task == "segmentation")
      check_edge_of_detector(*decl, train->name, task == "detection" ? "detector" : "segmenter");
  }
}

}  // namespace edl::sema
