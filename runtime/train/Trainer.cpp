#include "runtime/train/Trainer.h"

#include "runtime/dist/GradientExchange.h"
#include "runtime/train/DataParallel.h"
#include "runtime/train/FineTuning.h"
#include "runtime/train/Schedule.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <numeric>
#include <optional>
#include <random>

namespace edl::train {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimizerSpec &o,
                                                        std::vector<torch::optim::OptimizerParamGroup> params) {
  if (o.kind == "adam")
    return std::make_unique<torch::optim::Adam>(
        params, torch::optim::AdamOptions(o.lr).betas({o.beta1, o.beta2}).weight_decay(o.weight_decay));
  if (o.kind == "adamw")
    return std::make_unique<torch::optim::AdamW>(
        params, torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2}).weight_decay(o.weight_decay));
  return std::make_unique<torch::optim::SGD>(
      params, torch::optim::SGDOptions(o.lr).momentum(o.momentum).nesterov(o.nesterov).weight_decay(o.weight_decay));
}

torch::Tensor targets_of(const Batch &b, int classes) {
  if (!b.targets.empty())
    return torch::from_blob(const_cast<float *>(b.targets.data()), {b.n, classes}, torch::kFloat32);
  torch::Tensor labels = torch::from_blob(const_cast<std::int64_t *>(b.labels.data()), {b.n}, torch::kInt64);
  return torch::one_hot(labels, classes).to(torch::kFloat32);
}


void score(EpochMetrics &m, const torch::Tensor &logits, const std::vector<std::int64_t> &labels) {
  torch::Tensor predicted = logits.argmax(1).contiguous();
  const std::int64_t *p = predicted.data_ptr<std::int64_t>();
  const int k = static_cast<int>(std::min<std::int64_t>(5, logits.size(1)));
  torch::Tensor top = std::get<1>(logits.topk(k, 1)).contiguous();
  const std::int64_t *t = top.data_ptr<std::int64_t>();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    m.confusion.add(static_cast<int>(labels[i]), static_cast<int>(p[i]));
    for (int j = 0; j < k; ++j)
      if (t[i * k + j] == labels[i]) ++m.top5_hits;
  }
}

int classes_of(const data::LoadedDataset &d) { return static_cast<int>(d.classes.size()); }

// The optimizer state saved next to a checkpoint's weights, and every
// rank's gradient-exchange state (DGC, PowerSGD) in a data-parallel run.
std::string beside(const std::string &weights, const std::string &extension) {
  return weights.substr(0, weights.size() - std::filesystem::path(weights).extension().string().size()) + extension;
}
std::string optimizer_path(const std::string &weights) { return beside(weights, ".optim"); }
std::string exchange_path(const std::string &weights) { return beside(weights, ".exchange"); }

// Deletes all but the newest `keep` epoch-N.pt files of `dir` (and their
// optimizer state); returns the deleted weights files. model.pt, the best
// epoch's weights, is another file and stays.
std::vector<std::string> remove_old_checkpoints(const std::string &dir, int keep) {
  std::vector<std::pair<int, std::string>> found;
  std::error_code ec;
  for (const auto &e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("epoch-", 0) != 0 || e.path().extension() != ".pt") continue;
    try {
      found.emplace_back(std::stoi(name.substr(6)), e.path().string());
    } catch (const std::exception &) {
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> removed;
  for (std::size_t i = 0; i + static_cast<std::size_t>(keep) < found.size(); ++i) {
    std::filesystem::remove(found[i].second, ec);
    std::filesystem::remove(optimizer_path(found[i].second), ec);
    std::filesystem::remove(exchange_path(found[i].second), ec);
    removed.push_back(found[i].second);
  }
  return removed;
}

}  // namespace

torch::Tensor input_of(const Batch &b, int channels, int height, int width) {
  if (!b.tokens.empty())
    return torch::from_blob(const_cast<std::int64_t *>(b.tokens.data()),
                            {b.n, static_cast<std::int64_t>(b.tokens.size()) / b.n}, torch::kInt64);
  return torch::from_blob(const_cast<float *>(b.x.data()), {b.n, channels, height, width}, torch::kFloat32);
}

lower::InputShape input_shape(const data::LoadedDataset &data) {
  const int classes = static_cast<int>(data.classes.size());
  if (!data.tokens.empty()) return {1, 1, data.vocabulary.max_len, classes, static_cast<int>(data.vocabulary.size())};
  if (!data.audio.empty()) return {1, data.height, data.width, classes, 0, true};
  return {data.channels, data.height, data.width, classes};
}

