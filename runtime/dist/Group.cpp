#include "runtime/dist/Group.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <cstdlib>

namespace edl::dist {
namespace {

// Gloo's and c10d's messages start with a source location and run over
// several lines; the user needs what happened, in a line.
std::string first_line(const std::string &what) {
  std::string s = what.substr(0, what.find('\n'));
  if (!s.empty() && s[0] == '[') {
    const std::size_t close = s.find("] ");
    if (close != std::string::npos) s = s.substr(close + 2);
  }
  return s;
}

std::string explain(const std::string &what) {
  const std::string line = first_line(what);
  if (line.find("Connection closed by peer") != std::string::npos ||
      line.find("Connection reset by peer") != std::string::npos || line.find("Broken pipe") != std::string::npos)
    return "a worker left the training (" + line + ")";
  if (line.find("Timed out") != std::string::npos || line.find("timeout") != std::string::npos ||
      line.find("Timeout") != std::string::npos)
    return "a worker did not answer in time (" + line + ")";
  return line;
}

template <typename F>
auto guarded(const char *what, F &&f) -> decltype(f()) {
  try {
    return f();
  } catch (const GroupError &) {
    throw;
  } catch (const std::exception &e) {
    throw GroupError(std::string(what) + ": " + explain(e.what()));
  }
}

class GlooGroup : public Group {
 public:
  explicit GlooGroup(const Rendezvous &r) : rank_(r.rank), world_(r.world) {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(r.port);
    so.isServer = r.rank == 0;
    so.numWorkers = static_cast<std::size_t>(r.world);
    so.waitWorkers = false;  // Gloo's own rendezvous below waits for everyone
    so.timeout = r.join_timeout;
    try {
      store_ = c10::make_intrusive<c10d::TCPStore>(r.host, so);
    } catch (const std::exception &e) {
      throw GroupError(r.rank == 0 ? "cannot serve the rendezvous at " + r.host + ":" + std::to_string(r.port) + ": " +
                                         first_line(e.what())
                                   : "cannot reach the master at " + r.host + ":" + std::to_string(r.port) +
                                         " within " + std::to_string(r.join_timeout.count()) + " s: " +
                                         first_line(e.what()));
    }
    port_ = store_->getPort();
    if (r.rank == 0 && r.listening) r.listening(port_);
    auto options = c10d::ProcessGroupGloo::Options::create(r.collective_timeout);
    if (const char *iface = std::getenv("GLOO_SOCKET_IFNAME"))
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
    else if (r.host == "127.0.0.1" || r.host == "localhost")
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    options->threads = 2;
    // The pairs' connect: every rank waits here for every other one.
    store_->setTimeout(r.join_timeout);
    try {
      group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, r.rank, r.world, options);
    } catch (const std::exception &e) {
      throw GroupError("the " + std::to_string(r.world) + " workers did not all join within " +
                       std::to_string(r.join_timeout.count()) + " s: " + first_line(e.what()));
    }
    store_->setTimeout(r.collective_timeout);
  }

  int rank() const override { return rank_; }
  int world() const override { return world_; }
  int port() const override { return port_; }

  void allreduce_sum(std::vector<at::Tensor> &tensors) override {
    for (at::Tensor &t : tensors) allreduce_sum_async(t);
    wait();
  }

  void allreduce_sum_async(at::Tensor &t) override {
    guarded("exchanging gradients", [&] {
      std::vector<at::Tensor> one{t};
      pending_.push_back(group_->allreduce(one));
    });
  }

  void wait() override {
    auto pending = std::move(pending_);
    pending_.clear();
    guarded("exchanging gradients", [&] {
      for (auto &w : pending) w->wait();
    });
  }

  std::vector<at::Tensor> allgather(const at::Tensor &t) override {
    return guarded("gathering from the workers", [&] {
      std::vector<at::Tensor> in{t.contiguous()};
      std::vector<std::vector<at::Tensor>> out(1);
      for (int i = 0; i < world_; ++i) out[0].push_back(at::empty_like(in[0]));
      group_->allgather(out, in)->wait();
      return out[0];
    });
  }

  void broadcast(at::Tensor &t, int root) override {
    guarded("sharing the master's state", [&] {
      std::vector<at::Tensor> one{t};
      c10d::BroadcastOptions o;
      o.rootRank = root;
      group_->broadcast(one, o)->wait();
    });
  }

  void barrier() override {
    guarded("waiting for the workers", [&] { group_->barrier()->wait(); });
  }

  void set(const std::string &key, const std::string &value) override {
    guarded("writing to the rendezvous store", [&] { store_->set(key, std::vector<std::uint8_t>(value.begin(), value.end())); });
  }

  std::string get(const std::string &key) override {
    return guarded("reading from the rendezvous store", [&] {
      std::vector<std::uint8_t> v = store_->get(key);
      return std::string(v.begin(), v.end());
    });
  }

 private:
  int rank_, world_, port_ = 0;
  c10::intrusive_ptr<c10d::TCPStore> store_;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
  std::vector<c10::intrusive_ptr<c10d::Work>> pending_;
};

}  // namespace

std::unique_ptr<Group> Group::join(const Rendezvous &r) {
  if (r.world < 1 || r.rank < 0 || r.rank >= r.world)
    throw GroupError("rank " + std::to_string(r.rank) + " is not in a group of " + std::to_string(r.world));
  return std::make_unique<GlooGroup>(r);
}

}  // namespace edl::dist
