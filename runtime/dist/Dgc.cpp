#include "runtime/dist/Dgc.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace edl::dist {
namespace {

// Below this many entries a gradient is sorted exactly; above it, sampled.
constexpr std::int64_t kExactBelow = 16384;
// The sample: about 1% of the entries, never fewer than this many.
constexpr std::int64_t kMinSample = 1024;

}  // namespace

double dgc_sparsity(int epoch, int warmup, double target) {
  if (epoch >= warmup) return target;
  return std::min(target, 1.0 - std::pow(0.25, epoch + 1));
}

// (1 - 0.999) x 1000 is 1.0000000000000009 in doubles: not 2 entries.
std::int64_t dgc_kept(std::int64_t n, double sparsity) {
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(static_cast<double>(n) * (1.0 - sparsity) - 1e-9)), 1, n);
}

at::Tensor dgc_select(const at::Tensor &magnitude, std::int64_t k, std::int64_t phase) {
  const std::int64_t n = magnitude.numel();
  k = std::clamp<std::int64_t>(k, 0, n);
  if (k == n) return at::arange(n, at::kLong);
  if (n <= kExactBelow) return std::get<1>(magnitude.topk(k, 0, true, false));
  const std::int64_t stride = std::max<std::int64_t>(1, n / std::max(kMinSample, n / 100));
  at::Tensor sample = magnitude.slice(0, phase % stride, n, stride);
  const std::int64_t sample_k = std::clamp<std::int64_t>(
      static_cast<std::int64_t>(std::ceil(static_cast<double>(sample.numel()) * k / n)), 1, sample.numel());
  double threshold = std::get<0>(sample.topk(sample_k, 0, true, false)).min().item<double>();
  at::Tensor chosen = (magnitude >= threshold).nonzero().view({-1});
  // A sample can miss: lower the bar a few times rather than send fewer.
  for (int tries = 0; chosen.numel() < k && tries < 4 && threshold > 0; ++tries) {
    threshold *= 0.7;
    chosen = (magnitude >= threshold).nonzero().view({-1});
  }
  if (chosen.numel() > k) chosen = chosen.index_select(0, std::get<1>(magnitude.index_select(0, chosen).topk(k, 0, true, false)));
  return chosen;
}

DgcExchange::DgcExchange(Group &group, const Compression &c, double momentum)
    : group_(group), c_(c), momentum_(momentum) {}

void DgcExchange::attach(const std::vector<at::Tensor> &params) {
  if (!residual_.empty()) return;
  for (const at::Tensor &p : params) {
    residual_.push_back(at::zeros({p.numel()}, at::kFloat));
    if (momentum_ > 0) momentum_buffer_.push_back(at::zeros({p.numel()}, at::kFloat));
  }
}

std::vector<at::Tensor> DgcExchange::state() const {
  if (residual_.empty()) return {};
  std::vector<at::Tensor> s = residual_;
  s.insert(s.end(), momentum_buffer_.begin(), momentum_buffer_.end());
  s.push_back(at::full({1}, step_, at::kLong));  // the sampling phase
  return s;
}

void DgcExchange::set_state(const std::vector<at::Tensor> &s) {
  check_state_shapes(state(), s);
  const std::size_t n = residual_.size();
  for (std::size_t i = 0; i < n; ++i) residual_[i] = s[i].clone();
  for (std::size_t i = 0; i < momentum_buffer_.size(); ++i) momentum_buffer_[i] = s[n + i].clone();
  step_ = s.back().item<std::int64_t>();
}

