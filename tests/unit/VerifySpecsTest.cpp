// The verifier of resolved specs: every project resolve accepts keeps the
// invariants (compile_project checks each one), and each kind of broken
// invariant is caught by name.
#include "TestSupport.h"

#include "compiler/resolve/VerifySpecs.h"

#include <catch2/catch.hpp>

using namespace edl;
using namespace edl::test;

namespace {

const char *kProject = R"(
project "p" { seed = 7 }
dataset d { source = image_folder("data"); split = { train = 80%, val = 20% } }
space hp { lr = loguniform(1e-4, 1e-1) }
augment a { maybe(p = 0.5) { rotate(degrees = 10) } }
model net { backbone = mlp(hidden = [64]) }
train t { data = d; augment = a; model = net; optimizer = sgd(lr = hp.lr); epochs = 3
          search = tpe(trials = 4, objective = maximize(val.accuracy)) }
deploy r { from = t; targets = [torchscript()] }
)";

// The first op step of a control tree.
spec::Control *first_op(spec::Control &c) {
  if (c.kind == spec::Control::Op) return &c;
  for (spec::Control &child : c.children)
    if (spec::Control *op = first_op(child)) return op;
  return nullptr;
}

bool mentions(const std::vector<std::string> &broken, const std::string &text) {
  for (const std::string &b : broken)
    if (b.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("resolved specs keep their invariants, each broken one is named", "[resolve]") {
  auto c = check_text(kProject);
  REQUIRE(c->diags.error_count() == 0);
  CHECK(spec::verify(c->specs).empty());

  spec::Specs broken = c->specs;
  broken.datasets[0].train = 0.5;
  broken.trains[0].dataset = "nowhere";
  broken.trains[0].search->dimensions.push_back(broken.trains[0].search->dimensions[0]);
  auto augment = std::make_shared<spec::Augment>(*broken.trains[0].augment);
  REQUIRE(first_op(augment->root));
  first_op(augment->root)->op = 7;
  broken.trains[0].augment = augment;
  broken.deploys[0].from = "gone";
  broken.project.store = "relative.db";
  std::vector<std::string> found = spec::verify(broken);
  CHECK(found.size() == 6);
  CHECK(mentions(found, "dataset 'd': its split shares do not add up to 1"));
  CHECK(mentions(found, "train 't': its dataset 'nowhere' is not declared"));
  CHECK(mentions(found, "dimension 'hp.lr' twice"));
  CHECK(mentions(found, "augment 'a': a control step points at no op"));
  CHECK(mentions(found, "deploy 'r': its train job or label block 'gone' is not declared"));
  CHECK(mentions(found, "project: its store 'relative.db' is not an absolute path"));
}
