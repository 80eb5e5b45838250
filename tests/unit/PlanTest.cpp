// The planner: the task graph, trial counts, and task identities that
// follow meaning, not layout.
#include "TestSupport.h"

#include "compiler/plan/Plan.h"
#include "compiler/sema/ProjectSettings.h"
#include "compiler/support/Hash.h"
#include "runtime/workflow/TaskIdentity.h"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <map>

using namespace edl;
using namespace edl::test;

namespace {

const char *kProject = R"(
project "p" { seed = 7 }
dataset d { source = image_folder("data"); split = { train = 80%, val = 20% } }
space hp { lr = loguniform(1e-4, 1e-1); batch = choice(16, 32); layers = int(1, 3) }
model net { backbone = mlp(hidden = [64]) }
train t {
  data = d; model = net; optimizer = sgd(lr = hp.lr); epochs = 3; batch = hp.batch
  search = grid(objective = maximize(val.accuracy), parallel = 2)
}
model other { backbone = mlp(hidden = hp.layers) }
train u { data = d; model = other; optimizer = adam(lr = 0.01); epochs = 2
          search = tpe(trials = 7, objective = minimize(val.loss)) }
deploy r { from = t; targets = [torchscript()] }
)";

std::map<std::string, std::string> hashes(const std::string &text) {
  auto c = check_text(text);
  REQUIRE(c->diags.error_count() == 0);
  Plan plan = build_plan(c->specs);
  std::map<std::string, std::string> out;
  for (const Task &t : plan.tasks) out[t.id] = t.hash;
  return out;
}

