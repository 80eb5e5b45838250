// Data-parallel pieces on hand-made tensors, with the ranks as threads of
// this process joined through a real TCPStore and Gloo on loopback: the
// collectives, the dense bucketed exchange, DGC's warm-up, selection and
// residuals, PowerSGD's low-rank exchange and its error feedback, and
// both compressions' state carried through a checkpoint.
#include "runtime/dist/DenseExchange.h"
#include "runtime/dist/Dgc.h"
#include "runtime/dist/PowerSgd.h"
#include "runtime/train/Batches.h"
#include "runtime/train/DataParallel.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <future>
#include <thread>

#include <unistd.h>

using namespace edl;

namespace {

// Runs body(group) on `world` threads, one rank each; rethrows the first failure.
void on_ranks(int world, const std::function<void(dist::Group &)> &body) {
  std::promise<int> port;
  std::shared_future<int> known = port.get_future().share();
  std::vector<std::exception_ptr> failed(static_cast<std::size_t>(world));
  std::vector<std::thread> threads;
  for (int r = 0; r < world; ++r)
    threads.emplace_back([&, r] {
      try {
        dist::Rendezvous rv;
        rv.rank = r;
        rv.world = world;
        rv.join_timeout = std::chrono::seconds(20);
        if (r == 0)
          rv.listening = [&](int p) { port.set_value(p); };
        else
          rv.port = known.get();
        std::unique_ptr<dist::Group> g = dist::Group::join(rv);
        body(*g);
      } catch (...) {
        failed[static_cast<std::size_t>(r)] = std::current_exception();
        if (r == 0) try { port.set_value(-1); } catch (...) {}
      }
    });
  for (auto &t : threads) t.join();
  for (auto &e : failed)
    if (e) std::rethrow_exception(e);
}

// A 1 x n matrix: DGC compresses matrices and sends vectors whole.
torch::Tensor row(std::vector<float> values) { return torch::tensor(values).view({1, -1}); }

}  // namespace

TEST_CASE("ranks on loopback sum, gather and broadcast", "[dist]") {
  std::mutex mu;
  std::vector<float> sums, gathered;
  on_ranks(3, [&](dist::Group &g) {
    std::vector<torch::Tensor> t{torch::full({4}, static_cast<float>(g.rank() + 1))};
    g.allreduce_sum(t);
    std::vector<torch::Tensor> parts = g.allgather(torch::full({2}, static_cast<float>(10 * g.rank())));
    torch::Tensor b = torch::full({1}, static_cast<float>(g.rank() + 7));
    g.broadcast(b, 1);
    if (g.rank() == 0) g.set("edl/test", "hello");
    const std::string v = g.get("edl/test");
    std::lock_guard<std::mutex> lock(mu);
    sums.push_back(t[0][3].item<float>());
    CHECK(parts.size() == 3);
    for (int r = 0; r < 3; ++r) CHECK(parts[static_cast<std::size_t>(r)][1].item<float>() == 10.0f * r);
    CHECK(b.item<float>() == 8.0f);
    CHECK(v == "hello");
  });
  CHECK(sums == std::vector<float>{6, 6, 6});
}

TEST_CASE("each rank's share is dealt as DistributedSampler deals it", "[dist]") {
  const std::vector<std::size_t> five = {10, 11, 12, 13, 14};
  // Padded from the start to a multiple of the ranks: equal shares, equal steps.
  CHECK(train::shard_of(five, 0, 2, true) == std::vector<std::size_t>{10, 12, 14});
  CHECK(train::shard_of(five, 1, 2, true) == std::vector<std::size_t>{11, 13, 10});
  // Unpadded (validation): every sample measured once.
  CHECK(train::shard_of(five, 1, 2, false) == std::vector<std::size_t>{11, 13});
  CHECK(train::shard_of(five, 2, 3, false) == std::vector<std::size_t>{12});
  CHECK(train::shard_of({}, 0, 2, true).empty());
}