torch::Tensor batch_loss(const torch::Tensor &logits, const torch::Tensor &targets, const LossSpec &loss) {
  const double k = static_cast<double>(logits.size(1));
  torch::Tensor t = loss.label_smoothing > 0 ? targets * (1 - loss.label_smoothing) + loss.label_smoothing / k : targets;
  torch::Tensor logp = torch::log_softmax(logits, 1);
  if (loss.kind == "focal") {
    // Lin et al.: down-weights the classes the model already gets right.
    torch::Tensor weight = torch::pow(1 - logp.exp(), loss.gamma.value);
    return -(t * weight * logp).sum(1).mean();
  }
  return -(t * logp).sum(1).mean();
}

EpochMetrics evaluate(lower::Network &net, const data::LoadedDataset &data, const std::vector<std::size_t> &indices,
                      const Normalizer &norm, const LossSpec &loss, int batch) {
  EpochMetrics m;
  m.confusion = ConfusionMatrix(classes_of(data));
  if (indices.empty()) return m;
  torch::NoGradGuard no_grad;
  net->eval();
  EpochPlan plan{&data, indices, batch, false, nullptr, 0, 0, norm, classes_of(data)};
  Prefetcher batches(plan);
  double total = 0;
  while (auto b = batches.next()) {
    torch::Tensor logits = net->forward(input_of(*b, data.channels, data.height, data.width));
    total += batch_loss(logits, targets_of(*b, classes_of(data)), loss).item<double>() * b->n;
    score(m, logits, b->labels);
  }
  m.loss = total / static_cast<double>(indices.size());
  return m;
}

