// The text backbones: shapes on token ids, padding that an LSTM never
// reads, a text model refused on images (and an image model on text), and
// a text_cnn that learns real spam from ham through the shared training
// loop, then answers from its deploy package (TorchScript module and
// tokenizer file) exactly as it did in evaluation.
#include "TestSupport.h"

#include "compiler/lower/torch/BuildModel.h"
#include "runtime/deploy/Package.h"
#include "runtime/deploy/Predictor.h"
#include "runtime/train/Trainer.h"

#include <catch2/catch.hpp>


using namespace edl;
using namespace edl::lower;

namespace {

spec::Model text_spec(const std::string &backbone) {
  spec::Model m;
  m.name = backbone;
  m.backbone = backbone;
  m.embed = 16;
  m.kernels = {2, 3, 5};
  m.channels = {8};
  m.hidden = {12};
  m.layers = 2;
  m.bidirectional = true;
  m.heads = 4;
  m.ff = 32;
  m.encoder_dropout = 0.1;
  return m;
}

}  // namespace

TEST_CASE("text models: token ids in, class scores out, for text_cnn, a bidirectional lstm and a transformer",
          "[text]") {
  torch::manual_seed(2);
  for (const char *backbone : {"text_cnn", "lstm", "transformer"}) {
    INFO(backbone);
    std::vector<ModelError> errors;
    Network net = build_model(text_spec(backbone), {1, 1, 20, 3, 50}, errors);
    REQUIRE(errors.empty());
    REQUIRE(net);
    CHECK(net->block_names() == std::vector<std::string>{"embed", "encoder"});
    const torch::Tensor ids = torch::randint(2, 50, {4, 20}, torch::kInt64);
    CHECK(net->forward(ids).sizes() == torch::IntArrayRef{4, 3});
    // Features: 3 kernel widths x 8 channels, 12 hidden x 2 directions, or the embedding (16).
    CHECK(net->features(ids).size(1) == (backbone == std::string("transformer") ? 16 : 24));
    // A row of padding only (an empty text) and one shorter than the widest kernel still score.
    torch::Tensor short_rows = torch::zeros({2, 20}, torch::kInt64);
    short_rows[1][0] = 7;
    CHECK(torch::isfinite(net->forward(short_rows)).all().item<bool>());
    // The padding embedding is zero and stays so: it never trains.
    CHECK(net->backbone->named_children()["embed"]->named_parameters()["weight"][0].abs().sum().item<double>() == 0);
  }
}

TEST_CASE("lstm and transformer: padding is never read, whatever max_len pads the text to", "[text]") {
  torch::manual_seed(4);
  for (const char *backbone : {"lstm", "transformer"}) {
    INFO(backbone);
    std::vector<ModelError> errors;
    Network net = build_model(text_spec(backbone), {1, 1, 12, 2, 30}, errors);
    REQUIRE(net);
    net->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor text = torch::tensor({5, 9, 3, 17}, torch::kInt64);
    const torch::Tensor short_pad = torch::cat({text, torch::zeros({2}, torch::kInt64)}).unsqueeze(0);
    const torch::Tensor long_pad = torch::cat({text, torch::zeros({8}, torch::kInt64)}).unsqueeze(0);
    // Unpacked, an LSTM's backward direction would start on the padding,
    // and the second layer would read that in both directions; unmasked,
    // attention would mix padding into every token: the two-layer
    // bidirectional LSTM's and the transformer's features must still be equal.
    const torch::Tensor a = net->features(short_pad), b = net->features(long_pad);
    INFO("max difference " << (a - b).abs().max().item<double>());
    CHECK(torch::allclose(a, b, 1e-5, 1e-6));
    // A batch of rows of different lengths gives each row what it gives alone.
    const torch::Tensor both = torch::cat({short_pad, torch::tensor({{4, 0, 0, 0, 0, 0}}, torch::kInt64)});
    CHECK(torch::allclose(net->features(both)[0], a[0], 1e-5, 1e-6));
  }
  // The transformer's heads must divide its embedding.
  spec::Model odd = text_spec("transformer");
  odd.heads = 3;
  std::vector<ModelError> errors;
  CHECK(!build_model(odd, {1, 1, 12, 2, 30}, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].args[0].find("make embed a multiple of heads") != std::string::npos);
}