TEST_CASE("dense exchange: bucketed during backward, each rank ends with the average gradient", "[dist]") {
  // Two ranks, each a batch of its own; the average of their gradients is
  // the gradient of the mean loss over both batches.
  torch::manual_seed(3);
  auto make = [] {
    torch::manual_seed(5);
    return torch::nn::Sequential(torch::nn::Linear(6, 16), torch::nn::ReLU(), torch::nn::Linear(16, 3));
  };
  const torch::Tensor x = torch::randn({8, 6}), y = torch::randint(0, 3, {8});
  torch::nn::Sequential whole = make();
  torch::nn::functional::cross_entropy(whole->forward(x), y).backward();
  std::vector<torch::Tensor> want;
  for (auto &p : whole->parameters()) want.push_back(p.grad().clone());

  std::mutex mu;
  on_ranks(2, [&](dist::Group &g) {
    torch::nn::Sequential net = make();
    // 64-byte buckets: several, so some start before backward ends.
    dist::DenseExchange exchange(g, 64);
    exchange.attach(net->parameters());
    for (int step = 0; step < 2; ++step) {  // hooks and buckets reset between steps
      net->zero_grad();
      const torch::Tensor mine = x.slice(0, 4 * g.rank(), 4 * g.rank() + 4), labels = y.slice(0, 4 * g.rank(), 4 * g.rank() + 4);
      torch::nn::functional::cross_entropy(net->forward(mine), labels).backward();
      exchange.exchange(net->parameters(), 0);
      std::lock_guard<std::mutex> lock(mu);
      auto params = net->parameters();
      for (std::size_t i = 0; i < params.size(); ++i) CHECK(torch::allclose(params[i].grad(), want[i], 1e-5, 1e-6));
    }
    CHECK(exchange.traffic().steps == 2);
    CHECK(exchange.traffic().ratio() == Approx(1.0));
  });
}

TEST_CASE("DGC warms sparsity up from 75% and keeps at least one entry", "[dist][dgc]") {
  CHECK(dist::dgc_sparsity(0, 4, 0.999) == Approx(0.75));
  CHECK(dist::dgc_sparsity(1, 4, 0.999) == Approx(0.9375));
  CHECK(dist::dgc_sparsity(2, 4, 0.999) == Approx(0.984375));
  CHECK(dist::dgc_sparsity(3, 4, 0.999) == Approx(0.99609375));
  CHECK(dist::dgc_sparsity(4, 4, 0.999) == Approx(0.999));
  CHECK(dist::dgc_sparsity(0, 4, 0.5) == Approx(0.5));  // never above the target
  CHECK(dist::dgc_sparsity(0, 0, 0.99) == Approx(0.99));
  CHECK(dist::dgc_kept(1000, 0.999) == 1);
  CHECK(dist::dgc_kept(10, 0.999) == 1);
  CHECK(dist::dgc_kept(100000, 0.999) == 100);
}

TEST_CASE("DGC selects the largest entries, exactly on small tensors and by a sampled threshold on large ones", "[dist][dgc]") {
  torch::manual_seed(11);
  // Small: sorted.
  torch::Tensor small = torch::tensor({0.1f, 5.0f, 0.2f, 3.0f, 0.0f, 4.0f});
  torch::Tensor got = std::get<0>(dist::dgc_select(small, 3).sort());
  CHECK(torch::equal(got, torch::tensor({1, 3, 5}, torch::kLong)));
  // Large: 200,000 entries of |N(0, 1)| with 200 planted ones far above them.
  torch::Tensor large = torch::randn({200000}).abs();
  torch::Tensor planted = torch::randperm(200000).slice(0, 0, 200);
  large.index_put_({planted}, torch::rand({200}) + 10);
  for (std::int64_t phase : {0, 1, 7}) {
    torch::Tensor chosen = std::get<0>(dist::dgc_select(large, 200, phase).sort());
    CHECK(torch::equal(chosen, std::get<0>(planted.sort())));
  }
  // Without a clear gap it still sends no more than k, and close to k.
  torch::Tensor noise = torch::randn({200000}).abs();
  for (std::int64_t phase : {0, 3}) {
    torch::Tensor chosen = dist::dgc_select(noise, 200, phase);
    CHECK(chosen.numel() <= 200);
    CHECK(chosen.numel() >= 150);
    // Everything chosen is among the largest 400.
    const float cut = std::get<0>(noise.topk(400)).min().item<float>();
    CHECK(noise.index_select(0, chosen).min().item<float>() >= cut);
  }
}