Predictions predict(lower::Network &net, const data::LoadedDataset &data, const std::vector<std::size_t> &indices,
                    const Normalizer &norm, bool with_features, int batch) {
  Predictions out;
  out.classes = static_cast<std::size_t>(classes_of(data));
  if (indices.empty()) return out;
  torch::NoGradGuard no_grad;
  net->eval();
  EpochPlan plan{&data, indices, batch, false, nullptr, 0, 0, norm, classes_of(data)};
  Prefetcher batches(plan);
  auto append = [](std::vector<float> &to, const torch::Tensor &t) {
    torch::Tensor c = t.contiguous().to(torch::kFloat32);
    to.insert(to.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  };
  while (auto b = batches.next()) {
    torch::Tensor x = input_of(*b, data.channels, data.height, data.width);
    torch::Tensor p;
    if (with_features) {
      torch::Tensor f = net->embedding(net->features(x));
      out.dims = static_cast<std::size_t>(f.size(1));
      append(out.features, f);
      p = torch::softmax(net->scores(f), 1);
    } else {
      p = torch::softmax(net->forward(x), 1);
    }
    // The network's classes, not the data's: an unlabeled pool has none of its own.
    out.classes = static_cast<std::size_t>(p.size(1));
    append(out.probabilities, p);
  }
  return out;
}

BatchSource normalised_batches(const data::LoadedDataset &data, const std::vector<std::size_t> &indices,
                               const Normalizer &norm, int batch) {
  auto batches = std::make_shared<Prefetcher>(EpochPlan{&data, indices, batch, false, nullptr, 0, 0, norm, classes_of(data)});
  return [batches, &data](torch::Tensor &inputs, std::vector<std::int64_t> &labels) {
    std::optional<Batch> b = batches->next();
    if (!b) return false;
    inputs = input_of(*b, data.channels, data.height, data.width).clone();  // the batch's buffer goes
    labels = b->labels;
    return true;
  };
}

torch::Tensor normalised_inputs(const data::LoadedDataset &data, const std::vector<std::size_t> &indices,
                                const Normalizer &norm) {
  std::vector<torch::Tensor> parts;
  BatchSource next = normalised_batches(data, indices, norm);
  torch::Tensor x;
  std::vector<std::int64_t> labels;
  while (next(x, labels)) parts.push_back(x);
  if (parts.empty())
    return data.tokens.empty() ? torch::zeros({0, data.channels, data.height, data.width})
                               : torch::zeros({0, data.vocabulary.max_len}, torch::kInt64);
  return torch::cat(parts);
}

TrainResult train_model(lower::Network &net, const TrainJob &job, const TrainCallbacks &cb) {
  const data::LoadedDataset &data = *job.data;
  const int classes = classes_of(data);
  TrainTask task;
  task.module = net.get();
  task.frozen = &net->frozen;
  task.loss = [&](const Batch &b, const torch::Tensor &inputs, EpochMetrics &running) {
    torch::Tensor logits = net->forward(inputs);
    torch::Tensor loss = batch_loss(logits, targets_of(b, classes), job.spec->loss);
    score(running, logits.detach(), b.labels);
    return loss;
  };
  task.evaluate = [&](const std::vector<std::size_t> &indices) {
    return evaluate(net, data, indices, job.norm, job.spec->loss);
  };
  task.fresh.confusion = ConfusionMatrix(classes);
  return train_task(task, job, cb);
}

TrainResult train_task(const TrainTask &task, const TrainJob &job, const TrainCallbacks &cb) {
  const TrainSpec &spec = *job.spec;
  const data::LoadedDataset &data = *job.data;
  const int classes = classes_of(data);
  torch::nn::Module &net = *task.module;
  TrainResult result;
  auto started = Clock::now();

  std::vector<std::size_t> train_indices = data.split.train;
  if (job.subset < 1.0) {
    // A fixed, seeded subset: every proxy trial sees the same images.
    std::mt19937_64 rng(job.seed ^ 0x5eed5ULL);
    std::shuffle(train_indices.begin(), train_indices.end(), rng);
    train_indices.resize(std::max<std::size_t>(1, static_cast<std::size_t>(train_indices.size() * job.subset)));
  }
  const int H = job.augment ? job.augment->program().out_h : data.height;
  const int W = job.augment ? job.augment->program().out_w : data.width;
  // Data-parallel: each rank takes batch / world of every batch (E0524
  // makes it divide) from its share of the split, padded to equal shares.
  dist::Group *group = job.group;
  const int world = group ? group->world() : 1, rank = group ? group->rank() : 0;
  const int batch = std::max(1, static_cast<int>(spec.batch) / world);
  const std::int64_t per_rank = (static_cast<std::int64_t>(train_indices.size()) + world - 1) / world;
  const std::int64_t steps_per_epoch = (per_rank + batch - 1) / batch;

  ParamGroups groups = param_groups(net, task.frozen, spec.model);
  const std::vector<torch::Tensor> &params = groups.trainable;
  OptimizerSpec optimizer_spec = spec.optimizer;
  if (job.exchange && job.exchange->applies_momentum()) {  // DGC's momentum correction applies it instead
    optimizer_spec.momentum = spec::Scalar(0);
    optimizer_spec.nesterov = false;
  }
  auto optimizer = make_optimizer(optimizer_spec, std::move(groups.groups));
  LrSchedule schedule(spec.schedule, spec.optimizer.lr, spec.epochs, steps_per_epoch);
  if (!job.checkpoint_dir.empty()) std::filesystem::create_directories(job.checkpoint_dir);

  const std::string watched = spec.early_stop.enabled ? spec.early_stop.metric : task.watched;
  const bool watched_on_train = spec.early_stop.enabled && spec.early_stop.split == "train";
  const bool maximize = spec.early_stop.enabled ? spec.early_stop.maximize : true;
  double best = maximize ? -1e300 : 1e300;
  int since_best = 0;
  if (job.resume.epoch > 0) {
    std::string error;
    if (lower::load_weights(net, job.resume.weights, error) == 0 || !error.empty())
      throw std::runtime_error("cannot resume from '" + job.resume.weights + "': " + error);
    const std::string optim = optimizer_path(job.resume.weights);
    if (std::filesystem::exists(optim)) torch::load(*optimizer, optim);
    if (job.resume.best_epoch > 0) {
      best = job.resume.best;
      result.best_epoch = job.resume.best_epoch;
      const std::string model = job.checkpoint_dir + "/model.pt";
      if (std::filesystem::exists(model)) result.model_path = model;
    }
  }
  const int last_epoch = job.stop_epoch > 0 ? std::min(job.stop_epoch, static_cast<int>(spec.epochs)) : static_cast<int>(spec.epochs);
  int first_epoch = job.resume.epoch;
  if (group) {
    StartPoint start{job.resume.epoch, best, result.best_epoch};
    share_start(*group, net, *optimizer, start);
    first_epoch = start.epoch;
    best = start.best;
    result.best_epoch = start.best_epoch;
  }
  if (job.exchange) {
    job.exchange->attach(params);
    // Each rank's residuals as they were at the checkpoint (rank 0 holds them all).
    if (group && first_epoch > 0)
      restore_exchange_state(*group, *job.exchange, group->rank() == 0 ? exchange_path(job.resume.weights) : "");
  }

  for (int epoch = first_epoch; epoch < last_epoch; ++epoch) {
    auto epoch_start = Clock::now();
    EpochReport report;
    report.epoch = epoch + 1;
    report.train = task.fresh;
    unfreeze_if_due(net, task.frozen, spec.model, epoch);
    net.train();
    EpochPlan plan{&data, train_indices, batch, true, job.augment, job.seed, epoch, job.norm, classes,
                   job.token_augment, job.audio_augment, rank, world};
    Prefetcher batches(plan);
    double loss_sum = 0;
    std::int64_t seen = 0, step = static_cast<std::int64_t>(epoch) * steps_per_epoch;
    int index = 0;
    for (;;) {
      auto wait_start = Clock::now();
      std::optional<Batch> b = batches.next();
      report.data_wait += since(wait_start);
      if (!b) break;
      bool stop = cb.interrupted && cb.interrupted();
      if (group) stop = any_rank(*group, stop);  // every rank stops at the same step
      if (stop) {
        result.interrupted = true;
        break;
      }
      const double lr = schedule.at(step++);
      for (std::size_t g = 0; g < groups.lr_scales.size(); ++g)
        optimizer->param_groups()[g].options().set_lr(lr * groups.lr_scales[g]);
      report.lr = lr;
      optimizer->zero_grad();
      torch::Tensor loss = task.loss(*b, input_of(*b, data.channels, H, W), report.train);
      loss.backward();
      if (job.exchange) job.exchange->exchange(params, epoch);
      optimizer->step();
      loss_sum += loss.item<double>() * b->n;
      seen += b->n;
      if (cb.on_batch)
        cb.on_batch(epoch + 1, ++index, batches.batches(), loss_sum / seen,
                    report.train.confusion.classes() ? report.train.confusion.accuracy() : -1.0,  // -1: none kept
                    seen / since(epoch_start));
    }
    if (result.interrupted) break;
    report.train.loss = seen ? loss_sum / static_cast<double>(seen) : 0;
    const double training_seconds = since(epoch_start);
    if (group) {  // the metrics of every rank's samples
      reduce_metrics(*group, report.train, seen);
      const std::vector<std::size_t> mine = shard_of(data.split.val, rank, world, false);
      report.val = task.evaluate(mine);
      std::int64_t counted = static_cast<std::int64_t>(mine.size());
      reduce_metrics(*group, report.val, counted);
    } else {
      report.val = task.evaluate(data.split.val);
    }
    report.images_per_second = seen / training_seconds;
    report.seconds = since(epoch_start);

    const double value = (watched_on_train || data.split.val.empty() ? report.train : report.val).value(watched);
    const bool better = maximize ? value > best : value < best;
    if (better) {
      best = value;
      since_best = 0;
      result.best_epoch = report.epoch;
      result.best_val = report.val;
    } else {
      ++since_best;
    }
    const bool checkpoint_epoch =
        report.epoch % std::max(1, static_cast<int>(spec.checkpoint_every)) == 0 || epoch + 1 == last_epoch;
    if (checkpoint_epoch && !job.checkpoint_dir.empty())
      report.checkpoint = job.checkpoint_dir + "/epoch-" + std::to_string(report.epoch) + ".pt";
    // Workers keep no checkpoints ("" here) but hand rank 0 their exchange state for its one.
    if (checkpoint_epoch && group && job.exchange)
      save_exchange_state(*group, *job.exchange, report.checkpoint.empty() ? "" : exchange_path(report.checkpoint));
    if (!job.checkpoint_dir.empty()) {
      if (checkpoint_epoch) {
        lower::save_weights(net, report.checkpoint);
        torch::save(*optimizer, optimizer_path(report.checkpoint));
        report.checkpointed = true;
        if (spec.checkpoint_keep > 0) report.removed = remove_old_checkpoints(job.checkpoint_dir, spec.checkpoint_keep);
      }
      if (better) {
        result.model_path = job.checkpoint_dir + "/model.pt";
        lower::save_weights(net, result.model_path);
      }
    }
    result.epochs.push_back(report);
    if (cb.on_epoch) cb.on_epoch(report);
    if (cb.prune && epoch + 1 < last_epoch && cb.prune(report)) {
      result.pruned = true;
      break;
    }
    if (spec.early_stop.enabled && since_best >= spec.early_stop.patience) {
      result.stopped_early = true;
      break;
    }
  }
  result.seconds = since(started);
  return result;
}

}  // namespace edl::train
