#include "runtime/workflow/RunState.h"

#include "runtime/train/DetectionTrainer.h"
#include "runtime/train/SegmentationTrainer.h"

namespace edl::workflow {

train::EpochMetrics Trained::measure(const std::vector<std::size_t> &indices) const {
  if (detector) {
    lower::Detector d = detector;
    return train::evaluate_detector(d, *data, indices, norm, spec.loss);
  }
  if (segmenter) {
    lower::Segmenter s = segmenter;
    return train::evaluate_segmenter(s, *data, indices, norm, spec.loss);
  }
  lower::Network n = net;
  return train::evaluate(n, *data, indices, norm, spec.loss);
}

using Lock = std::lock_guard<std::mutex>;

const data::LoadedDataset *RunState::dataset(const std::string &name) const {
  Lock lock(mu_);
  auto it = data_.find(name);
  return it == data_.end() ? nullptr : it->second.get();
}

const data::LoadedDataset *RunState::add_dataset(const std::string &name,
                                                 std::unique_ptr<data::LoadedDataset> loaded) {
  Lock lock(mu_);
  auto &slot = data_[name];
  if (!slot) slot = std::move(loaded);
  return slot.get();
}

std::shared_ptr<const Trained> RunState::trained(const std::string &job) const {
  Lock lock(mu_);
  auto it = trained_.find(job);
  return it == trained_.end() ? nullptr : it->second;
}

std::shared_ptr<const Trained> RunState::publish(const std::string &job, std::shared_ptr<const Trained> trained) {
  Lock lock(mu_);
  auto &slot = trained_[job];
  if (!slot) slot = std::move(trained);
  return slot;
}

SearchDecision RunState::decision(const std::string &job) const {
  Lock lock(mu_);
  auto it = decisions_.find(job);
  return it == decisions_.end() ? SearchDecision{} : it->second;
}

void RunState::set_best(const std::string &job, const SpaceValues &values) {
  Lock lock(mu_);
  decisions_[job].best = values;
}

void RunState::set_adopted_augment(const std::string &job, const std::string &augment) {
  Lock lock(mu_);
  decisions_[job].augment = augment;
}

void RunState::set_final_from_trial(const std::string &job, const json &from_trial) {
  Lock lock(mu_);
  decisions_[job].from_trial = from_trial;
}

json RunState::finished_train(const std::string &job) const {
  Lock lock(mu_);
  auto it = finished_trains_.find(job);
  return it == finished_trains_.end() ? json() : it->second;
}

void RunState::set_finished_train(const std::string &job, const json &outputs) {
  Lock lock(mu_);
  finished_trains_[job] = outputs;
}

void RunState::add_error(const std::string &error) {
  Lock lock(mu_);
  out_.errors.push_back(error);
}

void RunState::add_internal_error(const std::string &error) {
  Lock lock(mu_);
  out_.internal_errors.push_back(error);
}

void RunState::add_train(const TrainOutcome &outcome) {
  Lock lock(mu_);
  out_.trains.push_back(outcome);
}

void RunState::add_package(const std::string &path) {
  Lock lock(mu_);
  out_.packages.push_back(path);
}

std::int64_t RunState::run_id() const {
  Lock lock(mu_);
  return out_.run_id;
}

void RunState::mark_interrupted() {
  Lock lock(mu_);
  out_.status = "interrupted";
}

void RunState::mark_waiting(const std::string &what) {
  Lock lock(mu_);
  out_.waiting.push_back(what);
}

bool RunState::waiting() const {
  Lock lock(mu_);
  return !out_.waiting.empty();
}

bool RunState::interrupted() const {
  Lock lock(mu_);
  return out_.status == "interrupted";
}

void RunState::set_last_error(const std::string &task, const std::string &error) {
  Lock lock(mu_);
  last_errors_[task] = error;
}

std::string RunState::last_error(const std::string &task) const {
  Lock lock(mu_);
  auto it = last_errors_.find(task);
  return it == last_errors_.end() ? "" : it->second;
}

}  // namespace edl::workflow
