// The process group of one data-parallel training: this process's rank
// among `world`, met through libtorch's TCPStore at the master's address,
// with Gloo's collectives over TCP. c10d stays in Group.cpp; this header
// only names tensors, so the trainer includes it without c10d's headers.
#pragma once

#include <ATen/core/Tensor.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace edl::dist {

// A collective or the rendezvous failed: a worker died, or cannot be
// reached. The message says which, in words for the user.
struct GroupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Rendezvous {
  std::string host = "127.0.0.1";  // the master (rank 0) serves the store here
  int port = 0;                    // rank 0 with 0: a free port, then port()
  int rank = 0, world = 1;
  // How long a rank waits for the others to arrive (and a worker for the
  // master's store to answer) before it gives up with GroupError.
  std::chrono::seconds join_timeout{120};
  // How long one collective may wait for a live but silent peer.
  std::chrono::seconds collective_timeout{600};
  // Rank 0: called once its store listens, with the port, before it waits
  // for the others (who need the port to come: the workers it starts).
  std::function<void(int port)> listening;
};

class Group {
 public:
  // Joins the group: rank 0 serves the store, the others connect to it,
  // then Gloo connects every pair. Throws GroupError.
  static std::unique_ptr<Group> join(const Rendezvous &r);
  virtual ~Group() = default;

  virtual int rank() const = 0;
  virtual int world() const = 0;
  virtual int port() const = 0;  // the store's

  // Sums each tensor over the ranks, in place; all in flight at once.
  virtual void allreduce_sum(std::vector<at::Tensor> &tensors) = 0;
  // Starts a sum of `t` in place; wait() finishes every one started.
  virtual void allreduce_sum_async(at::Tensor &t) = 0;
  virtual void wait() = 0;
  // Every rank's `t` (same shape on each), in rank order.
  virtual std::vector<at::Tensor> allgather(const at::Tensor &t) = 0;
  // `t` becomes root's.
  virtual void broadcast(at::Tensor &t, int root = 0) = 0;
  virtual void barrier() = 0;
  // The rendezvous store: small values rank 0 hands to the others.
  virtual void set(const std::string &key, const std::string &value) = 0;
  virtual std::string get(const std::string &key) = 0;  // waits for the key
};

}  // namespace edl::dist
