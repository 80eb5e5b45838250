// The checker: imports, name resolution, searched values, unused
// declarations. One diagnostic per mistake lives in tests/diagnostics; here
// are the behaviours a single expectation cannot show.
#include "TestSupport.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace edl;
using namespace edl::test;

namespace {

const char *kValid = R"(
project "p" { seed = 1 }
dataset d { source = image_folder("data") }
space hp { lr = loguniform(1e-4, 1e-1); batch = choice(16, 32) }
space aug { m = int(1, 10) }
augment a { randaugment(n = 2, m = aug.m) }
model net { backbone = mlp(hidden = [64]) }
train t {
  data = d; augment = a; model = net
  optimizer = sgd(lr = hp.lr); epochs = 3; batch = hp.batch
  search = grid(objective = maximize(val.accuracy))
}
)";

// A temporary folder that writes files into itself.
struct ProjectDir : test::TempDir {
  std::string write(const std::string &name, const std::string &text) const {
    std::filesystem::path p = path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
};

}  // namespace

TEST_CASE("a valid project has no errors and knows what it searches", "[sema]") {
  auto c = check_text(kValid);
  CHECK(c->diags.error_count() == 0);
  const TrainFacts *t = c->checked.train("t");
  REQUIRE(t);
  CHECK(t->dataset->name == "d");
  CHECK(t->augment->name == "a");
  CHECK(t->model->name == "net");
  REQUIRE(t->search);
  // Searched through the train itself (hp.lr, hp.batch) and through its augment (aug.m).
  std::vector<std::string> vars;
  for (const SpaceUse &u : t->searched) vars.push_back(u.space->name + "." + u.var);
  std::sort(vars.begin(), vars.end());
  CHECK(vars == std::vector<std::string>{"aug.m", "hp.batch", "hp.lr"});
}

TEST_CASE("imports are relative, loaded once, and share one namespace", "[sema]") {
  ProjectDir dir;
  dir.write("lib/data.edl", "import \"common.edl\"\ndataset d { source = image_folder(\"x\") }\n");
  dir.write("lib/common.edl", "model net { backbone = mlp(hidden = 8) }\n");
  std::string root = dir.write("main.edl",
                               "import \"lib/data.edl\"\nimport \"lib/common.edl\"\nproject p {}\n"
                               "train t { data = d; model = net; optimizer = adam(lr = 0.001); epochs = 1 }\n");
  auto c = check_file(root);
  CHECK(c->project.files.size() == 3);
  CHECK(c->diags.error_count() == 0);
}

TEST_CASE("an import cycle is reported with the whole chain", "[sema]") {
  ProjectDir dir;
  dir.write("b.edl", "import \"c.edl\"\n");
  dir.write("c.edl", "import \"b.edl\"\n");
  std::string root = dir.write("a.edl", "import \"b.edl\"\nproject p {}\n");
  auto c = check_file(root);
  REQUIRE(c->has("E0202"));
  for (const Diagnostic &d : c->diags.diagnostics())
    if (d.code == "E0202") CHECK(d.message == "import cycle: b.edl -> c.edl -> b.edl");
}

TEST_CASE("a missing import is an error at the import", "[sema]") {
  ProjectDir dir;
  std::string root = dir.write("a.edl", "import \"gone.edl\"\nproject p {}\n");
  auto c = check_file(root);
  REQUIRE(c->codes() == std::vector<std::string>{"E0201"});
  CHECK(c->sm.begin(c->diags.diagnostics()[0].range).column == 8);
}