TEST_CASE("text and image models are refused on the other kind of input", "[text]") {
  std::vector<ModelError> errors;
  CHECK(!build_model(text_spec("text_cnn"), {3, 32, 32, 10}, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].args[0] == "text_cnn reads text, and this data is images");
  errors.clear();
  spec::Model cnn;
  cnn.backbone = "cnn";
  cnn.channels = {8};
  cnn.kernel = 3;
  CHECK(!build_model(cnn, {1, 1, 20, 2, 100}, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].args[0] == "cnn reads images, and this data is text");
}

TEST_CASE("text_cnn learns spam from ham on real emails through the training loop", "[text]") {
  spec::Dataset spec;
  spec.name = "emails";
  spec.source = spec::SourceKind::Csv;
  spec.path = test::fetched_data("spam") + "/spam.csv";
  spec.text_column = "text";
  spec.label_column = "label";
  spec.train = 0.5;
  spec.val = 0.5;
  spec.text.min_count = 2;
  spec.text.max_vocab = 5000;
  spec.text.max_len = 64;
  const data::LoadedDataset d = data::load_dataset(spec);
  REQUIRE(d.report.ok());
  torch::manual_seed(6);
  std::vector<ModelError> errors;
  spec::Model m = text_spec("text_cnn");
  m.embed = 32;
  m.channels = {32};
  Network net = build_model(m, {1, 1, 64, 2, static_cast<int>(d.vocabulary.size())}, errors);
  REQUIRE(net);
  train::TrainSpec ts;
  ts.epochs = 2;
  ts.batch = 64;
  ts.optimizer.kind = "adam";
  ts.optimizer.lr = 0.003;
  ts.metrics = {"accuracy"};
  train::TrainJob job;
  job.spec = &ts;
  job.data = &d;
  job.norm = train::make_normalizer(spec, d);
  const train::TrainResult r = train::train_model(net, job);
  REQUIRE(r.epochs.size() == 2);
  // Two in three emails are ham: answering ham always scores about 0.69.
  const double accuracy = r.epochs.back().val.value("accuracy");
  INFO("val accuracy " << accuracy);
  CHECK(accuracy > 0.9);
  // evaluate() agrees with the loop's own measurement of the last epoch.
  const train::EpochMetrics again = train::evaluate(net, d, d.split.val, job.norm, ts.loss);
  CHECK(again.value("accuracy") == Approx(accuracy));

  // Packaged and reopened, the model reads raw emails: the package's own
  // tokenizer and module give every validation email the class and
  // probability evaluation gave it.
  const test::TempDir dir;
  deploy::PackageSpec package;
  package.path = (dir.path / "mail.tar.gz").string();
  package.staging = (dir.path / "staging").string();
  package.targets = {"torchscript"};
  package.target_options = {{"torchscript", nlohmann::json::object()}};
  package.shape = train::input_shape(d);
  package.text = &d.vocabulary;
  package.manifest = {{"format", "edl-package"},
                      {"classes", d.classes},
                      {"input", {{"kind", "text"}, {"max_len", 64}}},
                      {"preprocessing", nlohmann::json::object()}};
  nlohmann::json written;
  std::string error;
  REQUIRE(deploy::write_package({net, nullptr, nullptr}, package, written, error));
  CHECK(written["files"]["tokenizer"] == "model/tokenizer.txt");
  auto predictor = deploy::Predictor::open(package.path, error);
  REQUIRE(predictor);
  REQUIRE(predictor->reads_text());
  std::vector<std::string> texts;
  for (std::size_t i : d.split.val) texts.push_back(d.texts[i]);
  const std::vector<deploy::Predicted> served = predictor->predict_texts(texts, 2);
  const train::Predictions evaluated = train::predict(net, d, d.split.val, job.norm, false);
  REQUIRE(served.size() == d.split.val.size());
  std::size_t same = 0, right = 0;
  double largest_gap = 0;
  for (std::size_t r = 0; r < served.size(); ++r) {
    REQUIRE(served[r].error.empty());
    const float *p = &evaluated.probabilities[r * 2];
    const int best = p[1] > p[0] ? 1 : 0;
    same += served[r].top[0].index == best;
    right += served[r].top[0].index == d.labels[d.split.val[r]];
    largest_gap = std::max(largest_gap, std::abs(served[r].top[0].score - p[served[r].top[0].index]));
  }
  CHECK(same == served.size());
  CHECK(largest_gap < 1e-4);
  CHECK(static_cast<double>(right) / served.size() == Approx(accuracy).margin(1e-9));
  // An image for a text model is refused, not guessed at.
  CHECK_FALSE(predictor->predict({{0x89, 'P', 'N', 'G'}}, 1)[0].error.empty());
}
