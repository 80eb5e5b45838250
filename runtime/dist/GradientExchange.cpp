#include "runtime/dist/GradientExchange.h"

#include "runtime/dist/DenseExchange.h"
#include "runtime/dist/Dgc.h"
#include "runtime/dist/PowerSgd.h"

#include <ATen/ATen.h>

#include <stdexcept>

namespace edl::dist {

void check_state_shapes(const std::vector<at::Tensor> &want, const std::vector<at::Tensor> &given) {
  if (given.size() != want.size())
    throw std::invalid_argument("the saved gradient-exchange state has " + std::to_string(given.size()) +
                                " tensors; this model's has " + std::to_string(want.size()));
  for (std::size_t i = 0; i < want.size(); ++i)
    if (!given[i].defined() || given[i].sizes() != want[i].sizes() || given[i].scalar_type() != want[i].scalar_type())
      throw std::invalid_argument("the saved gradient-exchange state's tensor " + std::to_string(i) +
                                  " does not have this model's shape");
}

std::unique_ptr<GradientExchange> make_exchange(Group &group, const Compression &c, double momentum) {
  if (c.kind == "dgc") return std::make_unique<DgcExchange>(group, c, momentum);
  if (c.kind == "powersgd") return std::make_unique<PowerSgdExchange>(group, c.rank);
  return std::make_unique<DenseExchange>(group);
}

}  // namespace edl::dist