void DgcExchange::exchange(const std::vector<at::Tensor> &params, int epoch) {
  const int world = group_.world();
  attach(params);
  std::vector<at::Tensor> grads;
  for (const at::Tensor &p : params)
    grads.push_back(p.grad().defined() ? p.grad().detach().reshape({-1}).to(at::kFloat) : at::zeros({p.numel()}));
  // Local clipping: the ranks' gradients add up, so each is held to the
  // global bound over sqrt(workers).
  if (c_.clip > 0) {
    double sq = 0;
    for (const at::Tensor &g : grads) sq += g.pow(2).sum().item<double>();
    const double bound = c_.clip / std::sqrt(static_cast<double>(world)), norm = std::sqrt(sq);
    if (norm > bound)
      for (at::Tensor &g : grads) g = g * (bound / norm);
  }
  const double sparsity = dgc_sparsity(epoch, c_.warmup, c_.sparsity);
  std::vector<at::Tensor> indices, values, whole;
  std::int64_t offset = 0, total = 0, whole_entries = 0;
  std::vector<std::int64_t> offsets, whole_offsets;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::int64_t n = grads[i].numel();
    offsets.push_back(offset);
    offset += n;
    if (params[i].dim() <= 1) {
      // Biases and norms are few entries and updated by every step: like
      // the paper's own code, send them whole with plain momentum (the
      // average of the ranks' u is the momentum of the average gradient).
      if (momentum_ > 0) {
        momentum_buffer_[i].mul_(momentum_).add_(grads[i]);
        whole.push_back(momentum_buffer_[i].clone());
      } else {
        whole.push_back(grads[i]);
      }
      whole_offsets.push_back(offsets.back());
      whole_entries += n;
      continue;
    }
    at::Tensor &v = residual_[i];
    if (momentum_ > 0) {  // momentum correction: u = m u + g, v += u
      at::Tensor &u = momentum_buffer_[i];
      u.mul_(momentum_).add_(grads[i]);
      v.add_(u);
    } else {
      v.add_(grads[i]);
    }
    const std::int64_t k = dgc_kept(n, sparsity);
    at::Tensor chosen = dgc_select(v.abs(), k, step_);
    at::Tensor sent = v.index_select(0, chosen);
    // Exactly k pairs from every rank, so the gather is of equal parts;
    // a rank whose sample fell short pads with zeros at its first entry.
    at::Tensor idx = at::zeros({k}, at::kLong), val = at::zeros({k}, at::kFloat);
    idx.narrow(0, 0, chosen.numel()).copy_(chosen);
    val.narrow(0, 0, chosen.numel()).copy_(sent);
    indices.push_back(idx + offsets.back());
    values.push_back(val);
    // What was sent leaves the residual; momentum factor masking stops
    // the velocity there too, so stale momentum is not sent twice.
    v.index_fill_(0, chosen, 0);
    if (momentum_ > 0) momentum_buffer_[i].index_fill_(0, chosen, 0);
    total += k;
  }
  if (offset > std::numeric_limits<std::int32_t>::max())
    throw GroupError("DGC indexes gradients with 32-bit integers; this model has " + std::to_string(offset) + " parameters");
  at::Tensor flat = at::zeros({offset}, at::kFloat);
  if (total > 0) {
    // One gather: indices (as 32-bit integers carried in float bits) then values.
    at::Tensor packed = at::cat({at::cat(indices).to(at::kInt).view(at::kFloat), at::cat(values)});
    std::vector<at::Tensor> all = group_.allgather(packed);
    for (const at::Tensor &part : all)
      flat.index_add_(0, part.narrow(0, 0, total).view(at::kInt).to(at::kLong), part.narrow(0, total, total));
  }
  if (!whole.empty()) {
    std::vector<at::Tensor> summed{at::cat(whole)};
    group_.allreduce_sum(summed);
    std::int64_t at = 0;
    for (std::size_t j = 0; j < whole.size(); ++j) {
      flat.narrow(0, whole_offsets[j], whole[j].numel()).copy_(summed[0].narrow(0, at, whole[j].numel()));
      at += whole[j].numel();
    }
  }
  flat.div_(world);
  for (std::size_t i = 0; i < params.size(); ++i) {
    at::Tensor p = params[i];
    at::Tensor g = flat.narrow(0, offsets[i], p.numel()).view(p.sizes());
    if (p.grad().defined())
      p.mutable_grad().copy_(g);
    else
      p.mutable_grad() = g.clone();
  }
  ++step_;
  traffic_.steps += 1;
  traffic_.dense_bytes += offset * 4.0;
  traffic_.sent_bytes += total * 8.0 + whole_entries * 4.0;
}

}  // namespace edl::dist