TEST_CASE("independent errors are all reported in one run", "[sema]") {
  auto c = check_text(with_project(R"(
dataset d { source = image_folder("x"); split = { train = 50% } }
model m { backbone = resnet19() }
train t { data = d; model = m; optimizer = sgd(lr = -1); epochs = 0 }
)"));
  auto codes = c->codes();
  CHECK(c->has("E0502"));
  CHECK(c->has("E0304"));
  CHECK(std::count(codes.begin(), codes.end(), "E0501") == 2);
}

TEST_CASE("searched values out of a parameter's range are caught at the use", "[sema]") {
  auto c = check_text(with_project(R"(
dataset d { source = image_folder("x") }
space hp { p = uniform(0.5, 2.0); k = choice(1, 2, 9) }
augment a { rotate90(k = hp.k); flip_horizontal(p = hp.p) }
model m { backbone = mlp(hidden = 4) }
train t { data = d; augment = a; model = m; optimizer = sgd(lr = 0.1); epochs = 1
          search = random(trials = 4, objective = minimize(val.loss)) }
)"));
  CHECK(c->has("E0507"));  // uniform(0.5, 2.0) reaches past p's 1
  CHECK(c->has("E0501"));  // choice option 9 is no quarter turn count
}

TEST_CASE("unused declarations and space variables warn, and only warn", "[sema]") {
  auto c = check_text(with_project(R"(
dataset d { source = image_folder("x") }
dataset spare { source = image_folder("y") }
space hp { lr = uniform(0.01, 0.1); unused = uniform(0, 1) }
model m { backbone = mlp(hidden = 4) }
train t { data = d; model = m; optimizer = sgd(lr = hp.lr); epochs = 1
          search = random(trials = 2, objective = maximize(val.accuracy)) }
)"));
  CHECK(c->diags.error_count() == 0);
  CHECK(c->has("W0101"));
  CHECK(c->has("W0103"));
}

TEST_CASE("constant arithmetic is evaluated for range checks", "[sema]") {
  auto ok = check_text(with_project(R"(
dataset d { source = image_folder(".") }
model m { backbone = mlp(hidden = 4 * 16) }
train t { data = d; model = m; optimizer = sgd(lr = 1 / 1000); epochs = 2^3 }
)"));
  CHECK(ok->diags.error_count() == 0);
  auto bad = check_text(with_project(R"(
dataset d { source = image_folder(".") }
model m { backbone = mlp(hidden = 4) }
train t { data = d; model = m; optimizer = sgd(lr = 0.1); epochs = 10 / 4 }
)"));
  CHECK(bad->codes() == std::vector<std::string>{"E0401"});
}

TEST_CASE("the keyword none is the value none of an enumeration that has it", "[sema]") {
  const std::string deploy = R"(dataset d { source = image_folder("x") }
model net { backbone = cnn(channels = [8]) }
train t {
  data      = d
  model     = net
  optimizer = sgd(lr = 0.1)
  epochs    = 1
}
deploy e {
  from    = t
  targets = [edge(arch = x86_64, quantize = none)]
}
)";
  auto ok = check_text(with_project(deploy));
  CHECK(ok->diags.error_count() == 0);
  // Where the enumeration has no none, the keyword is still a mismatch.
  std::string wrong = deploy;
  wrong.replace(wrong.find("arch = x86_64"), 13, "arch = none");
  CHECK(check_text(with_project(wrong))->diags.error_count() == 1);
}

TEST_CASE("first-hour mistakes get a suggestion that names the fix", "[sema]") {
  auto c = check_text(with_project(R"(
dataset d { source = image_folder("."); split = { training = 80%, val = 20% } }
dataset e { sorce = image_folder(".") }
model m { backbone = mlp(hidden = 4) }
train t { data = d; model = m; optimizer = sgd(lr = 0.1); epochs = 1; metrics = [acc]
          early_stop = { metric = val.acc, patience = 2 } }
deploy r { from = t; targets = [edge(arch = "x86_64")] }
)"));
  auto help_of = [&](const std::string &code, const std::string &what) -> std::string {
    for (const Diagnostic &d : c->diags.diagnostics())
      if (d.code == code && d.message.find(what) != std::string::npos) return d.help.value_or("");
    FAIL("no " << code << " about " << what);
    return "";
  };
  CHECK(help_of("E0302", "'training'") == "did you mean 'train'?");  // a longer form of a key
  CHECK(help_of("E0308", "'acc'") == "did you mean 'accuracy'?");     // an abbreviation
  CHECK(help_of("E0306", "'acc'") == "did you mean 'accuracy'?");
  CHECK(help_of("E0401", "\"x86_64\"") == "this value is a bare name: write x86_64 without quotes");
  CHECK(help_of("E0302", "'sorce'") == "did you mean 'source'?");
  // The misspelling explains the missing 'source': no second error for it.
  for (const Diagnostic &d : c->diags.diagnostics()) CHECK(d.code != "E0403");
  // A key with nothing close lists the keys there are.
  auto keys = check_text(with_project("dataset d { source = image_folder(\".\"); split = { xyz = 1 } }"));
  bool listed = false;
  for (const Diagnostic &d : keys->diags.diagnostics())
    for (const std::string &n : d.notes) listed = listed || n == "available: train, val, test, group";
  CHECK(listed);
}

TEST_CASE("an empty store path resolves to a folder, without throwing (a fuzz find)", "[sema]") {
  auto c = check_text("project \"p\" { seed = 1; store = \"\" }\n");  // test.edl, no folder
  REQUIRE(c->diags.error_count() == 0);
  CHECK(std::filesystem::path(c->specs.project.store).is_absolute());
}
