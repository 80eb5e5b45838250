// Dense all-reduce in buckets, started during the backward pass: each
// parameter's gradient is copied into its bucket as autograd produces it,
// and a full bucket is summed over the ranks while backward goes on
// (buckets are filled in reverse parameter order, the order backward
// produces them, as DDP does).
#pragma once

#include "runtime/dist/GradientExchange.h"

namespace edl::dist {

class DenseExchange : public GradientExchange {
 public:
  explicit DenseExchange(Group &group, std::int64_t bucket_bytes = 4 << 20);
  ~DenseExchange() override;  // unhooks the parameters, which outlive it
  void attach(const std::vector<at::Tensor> &params) override;
  void exchange(const std::vector<at::Tensor> &params, int epoch) override;

 private:
  struct Bucket {
    at::Tensor flat;
    std::vector<std::size_t> members;  // parameter indices
    int ready = 0;
    bool started = false;
  };
  struct Slot {
    std::size_t bucket = 0;
    std::int64_t offset = 0, numel = 0;
    bool filled = false;
  };
  void fill(std::size_t param, const at::Tensor &grad);
  void start(Bucket &b);

  Group &group_;
  std::int64_t bucket_bytes_;
  std::vector<Bucket> buckets_;
  std::vector<Slot> slots_;
  std::vector<std::pair<at::Tensor, unsigned>> hooks_;
};

}  // namespace edl::dist
