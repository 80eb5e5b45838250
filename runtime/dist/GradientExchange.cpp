#include "runtime/dist/GradientExchange.h"

#include "runtime/dist/DenseExchange.h"
#include "runtime/dist/Dgc.h"
#include "runtime/dist/PowerSgd.h"

namespace edl::dist {

std::unique_ptr<GradientExchange> make_exchange(Group &group, const Compression &c, double momentum) {
  if (c.kind == "dgc") return std::make_unique<DgcExchange>(group, c, momentum);
  if (c.kind == "powersgd") return std::make_unique<PowerSgdExchange>(group, c.rank);
  return std::make_unique<DenseExchange>(group);
}

}  // namespace edl::dist