TEST_CASE("DGC sends the largest residuals and keeps the rest until it has grown", "[dist][dgc]") {
  std::mutex mu;
  on_ranks(2, [&](dist::Group &g) {
    dist::Compression c;
    c.kind = "dgc";
    c.sparsity = 0.75;  // 1 of 4 entries
    c.warmup = 0;
    dist::DgcExchange exchange(g, c, 0.0);
    torch::Tensor w = torch::zeros({1, 4}, torch::requires_grad());  // a matrix: vectors go whole
    // Rank 0's gradient [4, 1, 1, 1], rank 1's [2, 1, 1, 1]: each sends
    // entry 0 first; the average of what came is [3, 0, 0, 0].
    const float first = g.rank() == 0 ? 4.0f : 2.0f;
    w.mutable_grad() = row({first, 1.0f, 1.0f, 1.0f});
    exchange.exchange({w}, 0);
    {
      std::lock_guard<std::mutex> lock(mu);
      CHECK(torch::allclose(w.grad(), row({3.0f, 0.0f, 0.0f, 0.0f})));
      CHECK(torch::allclose(exchange.residuals()[0], torch::tensor({0.0f, 1.0f, 1.0f, 1.0f})));
    }
    // Then gradients of [0, 0.5, 0.25, 0]: the residual [0, 1.5, 1.25, 1]
    // sends entry 1 and keeps the others growing.
    w.mutable_grad() = row({0.0f, 0.5f, 0.25f, 0.0f});
    exchange.exchange({w}, 1);
    std::lock_guard<std::mutex> lock(mu);
    CHECK(torch::allclose(w.grad(), row({0.0f, 1.5f, 0.0f, 0.0f})));
    CHECK(torch::allclose(exchange.residuals()[0], torch::tensor({0.0f, 0.0f, 1.25f, 1.0f})));
    CHECK(exchange.traffic().ratio() == Approx(4.0 * 4 / 8));  // 4 floats against one (index, value) pair
  });
}

TEST_CASE("DGC momentum correction accumulates velocity and masks it where it sent", "[dist][dgc]") {
  std::mutex mu;
  on_ranks(2, [&](dist::Group &g) {
    dist::Compression c;
    c.kind = "dgc";
    c.sparsity = 0.5;  // 1 of 2
    c.warmup = 0;
    dist::DgcExchange exchange(g, c, 0.9);
    CHECK(exchange.applies_momentum());
    torch::Tensor w = torch::zeros({1, 2}, torch::requires_grad());
    // A bias beside it is sent whole with plain momentum: u = m u + g.
    torch::Tensor b = torch::zeros({2}, torch::requires_grad());
    w.mutable_grad() = row({2.0f, 1.0f});
    b.mutable_grad() = torch::tensor({1.0f, 2.0f});
    exchange.exchange({w, b}, 0);  // u = [2, 1], v = [2, 1]: sends 2, masks u and v at 0
    w.mutable_grad() = row({1.0f, 0.0f});
    b.mutable_grad() = torch::tensor({1.0f, 0.0f});
    exchange.exchange({w, b}, 0);  // u = [1, 0.9], v = [1, 1.9]: sends 1.9
    std::lock_guard<std::mutex> lock(mu);
    CHECK(torch::allclose(w.grad(), row({0.0f, 1.9f})));
    CHECK(torch::allclose(exchange.momenta()[0], torch::tensor({1.0f, 0.0f})));
    CHECK(torch::allclose(exchange.residuals()[0], torch::tensor({1.0f, 0.0f})));
    CHECK(torch::allclose(b.grad(), torch::tensor({1.9f, 1.8f})));  // 0.9 [1, 2] + [1, 0]
    CHECK(torch::allclose(exchange.residuals()[1], torch::zeros({2})));
  });
}

TEST_CASE("DGC clips each rank's gradient at clip over sqrt(workers)", "[dist][dgc]") {
  on_ranks(2, [&](dist::Group &g) {
    dist::Compression c;
    c.kind = "dgc";
    c.sparsity = 0.0;  // send everything: what arrives is the clipped average
    c.warmup = 0;
    c.clip = std::sqrt(2.0);  // each rank's norm held to 1
    dist::DgcExchange exchange(g, c, 0.0);
    torch::Tensor w = torch::zeros({1, 2}, torch::requires_grad());
    w.mutable_grad() = row({3.0f, 4.0f});  // norm 5 -> [0.6, 0.8]
    exchange.exchange({w}, 0);
    CHECK(torch::allclose(w.grad(), row({0.6f, 0.8f})));
  });
}

