// evaluate:JOB: the trained model's metrics and confusion matrix (a
// detector's: COCO's summary and per-class AP; a segmenter's: mean IoU,
// pixel accuracy and per-class IoU) on the held-out split (test when the
// dataset has one, else validation).
#include "compiler/support/JsonText.h"
#include "runtime/workflow/TaskRunner.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace edl::workflow {
namespace {

json metrics_json(const train::EpochMetrics &m, const std::vector<std::string> &names) {
  json j = json::object();
  for (const std::string &n : names) j[n] = m.value(n);
  return j;
}

json confusion_json(const train::ConfusionMatrix &c) {
  json rows = json::array();
  for (int t = 0; t < c.classes(); ++t) {
    json row = json::array();
    for (int p = 0; p < c.classes(); ++p) row.push_back(c.at(t, p));
    rows.push_back(row);
  }
  return rows;
}

// An image classifier's most frequent mistakes: the `pairs` (true,
// predicted) classes confused most often, each with its count and the
// files of up to `examples` of its images, for reports to show.
json confused_pairs(lower::Network net, const data::LoadedDataset &data, const std::vector<std::size_t> &indices,
                    const train::Normalizer &norm, std::size_t pairs = 6, std::size_t examples = 4) {
  const train::Predictions p = train::predict(net, data, indices, norm, false);
  std::map<std::pair<int, int>, std::vector<std::size_t>> mistakes;
  for (std::size_t k = 0; k < indices.size() && p.classes > 0; ++k) {
    const float *row = p.probabilities.data() + k * p.classes;
    const int predicted = static_cast<int>(std::max_element(row, row + p.classes) - row);
    const int truth = data.labels[indices[k]];
    if (predicted != truth) mistakes[{truth, predicted}].push_back(indices[k]);
  }
  std::vector<std::pair<std::pair<int, int>, std::vector<std::size_t>>> order(mistakes.begin(), mistakes.end());
  std::stable_sort(order.begin(), order.end(), [](const auto &a, const auto &b) { return a.second.size() > b.second.size(); });
  json out = json::array();
  for (std::size_t k = 0; k < order.size() && k < pairs; ++k) {
    json files = json::array();
    for (std::size_t e = 0; e < order[k].second.size() && e < examples; ++e) files.push_back(data.sources[order[k].second[e]]);
    out.push_back({{"true", order[k].first.first}, {"predicted", order[k].first.second},
                   {"count", order[k].second.size()}, {"examples", files}});
  }
  return out;
}

class EvaluateRunner : public TaskRunner {
 public:
  explicit EvaluateRunner(RunContext &run) : run_(run) {}

  Finish run(TaskContext &ctx) override {
    const std::string &block = ctx.task.block;
    std::shared_ptr<const Trained> job = run_.trained_job(ctx, block);
    if (!job) {
      run_.fail(ctx, "evaluate '" + block + "': train job '" + block + "' has no trained model");
      return run_.stopped();
    }
    const data::LoadedDataset &data = *job->data;
    const bool test = !data.split.test.empty();
    if (ctx.reopened) run_.store.forget_after(ctx.row, std::nullopt, -1);  // what a killed attempt recorded
    const std::vector<std::size_t> &indices = test ? data.split.test : data.split.val;
    const train::EpochMetrics m = job->measure(indices);
    const std::string split = test ? "test" : "val";
    std::vector<std::pair<std::string, double>> values;
    for (const std::string &n : job->spec.metrics) values.emplace_back(split + "." + n, m.value(n));
    run_.store.add_metrics(ctx.row, std::nullopt, job->best_epoch, 0, values);
    json outputs = {{"split", split},
                    {"samples", indices.size()},
                    {"metrics", metrics_json(m, job->spec.metrics)},
                    {"classes", data.classes}};
    if (job->detector) {
      // COCO's whole summary, and the AP of each class (-1: no object of it held out).
      json per_class = json::array();
      for (std::size_t k = 0; k < data.classes.size(); ++k) per_class.push_back(m.value("map_class_" + std::to_string(k)));
      outputs["coco"] = {{"map", m.value("map")},       {"map50", m.value("map50")},
                         {"map75", m.value("map75")},   {"map_small", m.value("map_small")},
                         {"map_medium", m.value("map_medium")}, {"map_large", m.value("map_large")},
                         {"per_class", per_class}};
    } else if (job->segmenter) {
      // Each class's IoU (-1: neither present nor predicted in the split), over pixels.
      json per_class = json::array();
      for (std::size_t k = 0; k < data.classes.size(); ++k) per_class.push_back(m.confusion.iou(static_cast<int>(k)));
      outputs["segmentation"] = {{"miou", m.value("miou")},
                                 {"pixel_accuracy", m.value("pixel_accuracy")},
                                 {"pixels", m.confusion.total()},
                                 {"per_class", per_class}};
    } else {
      outputs["confusion"] = confusion_json(m.confusion);
      // Images only: their files can be shown (text rows and clips have no picture).
      if (!data.pixels.empty() && data.texts.empty() && data.audio.empty() && data.sources.size() == data.size())
        outputs["confused"] = confused_pairs(job->net, data, indices, job->norm);
    }
    run_.store.finish_task(ctx.row, "done", "", json_text(outputs));
    std::string line = "evaluate " + block + " on " + split + " (" + std::to_string(indices.size()) + " samples):";
    for (const std::string &n : job->spec.metrics) {
      char buf[64];
      std::snprintf(buf, sizeof buf, " %s %.4f", n.c_str(), m.value(n));
      line += buf;
    }
    ctx.say(line);
    return Finish::Done;
  }

 private:
  RunContext &run_;
};

}  // namespace

std::unique_ptr<TaskRunner> make_evaluate_runner(RunContext &run) { return std::make_unique<EvaluateRunner>(run); }

}  // namespace edl::workflow
