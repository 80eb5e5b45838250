// Our samplers against Optuna 3.1's TPE on Branin and Hartmann-6: median of
// the best value found in N trials over S seeds, both measured in this run.
//   edl_search_bench [trials = 50] [seeds = 10]
#include "bench/search_functions.h"
#include "runtime/search/Sampler.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace {

using edl::spec::SpaceValues;
using edl::search::Dimension;

struct Problem {
  std::string name;
  std::vector<Dimension> dims;
  std::function<double(const SpaceValues &)> f;  // minimised
};

std::vector<Problem> problems() {
  Problem b{"branin", {{"x.x1", Dimension::Uniform, -5, 10, {}}, {"x.x2", Dimension::Uniform, 0, 15, {}}},
            [](const SpaceValues &v) { return edl::bench::branin(v.at("x.x1"), v.at("x.x2")); }};
  Problem h{"hartmann6", {}, [](const SpaceValues &v) {
              std::array<double, 6> x;
              for (int j = 0; j < 6; ++j) x[j] = v.at("x.x" + std::to_string(j));
              return edl::bench::hartmann6(x);
            }};
  for (int j = 0; j < 6; ++j) h.dims.push_back({"x.x" + std::to_string(j), Dimension::Uniform, 0, 1, {}});
  return {b, h};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double best_of_search(const std::string &strategy, const Problem &p, std::uint64_t seed, int trials) {
  auto sampler = edl::search::make_sampler(strategy, p.dims, seed, static_cast<std::uint64_t>(trials));
  std::vector<edl::search::Observation> history;
  double best = 1e300;
  for (int k = 0; k < trials; ++k) {
    SpaceValues v = sampler->next(static_cast<std::uint64_t>(k), history);
    double y = p.f(v);
    best = std::min(best, y);
    history.push_back({v, -y});
  }
  return best;
}

}  // namespace

int main(int argc, char **argv) {
  const int trials = argc > 1 ? std::atoi(argv[1]) : 50;
  const int seeds = argc > 2 ? std::atoi(argv[2]) : 10;
  std::printf("median best value of %d trials over %d seeds (lower is better)\n", trials, seeds);

  const std::string command = "/usr/bin/python3 " EDL_BENCH_DIR "/search_optuna.py " + std::to_string(trials) + " " +
                              std::to_string(seeds);
  auto started = std::chrono::steady_clock::now();
  std::string text;
  if (FILE *pipe = popen(command.c_str(), "r")) {
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) text.append(buf, n);
    if (pclose(pipe) != 0) text.clear();
  }
  const double optuna_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  nlohmann::json optuna = nlohmann::json::parse(text, nullptr, false);
  if (optuna.is_discarded()) std::printf("optuna: not available (install python3-optuna)\n");

  std::printf("%-10s %12s %12s %12s %14s\n", "function", "random", "tpe", "gp", "optuna tpe");
  double seconds[3] = {0, 0, 0};
  for (const Problem &p : problems()) {
    std::printf("%-10s", p.name.c_str());
    int i = 0;
    for (const char *strategy : {"random", "tpe", "gp"}) {
      std::vector<double> best;
      auto t0 = std::chrono::steady_clock::now();
      for (int s = 0; s < seeds; ++s) best.push_back(best_of_search(strategy, p, static_cast<std::uint64_t>(s), trials));
      seconds[i++] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf(" %12.4f", median(best));
    }
    if (!optuna.is_discarded() && optuna.contains(p.name))
      std::printf(" %14.4f", median(optuna[p.name].get<std::vector<double>>()));
    std::printf("\n");
  }
  std::printf("seconds     %12.2f %12.2f %12.2f %14.2f\n", seconds[0], seconds[1], seconds[2], optuna_seconds);
  return 0;
}