TEST_CASE("PowerSGD: a low-rank gradient arrives whole, the rest feeds back as error", "[dist][powersgd]") {
  std::mutex mu;
  on_ranks(2, [&](dist::Group &g) {
    // Rank 1: the two ranks' gradients differ; their average is rank 1 here.
    torch::Tensor u = torch::randn({32, 1}, torch::Generator(at::detail::createCPUGenerator(1)));
    torch::Tensor v = torch::randn({1, 24}, torch::Generator(at::detail::createCPUGenerator(2)));
    const float share = g.rank() == 0 ? 0.5f : 1.5f;
    dist::PowerSgdExchange exchange(g, 1);
    torch::Tensor w = torch::zeros({32, 24}, torch::requires_grad());
    torch::Tensor b = torch::zeros({24}, torch::requires_grad());  // a vector: dense
    w.mutable_grad() = u.mm(v) * share;
    b.mutable_grad() = torch::full({24}, share);
    exchange.exchange({w, b}, 0);
    {
      std::lock_guard<std::mutex> lock(mu);
      CHECK(torch::allclose(w.grad(), u.mm(v), 1e-4, 1e-4));
      CHECK(torch::allclose(b.grad(), torch::full({24}, 1.0f)));
      CHECK(exchange.traffic().ratio() == Approx((32.0 * 24 + 24) / (32 + 24 + 24)));
    }
    // Rank 3 gradients against rank 1: error feedback means that, summed
    // over steps, what was applied plus what is still owed is what came.
    dist::PowerSgdExchange fresh(g, 1);
    torch::Tensor m = torch::randn({32, 24}, torch::Generator(at::detail::createCPUGenerator(3)));
    torch::Tensor applied = torch::zeros({32, 24});
    for (int step = 0; step < 5; ++step) {
      w.mutable_grad() = m.clone();  // the same on both ranks
      fresh.exchange({w, b}, 0);
      applied += w.grad();
    }
    const torch::Tensor owed = fresh.errors()[0];
    std::lock_guard<std::mutex> lock(mu);
    CHECK(torch::allclose(applied + owed, m * 5, 1e-3, 1e-3));
    CHECK(owed.norm().item<double>() > 0.01);  // rank 1 cannot carry a rank-3 matrix whole
  });
}

TEST_CASE("a compressed exchange's state of every rank survives a checkpoint", "[dist][dgc][powersgd]") {
  const std::string dir = std::filesystem::temp_directory_path() / ("edl-exchange-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const char *kind : {"dgc", "powersgd"}) {
    std::mutex mu;
    INFO(kind);
    on_ranks(2, [&](dist::Group &g) {
      dist::Compression c;
      c.kind = kind;
      c.sparsity = 0.9;
      c.warmup = 0;
      c.rank = 1;
      // Each rank's own gradients, three steps of them.
      torch::Generator gen(at::detail::createCPUGenerator(40 + g.rank()));
      std::vector<torch::Tensor> grads;
      for (int step = 0; step < 3; ++step) grads.push_back(torch::randn({48, 40}, gen));
      torch::Tensor w = torch::zeros({48, 40}, torch::requires_grad());
      auto run = [&](dist::GradientExchange &e, int from, int to) {
        for (int step = from; step < to; ++step) {
          w.mutable_grad() = grads[static_cast<std::size_t>(step)].clone();
          e.exchange({w}, 0);
        }
        return w.grad().clone();
      };
      const std::string path = g.rank() == 0 ? dir + "/" + kind + ".exchange" : "";
      // Straight through: three steps. Stopped after two: the state saved,
      // a new exchange restored from it and given the third step.
      auto straight = dist::make_exchange(g, c, 0.9);
      straight->attach({w});
      const torch::Tensor want = run(*straight, 0, 3);
      auto before = dist::make_exchange(g, c, 0.9);
      before->attach({w});
      run(*before, 0, 2);
      train::save_exchange_state(g, *before, path);
      auto after = dist::make_exchange(g, c, 0.9);
      after->attach({w});
      const bool restored = train::restore_exchange_state(g, *after, path);
      const torch::Tensor resumed = run(*after, 2, 3);
      // Without the state the third step sends something else.
      auto zero = dist::make_exchange(g, c, 0.9);
      zero->attach({w});
      const torch::Tensor forgot = run(*zero, 2, 3);
      const bool missing = train::restore_exchange_state(g, *zero, g.rank() == 0 ? dir + "/none.exchange" : "");
      std::lock_guard<std::mutex> lock(mu);
      CHECK(restored);
      CHECK(torch::equal(resumed, want));
      CHECK_FALSE(torch::allclose(forgot, want, 1e-3, 1e-3));
      CHECK_FALSE(missing);
    });
  }
  std::filesystem::remove_all(dir);
}
