#include "runtime/train/DataParallel.h"

#include <filesystem>
#include <sstream>

namespace edl::train {

void share_start(dist::Group &group, torch::nn::Module &net, torch::optim::Optimizer &optimizer, StartPoint &start) {
  torch::NoGradGuard no_grad;
  torch::Tensor head = torch::tensor({static_cast<double>(start.epoch), start.best, static_cast<double>(start.best_epoch)},
                                     torch::kDouble);
  group.broadcast(head, 0);
  start.epoch = static_cast<int>(head[0].item<double>());
  start.best = head[1].item<double>();
  start.best_epoch = static_cast<int>(head[2].item<double>());
  for (torch::Tensor p : net.parameters()) {
    torch::Tensor shared = p.detach().contiguous().clone();
    group.broadcast(shared, 0);
    p.detach().copy_(shared);
  }
  for (torch::Tensor b : net.buffers()) {
    torch::Tensor shared = b.contiguous().clone();
    group.broadcast(shared, 0);
    b.copy_(shared);
  }
  if (start.epoch == 0) return;  // a fresh optimizer is the same everywhere
  std::string bytes;
  if (group.rank() == 0) {
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    std::ostringstream out;
    archive.save_to(out);
    bytes = out.str();
  }
  torch::Tensor size = torch::tensor({static_cast<std::int64_t>(bytes.size())}, torch::kLong);
  group.broadcast(size, 0);
  torch::Tensor data = torch::zeros({size.item<std::int64_t>()}, torch::kUInt8);
  if (group.rank() == 0) std::memcpy(data.data_ptr(), bytes.data(), bytes.size());
  group.broadcast(data, 0);
  if (group.rank() == 0) return;
  std::istringstream in(std::string(static_cast<const char *>(data.data_ptr()), static_cast<std::size_t>(data.numel())));
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  optimizer.load(archive);
}

void save_exchange_state(dist::Group &group, const dist::GradientExchange &exchange, const std::string &path) {
  const std::vector<torch::Tensor> mine = exchange.state();
  const std::size_t n = mine.size();
  std::vector<torch::Tensor> all;  // rank r's tensor i at r * n + i
  all.resize(n * static_cast<std::size_t>(group.world()));
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<torch::Tensor> parts = group.allgather(mine[i].contiguous());
    for (std::size_t r = 0; r < parts.size(); ++r) all[r * n + i] = parts[r];
  }
  if (group.rank() == 0 && n > 0) torch::save(all, path);
}

bool restore_exchange_state(dist::Group &group, dist::GradientExchange &exchange, const std::string &path) {
  std::vector<torch::Tensor> mine = exchange.state();
  const std::size_t n = mine.size();
  const std::int64_t world = group.world();
  std::vector<torch::Tensor> all;
  torch::Tensor found = torch::zeros({1}, torch::kLong);
  if (group.rank() == 0 && n > 0 && !path.empty() && std::filesystem::exists(path)) {
    torch::load(all, path);
    if (all.size() != n * static_cast<std::size_t>(world))
      throw std::runtime_error("'" + path + "' holds the gradient-exchange state of another group or model");
    found.fill_(1);
  }
  group.broadcast(found, 0);
  if (found.item<std::int64_t>() == 0) return false;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::int64_t> shape{world};
    for (std::int64_t d : mine[i].sizes()) shape.push_back(d);
    torch::Tensor stacked = torch::empty(shape, mine[i].options());
    if (group.rank() == 0) {
      std::vector<torch::Tensor> ranks;
      for (std::int64_t r = 0; r < world; ++r) ranks.push_back(all[static_cast<std::size_t>(r) * n + i]);
      try {
        stacked.copy_(torch::stack(ranks));
      } catch (const c10::Error &) {
        throw std::runtime_error("'" + path + "' holds the gradient-exchange state of another model");
      }
    }
    group.broadcast(stacked, 0);
    mine[i] = stacked[group.rank()].clone();
  }
  exchange.set_state(mine);
  return true;
}

bool any_rank(dist::Group &group, bool flag) {
  std::vector<torch::Tensor> t{torch::full({1}, flag ? 1.0f : 0.0f)};
  group.allreduce_sum(t);
  return t[0].item<float>() > 0;
}

void reduce_metrics(dist::Group &group, EpochMetrics &m, std::int64_t &count) {
  const int classes = m.confusion.classes();
  std::vector<double> packed = {m.loss * static_cast<double>(count), static_cast<double>(count),
                                static_cast<double>(m.top5_hits)};
  for (std::int64_t c : m.confusion.counts()) packed.push_back(static_cast<double>(c));
  std::vector<torch::Tensor> t{torch::tensor(packed, torch::kDouble)};
  group.allreduce_sum(t);
  const double *v = t[0].data_ptr<double>();
  count = static_cast<std::int64_t>(v[1]);
  m.loss = count > 0 ? v[0] / static_cast<double>(count) : 0;
  m.top5_hits = static_cast<std::int64_t>(v[2]);
  ConfusionMatrix all(classes);
  for (int truth = 0; truth < classes; ++truth)
    for (int predicted = 0; predicted < classes; ++predicted)
      all.add(truth, predicted, static_cast<std::int64_t>(v[3 + truth * classes + predicted]));
  m.confusion = all;
}

}  // namespace edl::train
