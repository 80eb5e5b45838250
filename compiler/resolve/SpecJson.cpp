#include "compiler/resolve/SpecJson.h"

#include <iterator>
#include <set>
#include <sstream>

namespace edl::spec {
namespace {

using nlohmann::json;

json scalars(const std::vector<Scalar> &list) {
  json out = json::array();
  for (const Scalar &s : list) out.push_back(to_json(s));
  return out;
}

const char *to_string(OpKind k) {
  static const char *const names[] = {
      "flip_horizontal", "flip_vertical", "rotate", "rotate90", "affine", "shear_x", "shear_y", "translate_x",
      "translate_y", "crop", "random_resized_crop", "resize", "pad", "brightness", "contrast", "saturation", "hue",
      "grayscale", "invert", "solarize", "posterize", "gamma", "cutout", "noise", "blur", "sharpness", "equalize",
      "autocontrast", "mixup", "cutmix", "token_dropout", "token_swap", "time_shift", "gain",
      "time_mask", "freq_mask", "custom"};
  static_assert(std::size(names) == static_cast<std::size_t>(OpKind::Custom) + 1, "a name for every op kind");
  return names[static_cast<int>(k)];
}

json to_json(const Value &v) {
  static const char *const kinds[] = {"const", "uniform", "loguniform", "int", "choice", "normal"};
  if (v.kind == Value::Const) return to_json(v.a);
  json out = {{"sample", kinds[v.kind]}};
  if (v.kind == Value::Choice) out["options"] = v.options;
  else out["a"] = v.a.value, out["b"] = v.b;
  return out;
}

json to_json(const Control &c) {
  static const char *const kinds[] = {"op", "sequence", "maybe", "one_of", "some_of"};
  json out = {{"kind", kinds[c.kind]}};
  if (c.kind == Control::Op) out["op"] = c.op;
  if (c.kind == Control::Maybe) out["p"] = to_json(c.p_value);
  if (c.kind == Control::SomeOf) out["n"] = c.n;
  if (!c.children.empty()) {
    out["children"] = json::array();
    for (const Control &child : c.children) out["children"].push_back(to_json(child));
  }
  return out;
}

json to_json(const Model &m) {
  json out = {{"name", m.name}, {"backbone", m.backbone}, {"head", m.head}, {"dropout", to_json(m.dropout)}};
  if (!m.hidden.empty()) out["hidden"] = scalars(m.hidden);
  if (!m.channels.empty()) out["channels"] = scalars(m.channels);
  if (m.backbone == "cnn") out["kernel"] = to_json(m.kernel);
  if (m.backbone == "audio_cnn" && m.dims.value != 2) out["dims"] = to_json(m.dims);  // only when set: 2-D models keep their identity
  if (m.backbone == "mobilenet_v2") out["width"] = to_json(m.width);
  out["head_hidden"] = scalars(m.head_hidden);
  out["pretrained"] = m.pretrained.empty() ? json(nullptr) : json(m.pretrained);
  out["freeze"] = m.freeze.empty() ? json(nullptr) : json(m.freeze);
  // Only when set: models that do not fine-tune keep their identity.
  if (m.unfreeze_after > 0) out["unfreeze"] = {{"after", m.unfreeze_after}, {"lr_scale", m.unfreeze_lr_scale}};
  if (m.layer_decay < 1.0) out["layer_decay"] = m.layer_decay;
  // Only for detectors: every other model's identity stays as it was.
  if (m.detects()) {
    out["neck"] = m.neck.empty() ? json(nullptr) : json({{"kind", m.neck}, {"channels", to_json(m.neck_channels)}});
    out["anchors"] = {{"sizes", scalars(m.anchor_sizes)}, {"ratios", scalars(m.anchor_ratios)},
                      {"scales", scalars(m.anchor_scales)}};
    out["towers"] = {{"depth", to_json(m.head_depth)}, {"channels", to_json(m.head_channels)}};
    out["keep"] = {{"score_threshold", to_json(m.score_threshold)}, {"nms_threshold", to_json(m.nms_threshold)},
                   {"detections", to_json(m.detections)}};
    if (m.head == "faster_rcnn")
      out["second_stage"] = {{"proposals", to_json(m.proposals)}, {"rois", to_json(m.rois)},
                             {"box_width", to_json(m.box_width)}};
  }
  if (m.head == "unet") out["decoder_channels"] = to_json(m.decoder_channels);
  if (m.reads_text()) out["embed"] = to_json(m.embed);
  if (m.backbone == "text_cnn") out["kernels"] = scalars(m.kernels);
  if (m.backbone == "transformer")
    out["encoder"] = {{"layers", to_json(m.layers)}, {"heads", to_json(m.heads)}, {"ff", to_json(m.ff)},
                      {"dropout", to_json(m.encoder_dropout)}};
  if (m.backbone == "lstm") {
    out["layers"] = to_json(m.layers);
    out["bidirectional"] = m.bidirectional;
  }
  return out;
}

json to_json(const Search &s) {
  json dims = json::array();
  for (const Dimension &d : s.dimensions) {
    json j = {{"variable", d.name}, {"distribution", to_string(d.kind)}};
    if (d.kind == Dimension::Choice) j["options"] = d.options;
    else j["low"] = d.low, j["high"] = d.high;
    dims.push_back(j);
  }
  json out = {{"strategy", s.strategy},
              {"trials", s.trials},
              {"dimensions", dims},
              {"objective", (s.maximize ? "maximize " : "minimize ") + s.objective_name()},
              {"parallel", s.parallel},
              {"budget_seconds", s.budget_seconds},
              {"pruner", s.pruner.empty() ? json(nullptr) : json({{"kind", s.pruner}, {"first", s.prune_first},
                                                                    {"reduction", s.prune_reduction}})},
              {"proxy", s.has_proxy ? json({{"epochs", s.proxy_epochs}, {"subset", s.subset}}) : json(nullptr)}};
  if (s.strategy == "pbt")
    out["pbt"] = {{"population", s.population}, {"interval", s.interval}, {"perturb", {s.perturb.first, s.perturb.second}}};
  if (s.baseline_augment) out["baseline_augment"] = to_json(*s.baseline_augment);
  return out;
}

void strip(json &j, const std::set<std::string> &keys) {
  if (j.is_object()) {
    for (const std::string &k : keys) j.erase(k);
    for (auto &[k, v] : j.items()) strip(v, keys);
  } else if (j.is_array()) {
    for (json &v : j) strip(v, keys);
  }
}

}  // namespace

json to_json(const Scalar &s) {
  if (!s.searched) return s.integral ? json(static_cast<long long>(s.value)) : json(s.value);
  return {{"searched", to_text(*s.searched)}, {"default", s.value}};
}

json to_json(const Project &p) {
  return {{"name", p.name}, {"seed", p.seed}, {"device", p.device}, {"store", p.store}, {"threads", p.threads},
          {"workflow", {{"parallel", p.workflow_parallel}, {"retries", p.retries}, {"backoff", p.backoff}}}};
}

json to_json(const Dataset &d) {
  json out = {{"name", d.name},
              {"source", to_string(d.source)},
              {"path", d.path},
              {"split", {{"train", d.train}, {"val", d.val}, {"test", d.test}}},
              {"stratify", d.stratify},
              {"classes", d.classes.empty() ? json(nullptr) : json(d.classes)},
              {"on_error", d.fail_on_error ? "fail" : "skip"},
              {"seed", d.seed}};
  if (d.source == SourceKind::Csv) {
    out["columns"] = {{"text", d.text_column}, {"label", d.label_column}};
    out["text"] = {{"tokenizer", d.text.tokenizer}, {"lowercase", d.text.lowercase}, {"min_count", d.text.min_count},
                   {"max_vocab", d.text.max_vocab}, {"max_len", d.text.max_len}};
  }
  if (has_boxes(d.source)) out["annotations"] = d.annotations;
  if (has_masks(d.source)) out["masks"] = {{"folder", d.annotations}, {"ignore_index", d.ignore_index}};
  if (d.unlabeled) out["unlabeled"] = true;  // only when set: every other dataset's identity stays as it was
  if (!d.split_group.empty()) out["split_group"] = d.split_group;  // likewise
  if (d.source == SourceKind::AudioFolder) {
    out["audio"] = {{"sample_rate", d.sample_rate},
                    {"duration", d.duration},
                    {"log_mel", {{"n_mels", d.log_mel.n_mels}, {"n_fft", d.log_mel.n_fft}, {"hop", d.log_mel.hop}}}};
    if (d.log_mel.n_mfcc > 0) out["audio"]["mfcc"] = d.log_mel.n_mfcc;  // only when set, as above
  } else {
    json normalize = d.mean.empty() ? json(d.normalize) : json({{"mean", d.mean}, {"std", d.std}});
    out["image"] = {{"size", d.width ? json({d.width, d.height}) : json(nullptr)},
                    {"channels", d.channels},
                    {"max_pixels", d.max_pixels},
                    {"normalize", normalize}};
  }
  return out;
}

json to_json(const Augment &a) {
  json ops = json::array();
  for (const AugmentOp &op : a.ops) {
    json j = {{"op", to_string(op.kind)}, {"name", op.name}};
    json args = json::array();
    for (const Value &v : op.args) args.push_back(to_json(v));
    j["args"] = args;
    if (op.size_w) j["size"] = {op.size_w, op.size_h};
    if (op.size_fraction) j["size_fraction"] = op.size_fraction;
    if (op.kind == OpKind::Crop) j["center"] = op.center;
    if (op.kind == OpKind::Cutout) j["count"] = op.count;
    if (op.custom) {
      json params = json::array();
      for (const CustomOp::Param &p : op.custom->params) params.push_back(p.name + ": " + p.type);
      j["formula"] = {{"params", params}, {"body", to_text(op.custom->body)}};
    }
    ops.push_back(j);
  }
  return {{"name", a.name}, {"ops", ops}, {"control", to_json(a.root)}, {"fill", a.fill}};
}

json to_json(const Train &t) {
  const Optimizer &o = t.optimizer;
  json optimizer = {{"kind", o.kind}, {"lr", to_json(o.lr)}, {"weight_decay", to_json(o.weight_decay)}};
  if (o.kind == "sgd") optimizer["momentum"] = to_json(o.momentum), optimizer["nesterov"] = o.nesterov;
  else optimizer["betas"] = {to_json(o.beta1), to_json(o.beta2)};
  const Schedule &s = t.schedule;
  json schedule = {{"kind", s.kind}};
  if (s.kind == "step") schedule["every"] = to_json(s.every), schedule["gamma"] = to_json(s.gamma);
  if (s.kind == "cosine") schedule["warmup"] = to_json(s.warmup);
  if (s.kind == "onecycle") schedule["max_lr"] = to_json(s.max_lr);
  if (s.kind == "custom" && s.formula) schedule["formula"] = to_text(*s.formula);
  json loss = {{"kind", t.loss.kind}};
  if (t.loss.kind == "cross_entropy") loss["label_smoothing"] = to_json(t.loss.label_smoothing);
  if (t.loss.kind == "focal") loss["gamma"] = to_json(t.loss.gamma);
  if (t.loss.kind == "dice") loss["cross_entropy"] = to_json(t.loss.cross_entropy_weight);
  const EarlyStop &e = t.early_stop;
  json out = {{"name", t.name},
              {"dataset", t.dataset},
              {"augment", t.augment ? to_json(*t.augment) : json(nullptr)},
              {"model", to_json(t.model)},
              {"optimizer", optimizer},
              {"schedule", schedule},
              {"loss", loss},
              {"epochs", to_json(t.epochs)},
              {"batch", to_json(t.batch)},
              {"metrics", t.metrics},
              {"early_stop", e.enabled ? json({{"metric", e.split + "." + e.metric},
                                               {"patience", to_json(e.patience)},
                                               {"maximize", e.maximize}})
                                       : json(nullptr)},
              {"checkpoint", {{"every", to_json(t.checkpoint_every)}, {"keep", to_json(t.checkpoint_keep)}}},
              {"search", t.search ? to_json(*t.search) : json(nullptr)}};
  // Only when on: one-process trainings keep their identity. DGC and
  // PowerSGD train other weights than dense exchange, so they are part of it.
  if (const Distributed &d = t.distributed; d.on()) {
    json compress = {{"kind", d.compress}};
    if (d.compress == "dgc") compress["sparsity"] = d.sparsity, compress["warmup"] = d.warmup, compress["clip"] = d.clip;
    if (d.compress == "powersgd") compress["rank"] = d.rank;
    out["distributed"] = {{"workers", d.workers}, {"backend", d.backend}, {"compress", compress}};
  }
  return out;
}

// "dataset" and "from" name the pool and the train job, as in train and
// deploy specs; a round's identity covers them through its load task and
// the recipe its task carries.
json to_json(const Label &l) {
  json seed = l.seed_share > 0 ? json{{"share", l.seed_share}} : json{{"count", l.seed_count}};
  return {{"name", l.name},
          {"dataset", l.pool},
          {"from", l.model},
          {"strategy", l.strategy},
          {"batch", l.batch},
          {"rounds", l.rounds},
          {"seed_labels", seed},
          {"oracle", {{"kind", to_string(l.oracle)}, {"path", l.oracle_path}}},
          {"stop", l.stop ? json(to_text(*l.stop)) : json(nullptr)},
          {"steps", l.steps},
          {"warm_start", l.warm_start},
          {"baseline", l.baseline},
          {"reference", l.reference}};
}

json to_json(const Deploy &d) {
  json targets = json::array();
  for (const Target &t : d.targets) targets.push_back({{"target", t.kind}, {"options", t.options}});
  return {{"name", d.name}, {"from", d.from}, {"targets", targets}, {"package", d.package}};
}

std::string canonical(const json &spec) {
  json j = spec;
  // Names label work and are covered by the dependencies' identities;
  // the store and threads say where and how fast, not what.
  strip(j, {"name", "dataset", "from", "store", "threads", "workflow"});
  return j.dump();  // nlohmann's objects keep their keys sorted
}

std::string render_spec_text(const json &spec, int indent) {
  std::ostringstream out;
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  auto simple = [](const json &v) { return !v.is_object() && !(v.is_array() && !v.empty() && v[0].is_object()); };
  for (const auto &[key, value] : spec.items()) {
    if (simple(value)) {
      out << pad << key << ": " << value.dump() << "\n";
    } else if (value.is_object()) {
      out << pad << key << ":\n" << render_spec_text(value, indent + 2);
    } else {
      for (std::size_t i = 0; i < value.size(); ++i) {
        out << pad << key << "[" << i << "]:\n";
        out << render_spec_text(value[i].is_object() ? value[i] : json{{"value", value[i]}}, indent + 2);
      }
    }
  }
  return out.str();
}

}  // namespace edl::spec
