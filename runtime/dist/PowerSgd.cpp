#include "runtime/dist/PowerSgd.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace edl::dist {
namespace {

// Tensors laid end to end for one collective, and back.
at::Tensor pack(const std::vector<at::Tensor> &parts) {
  std::vector<at::Tensor> flat;
  for (const at::Tensor &p : parts) flat.push_back(p.reshape({-1}));
  return flat.empty() ? at::zeros({0}) : at::cat(flat);
}

void unpack(const at::Tensor &flat, std::vector<at::Tensor> &parts) {
  std::int64_t offset = 0;
  for (at::Tensor &p : parts) {
    p = flat.narrow(0, offset, p.numel()).view(p.sizes()).clone();
    offset += p.numel();
  }
}

}  // namespace

PowerSgdExchange::PowerSgdExchange(Group &group, int rank) : group_(group), rank_(std::max(1, rank)) {}

void PowerSgdExchange::attach(const std::vector<at::Tensor> &params) {
  if (!shapes_.empty()) return;
  // Every rank draws the same first Q from the same seed.
  at::Generator gen = at::detail::createCPUGenerator(0x9051ULL);
  for (const at::Tensor &p : params) {
    Shape s;
    s.rows = p.dim() >= 2 ? p.size(0) : 1;
    s.cols = p.numel() / std::max<std::int64_t>(1, s.rows);
    const std::int64_t r = std::min<std::int64_t>(rank_, std::min(s.rows, s.cols));
    s.low_rank = p.dim() >= 2 && r * (s.rows + s.cols) < s.rows * s.cols;
    shapes_.push_back(s);
    error_.push_back(s.low_rank ? at::zeros({s.rows, s.cols}) : at::Tensor());
    q_.push_back(s.low_rank ? at::randn({s.cols, r}, gen) : at::Tensor());
  }
}

std::vector<at::Tensor> PowerSgdExchange::state() const {
  std::vector<at::Tensor> s;
  for (std::size_t i = 0; i < shapes_.size(); ++i)
    if (shapes_[i].low_rank) {
      s.push_back(error_[i]);
      s.push_back(q_[i]);
    }
  return s;
}

void PowerSgdExchange::set_state(const std::vector<at::Tensor> &s) {
  check_state_shapes(state(), s);
  std::size_t j = 0;
  for (std::size_t i = 0; i < shapes_.size(); ++i)
    if (shapes_[i].low_rank) {
      error_[i] = s[j++].clone();
      q_[i] = s[j++].clone();
    }
}

void PowerSgdExchange::exchange(const std::vector<at::Tensor> &params, int) {
  const double world = group_.world();
  attach(params);
  std::vector<at::Tensor> grads, dense, ms, ps;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const at::Tensor &p = params[i];
    grads.push_back(p.grad().defined() ? p.grad().detach().to(at::kFloat) : at::zeros(p.sizes()));
    total += p.numel();
    if (!shapes_[i].low_rank) {
      dense.push_back(grads.back());
      continue;
    }
    at::Tensor m = grads.back().reshape({shapes_[i].rows, shapes_[i].cols}) + error_[i];
    ms.push_back(m);
    ps.push_back(m.mm(q_[i]));
  }
  // Dense parameters and the P factors travel together.
  std::vector<at::Tensor> first = dense;
  first.insert(first.end(), ps.begin(), ps.end());
  at::Tensor flat = pack(first);
  std::int64_t sent = flat.numel();
  std::vector<at::Tensor> one{flat};
  group_.allreduce_sum(one);
  flat.div_(world);
  unpack(flat, first);
  std::vector<at::Tensor> qs;
  for (std::size_t j = 0; j < ps.size(); ++j) {
    at::Tensor p_hat = std::get<0>(at::linalg_qr(first[dense.size() + j], "reduced"));
    ps[j] = p_hat;
    qs.push_back(ms[j].t().mm(p_hat));
  }
  at::Tensor second = pack(qs);
  sent += second.numel();
  if (second.numel() > 0) {
    std::vector<at::Tensor> other{second};
    group_.allreduce_sum(other);
    second.div_(world);
    unpack(second, qs);
  }
  std::size_t d = 0, j = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    at::Tensor g;
    if (!shapes_[i].low_rank) {
      g = first[d++];
    } else {
      at::Tensor approx = ps[j].mm(qs[j].t());
      error_[i] = ms[j] - approx;
      q_[i] = qs[j];
      g = approx.view(params[i].sizes());
      ++j;
    }
    at::Tensor p = params[i];
    if (p.grad().defined())
      p.mutable_grad().copy_(g);
    else
      p.mutable_grad() = g;
  }
  traffic_.steps += 1;
  traffic_.dense_bytes += total * 4.0;
  traffic_.sent_bytes += sent * 4.0;
}

}  // namespace edl::dist
