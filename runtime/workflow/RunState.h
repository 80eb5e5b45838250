// What the tasks of one `edlc run` hand to each other: the datasets in
// memory, the trained jobs, what each search decided, and the run's
// outcome. One mutex guards it all and is never held while calling out, so
// it cannot be taken twice by one thread. Values leave by copy or shared
// pointer: nothing handed out depends on which task runs when.
// Uses torch: include only from runtime/workflow.
#pragma once

#include "compiler/lower/torch/BuildModel.h"
#include "compiler/lower/torch/Detector.h"
#include "compiler/lower/torch/Segmenter.h"
#include "runtime/data/Dataset.h"
#include "runtime/train/Trainer.h"
#include "runtime/workflow/Executor.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace edl::workflow {

using nlohmann::json;
using spec::SpaceValues;

// A train job ready to measure or package: its network holding the best
// epoch's weights. Published once trained (or rebuilt from the store);
// readers never change it.
struct Trained {
  lower::Network net{nullptr};
  lower::Detector detector{nullptr};    // instead of net, when the model detects
  lower::Segmenter segmenter{nullptr};  // instead of net, when the model segments
  torch::nn::Module &module() const {
    if (detector) return *detector.ptr();
    if (segmenter) return *segmenter.ptr();
    return *net.ptr();
  }
  // Loss and metrics of the network over samples `indices`, without augmentation.
  train::EpochMetrics measure(const std::vector<std::size_t> &indices) const;
  train::TrainSpec spec;
  const data::LoadedDataset *data = nullptr;
  train::Normalizer norm;
  std::shared_ptr<const train::TokenAugment> token_augment;  // text data's augment block
  std::shared_ptr<const train::AudioAugment> audio_augment;  // sound data's augment block
  std::string model_path;  // the best epoch's weights
  int best_epoch = 0;
};

// What a train job's search decided for its final training.
struct SearchDecision {
  std::optional<SpaceValues> best;   // the best trial's values
  std::string augment = "searched";  // adopted augmentation: searched, none or trivialaugment
  json from_trial;                   // {trial, model, best_epoch}: the best trial already made the final model
};

class RunState {
 public:
  explicit RunState(RunOutcome &out) : out_(out) {}

  const data::LoadedDataset *dataset(const std::string &name) const;
  // Keeps a loaded dataset for the rest of the run; returns where it lives.
  const data::LoadedDataset *add_dataset(const std::string &name, std::unique_ptr<data::LoadedDataset> loaded);

  std::shared_ptr<const Trained> trained(const std::string &job) const;
  // The first job published under a name stands (a rebuild racing it loses).
  std::shared_ptr<const Trained> publish(const std::string &job, std::shared_ptr<const Trained> trained);

  SearchDecision decision(const std::string &job) const;
  void set_best(const std::string &job, const SpaceValues &values);
  void set_adopted_augment(const std::string &job, const std::string &augment);
  void set_final_from_trial(const std::string &job, const json &from_trial);

  // The outputs of a train task finished before this run restarted.
  json finished_train(const std::string &job) const;
  void set_finished_train(const std::string &job, const json &outputs);

  void add_error(const std::string &error);
  void add_internal_error(const std::string &error);
  void add_train(const TrainOutcome &outcome);
  void add_package(const std::string &path);
  std::int64_t run_id() const;
  void mark_interrupted();
  // A label round stopped until a person answers: the run ends as waiting
  // (resumed by the next `edlc run`); `what` says where the questions are.
  void mark_waiting(const std::string &what);
  bool waiting() const;
  bool interrupted() const;

  void set_last_error(const std::string &task, const std::string &error);
  std::string last_error(const std::string &task) const;

 private:
  mutable std::mutex mu_;
  RunOutcome &out_;
  std::map<std::string, std::unique_ptr<data::LoadedDataset>> data_;
  std::map<std::string, std::shared_ptr<const Trained>> trained_;
  std::map<std::string, SearchDecision> decisions_;
  std::map<std::string, json> finished_trains_;
  std::map<std::string, std::string> last_errors_;
};

}  // namespace edl::workflow
