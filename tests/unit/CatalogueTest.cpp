// The stdlib catalogue holds every name LANGUAGE.md §4 promises, each with
// a doc, and the checker accepts each with its required arguments.
#include "TestSupport.h"

#include "stdlib/Catalogue.h"
#include "stdlib/DefaultValue.h"
#include "stdlib/Reference.h"

#include <catch2/catch.hpp>

using namespace edl;
using namespace edl::stdlib;

TEST_CASE("every callable of LANGUAGE.md section 4 is in the catalogue", "[catalogue]") {
  const Catalogue &c = catalogue();
  auto all_in = [&](Category cat, std::vector<std::string> names) {
    for (const std::string &n : names) {
      INFO(n);
      CHECK(c.find(cat, n) != nullptr);
    }
  };
  all_in(Category::AugmentOp,
         {"flip_horizontal", "flip_vertical", "rotate", "rotate90", "affine", "shear_x", "shear_y", "translate_x",
          "translate_y", "crop", "random_resized_crop", "resize", "pad", "brightness", "contrast", "saturation", "hue",
          "gamma", "grayscale", "invert", "solarize", "posterize", "equalize", "autocontrast", "sharpness", "blur",
          "noise", "cutout", "mixup", "cutmix", "time_shift", "gain", "time_mask", "freq_mask", "token_dropout",
          "token_swap"});
  all_in(Category::Policy, {"randaugment", "trivialaugment"});
  all_in(Category::Control, {"one_of", "some_of", "maybe"});
  all_in(Category::Source, {"image_folder", "csv", "audio_folder", "coco", "mask_folder"});
  all_in(Category::Backbone, {"mlp", "cnn", "resnet18", "resnet34", "resnet50", "mobilenet_v2", "text_cnn", "lstm",
                              "audio_cnn", "nas"});
  all_in(Category::Neck, {"fpn"});
  all_in(Category::Head, {"classifier", "faster_rcnn", "retinanet", "yolo", "fcn", "unet"});
  all_in(Category::Loss, {"cross_entropy", "focal"});
  all_in(Category::Optimizer, {"sgd", "adam", "adamw"});
  all_in(Category::Schedule, {"constant", "step", "cosine", "onecycle", "custom"});
  all_in(Category::Strategy, {"grid", "random", "tpe", "gp", "pbt"});
  all_in(Category::Pruner, {"asha", "median"});
  all_in(Category::Distribution, {"uniform", "loguniform", "int", "choice", "normal"});
  all_in(Category::Compress, {"dgc", "powersgd"});
  all_in(Category::Oracle, {"folder", "human"});
  all_in(Category::Target, {"server", "sdk", "edge", "torchscript"});
  all_in(Category::Tokenizer, {"word", "char", "bpe"});
  all_in(Category::Features, {"log_mel"});
}

TEST_CASE("every catalogue entry is documented and every op takes p", "[catalogue]") {
  for (const Function &f : catalogue().all()) {
    INFO(f.name);
    CHECK(!f.doc.empty());
    for (const Field &p : f.params) CHECK(!p.doc.empty());
    if (f.category == Category::AugmentOp) CHECK(f.param("p") != nullptr);
    if (f.category == Category::Head) CHECK(!f.task.empty());
  }
  for (ast::DeclKind k : {ast::DeclKind::Project, ast::DeclKind::Dataset, ast::DeclKind::Model,
                          ast::DeclKind::Train, ast::DeclKind::Label, ast::DeclKind::Deploy}) {
    const BlockSchema *b = catalogue().block(k);
    REQUIRE(b);
    for (const Field &p : b->properties) {
      INFO(p.name);
      CHECK(!p.doc.empty());
    }
  }
}

TEST_CASE("the block properties of LANGUAGE.md section 4 are all known", "[catalogue]") {
  auto has = [](ast::DeclKind k, std::vector<std::string> names) {
    for (const std::string &n : names) {
      INFO(n);
      CHECK(catalogue().block(k)->property(n) != nullptr);
    }
  };
  has(ast::DeclKind::Project, {"seed", "store", "device", "threads", "workflow"});
  has(ast::DeclKind::Dataset,
      {"source", "task", "split", "stratify", "image", "text", "audio", "classes", "on_error"});
  has(ast::DeclKind::Train, {"data", "augment", "model", "optimizer", "schedule", "epochs", "batch", "loss",
                             "metrics", "early_stop", "search", "distributed", "checkpoint", "priority"});
  has(ast::DeclKind::Label, {"pool", "model", "strategy", "batch", "rounds", "seed_labels", "oracle", "stop"});
  has(ast::DeclKind::Deploy, {"from", "targets", "package"});
}

TEST_CASE("every image op checks clean with its required arguments filled", "[catalogue]") {
  for (const Function *f : catalogue().functions(Category::AugmentOp)) {
    if (!(f->domains & (kImage | kBatch))) continue;
    std::string args;
    for (const Field &p : f->params) {
      if (!p.required) continue;
      std::string v = p.type->kind == TypeKind::Size || p.type->kind == TypeKind::OneOf ? "16x16"
                      : p.type->kind == TypeKind::Int                                 ? "1"
                                                                                      : "0.5";
      args += (args.empty() ? "" : ", ") + p.name + " = " + v;
    }
    std::string text = "project p {}\ndataset d { source = image_folder(\"x\") }\naugment a { " + f->name + "(" +
                       args + ") }\nmodel m { backbone = cnn(channels = [8]) }\n"
                       "train t { data = d; augment = a; model = m; optimizer = sgd(lr = 0.1); epochs = 1 }\n";
    auto c = test::check_text(text);
    INFO(text);
    CHECK(c->diags.error_count() == 0);
  }
}

TEST_CASE("docs/reference.md is the catalogue's own output", "[catalogue]") {
  // Regenerate with: build/tools/edlc/edlc explain --reference > docs/reference.md
  CHECK(test::read_file(test::source_dir() + "/docs/reference.md") == reference_markdown());
}

TEST_CASE("catalogue defaults parse into typed values, records of numbers included", "[catalogue]") {
  stdlib::DefaultValue split = stdlib::parse_default("{ train = 80%, val = 20% }");
  REQUIRE(split.kind == stdlib::DefaultValue::Record);
  CHECK(split.field("train", -1) == Approx(0.8));
  CHECK(split.field("val", -1) == Approx(0.2));
  CHECK(split.field("test", -1) == -1);
  CHECK(stdlib::parse_default("{ train = most }").kind == stdlib::DefaultValue::Described);
  CHECK(stdlib::parse_default("[0.9, 0.999]").numbers == std::vector<double>{0.9, 0.999});
  CHECK(stdlib::parse_default("1_000s").number == 1000);
}