std::string replace(std::string s, const std::string &from, const std::string &to) {
  std::size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("the plan is a DAG from load to package", "[plan]") {
  auto c = check_text(kProject);
  REQUIRE(c->diags.error_count() == 0);
  Plan plan = build_plan(c->specs);
  std::map<std::string, const Task *> by_id;
  for (const Task &t : plan.tasks) {
    for (const std::string &dep : t.deps) CHECK(by_id.count(dep));  // topological order
    by_id[t.id] = &t;
  }
  REQUIRE(by_id.count("load:d"));
  CHECK(by_id["search:t"]->deps == std::vector<std::string>{"load:d"});
  CHECK(by_id["trial:t"]->deps == std::vector<std::string>{"search:t"});
  CHECK(by_id["train:t"]->deps == std::vector<std::string>{"trial:t"});
  CHECK(by_id["package:r"]->deps == std::vector<std::string>{"evaluate:t"});
  // The dataset is loaded once for both trains.
  CHECK(std::count_if(plan.tasks.begin(), plan.tasks.end(), [](const Task &t) { return t.kind == TaskKind::Load; }) == 1);
}

TEST_CASE("grid trials enumerate choice and int exactly, continuous at 5 points", "[plan]") {
  auto c = check_text(kProject);
  Plan plan = build_plan(c->specs);
  for (const Task &t : plan.tasks) {
    if (t.id == "trial:t") {
      CHECK(t.count == 5 * 2);  // lr continuous (5) x batch choice (2)
      CHECK(t.parallel == 2);
    }
    if (t.id == "trial:u") CHECK(t.count == 7);
  }
  CHECK(plan.total_trials == 17);
}

TEST_CASE("task hashes ignore layout, comments and property order", "[plan]") {
  auto base = hashes(kProject);
  std::string reordered = replace(kProject, "data = d; model = net; optimizer = sgd(lr = hp.lr);",
                                  "optimizer = sgd(lr = hp.lr) // comment\n  model = net\n\n  data = d\n");
  CHECK(hashes(reordered) == base);
  CHECK(hashes(std::string("// header\n") + kProject) == base);
}

TEST_CASE("a change reruns exactly the tasks downstream of it", "[plan]") {
  auto base = hashes(kProject);
  auto model_changed = hashes(replace(kProject, "hidden = [64]", "hidden = [128]"));
  CHECK(model_changed["load:d"] == base["load:d"]);
  CHECK(model_changed["train:u"] == base["train:u"]);
  CHECK(model_changed["search:t"] != base["search:t"]);
  CHECK(model_changed["train:t"] != base["train:t"]);
  CHECK(model_changed["package:r"] != base["package:r"]);

  auto data_changed = hashes(replace(kProject, "train = 80%, val = 20%", "train = 70%, val = 30%"));
  for (const auto &[id, h] : base) CHECK(data_changed[id] != h);

  auto seed_changed = hashes(replace(kProject, "seed = 7", "seed = 8"));
  CHECK(seed_changed["load:d"] != base["load:d"]);
  auto store_changed = hashes(replace(kProject, "seed = 7", "seed = 7; store = \"elsewhere.db\""));
  CHECK(store_changed == base);
}

TEST_CASE("plan JSON lists every task with its identity", "[plan]") {
  auto c = check_text(kProject);
  Plan plan = build_plan(c->specs);
  std::string json = render_plan_json(plan);
  for (const Task &t : plan.tasks) CHECK(json.find("\"" + t.hash + "\"") != std::string::npos);
  std::string text = render_plan_text(plan);
  CHECK(text.find("trial:t x10") != std::string::npos);
  CHECK(text.find("17 trial(s)") != std::string::npos);
}

TEST_CASE("task identities carry the semantics version, so an older edlc's work is not reused", "[plan]") {
  auto c = check_text(kProject);
  REQUIRE(c->diags.error_count() == 0);
  Plan plan = build_plan(c->specs);
  auto ids = workflow::task_identities(plan);
  // The identities of version 1 (no version in them): what stores of older
  // versions hold. None may match now.
  const ast::Decl *d = c->checked.find(ast::DeclKind::Dataset, "d");
  REQUIRE(d);
  const auto *path = ast::find_argument(*ast::find_property(d->properties, "source")->value->as<ast::Call>(), "path", 0)
                         ->as<ast::Literal>();
  const std::string data = workflow::data_fingerprint(resolve_path(c->sm, path->range, path->text));
  std::map<std::string, std::string> old;
  for (const Task &t : plan.tasks) {
    std::string material = t.hash;
    if (t.kind == TaskKind::Load) material += "|data:" + data;
    for (const std::string &dep : t.deps) material += "|" + old[dep];
    old[t.id] = content_hash(material);
  }
  for (const Task &t : plan.tasks) {
    INFO(t.id);
    CHECK(ids.at(t.id) != old.at(t.id));
    CHECK(ids.at(t.id).size() == 32);
  }
  CHECK(workflow::kSemanticsVersion >= 2);
}

TEST_CASE("a detection dataset's identity follows its annotations, not only its images", "[plan]") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("edl-plan-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "images");
  std::ofstream(dir / "annotations.json") << R"({"images": [], "annotations": [], "categories": []})";
  const std::string text = with_project(R"(
dataset boxes { source = coco("annotations.json", "images"); task = detection }
model m { backbone = cnn(channels = [8, 16, 32]); head = retinanet() }
train t { data = boxes; model = m; optimizer = sgd(lr = 0.1); epochs = 1 }
)");
  auto identities = [&] {
    auto c = check_text(text, (dir / "p.edl").string());
    REQUIRE(c->diags.error_count() == 0);
    return workflow::task_identities(build_plan(c->specs));
  };
  const auto before = identities();
  std::ofstream(dir / "annotations.json") << R"({"images": [], "annotations": [], "categories": [{"id": 1, "name": "can"}]})";
  const auto after = identities();
  std::filesystem::remove_all(dir);
  CHECK(before.at("load:boxes") != after.at("load:boxes"));
  CHECK(before.at("train:t") != after.at("train:t"));
}

TEST_CASE("a searched augment block is measured against trivialaugment on images only", "[plan]") {
  // trivialaugment is an image policy: a text or sound job's search has no such baseline.
  for (const auto &[source, op, backbone, baseline] :
       {std::tuple{"image_folder(\"data\")", "rotate(degrees = hp.m)", "mlp(hidden = [8])", true},
        {"audio_folder(\"clips\")", "gain(db = hp.m)", "audio_cnn()", false},
        {"csv(\"t.csv\", text = \"t\", label = \"y\")", "token_dropout(rate = hp.m)", "text_cnn()", false}}) {
    INFO(source);
    auto c = check_text(std::string("project \"p\" { seed = 7 }\ndataset d { source = ") + source +
                        " }\nspace hp { m = uniform(0.01, 0.2) }\naugment a { " + op + " }\nmodel net { backbone = " +
                        backbone + " }\ntrain t { data = d; augment = a; model = net; optimizer = adam(lr = 0.01); "
                        "epochs = 1\n search = random(trials = 2, objective = maximize(val.accuracy)) }\n");
    const spec::Train *t = c->specs.train("t");
    REQUIRE(t);
    REQUIRE(t->search);
    CHECK(static_cast<bool>(t->search->baseline_augment) == baseline);
  }
}
