#include "runtime/dist/DenseExchange.h"

#include <ATen/ATen.h>

namespace edl::dist {

DenseExchange::DenseExchange(Group &group, std::int64_t bucket_bytes) : group_(group), bucket_bytes_(bucket_bytes) {}

DenseExchange::~DenseExchange() {
  for (auto &[param, hook] : hooks_) param.remove_hook(hook);
}

void DenseExchange::attach(const std::vector<at::Tensor> &params) {
  slots_.assign(params.size(), Slot{});
  buckets_.clear();
  std::int64_t used = 0;
  std::vector<std::int64_t> sizes;
  for (std::size_t k = params.size(); k-- > 0;) {
    const std::int64_t n = params[k].numel();
    if (buckets_.empty() || (used > 0 && (used + n) * 4 > bucket_bytes_)) {
      buckets_.emplace_back();
      sizes.push_back(0);
      used = 0;
    }
    slots_[k] = {buckets_.size() - 1, used, n, false};
    buckets_.back().members.push_back(k);
    used += n;
    sizes.back() = used;
  }
  for (std::size_t b = 0; b < buckets_.size(); ++b) buckets_[b].flat = at::zeros({sizes[b]}, at::kFloat);
  for (std::size_t k = 0; k < params.size(); ++k) {
    at::Tensor p = params[k];
    hooks_.emplace_back(p, p.register_hook([this, k](const at::Tensor &grad) { fill(k, grad); }));
  }
}

void DenseExchange::fill(std::size_t param, const at::Tensor &grad) {
  Slot &s = slots_[param];
  Bucket &b = buckets_[s.bucket];
  b.flat.narrow(0, s.offset, s.numel).copy_(grad.detach().reshape({-1}));
  if (!s.filled) {
    s.filled = true;
    if (++b.ready == static_cast<int>(b.members.size())) start(b);
  }
}

void DenseExchange::start(Bucket &b) {
  b.started = true;
  group_.allreduce_sum_async(b.flat);
}

void DenseExchange::exchange(const std::vector<at::Tensor> &params, int) {
  // A parameter backward did not reach (unused this step) adds zeros; the
  // graph is the same on every rank, so every rank starts the same buckets.
  for (Bucket &b : buckets_) {
    if (b.started) continue;
    for (std::size_t k : b.members)
      if (!slots_[k].filled) buckets_[slots_[k].bucket].flat.narrow(0, slots_[k].offset, slots_[k].numel).zero_();
    start(b);
  }
  group_.wait();
  const double scale = 1.0 / group_.world();
  std::int64_t total = 0;
  for (std::size_t k = 0; k < params.size(); ++k) {
    Slot &s = slots_[k];
    at::Tensor averaged = buckets_[s.bucket].flat.narrow(0, s.offset, s.numel).view(params[k].sizes()) * scale;
    at::Tensor p = params[k];
    if (p.grad().defined())
      p.mutable_grad().copy_(averaged);
    else
      p.mutable_grad() = averaged;
    s.filled = false;
    total += s.numel;
  }
  for (Bucket &b : buckets_) b.ready = 0, b.started = false;
  traffic_.steps += 1;
  traffic_.dense_bytes += total * 4.0;
  traffic_.sent_bytes += total * 4.0;
}

}  // namespace edl::dist
