// Detectors: the network's outputs line up with its anchors for each
// backbone and head, with and without the pyramid; anchors are matched to
// objects as RetinaNet and YOLO match them; the losses fall to where they
// should on fitted cases; YOLO's coding is RetinaNet's deltas; the
// TorchScript export detects as the network does.
#include "compiler/lower/torch/Detector.h"
#include "compiler/lower/torch/ExportTorchScript.h"
#include "compiler/lower/torch/YoloCoding.h"
#include "runtime/train/DetectionLoss.h"
#include "runtime/train/FasterRcnnLoss.h"
#include "runtime/train/YoloLoss.h"

#include <catch2/catch.hpp>
#include <torch/script.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace edl;
using namespace edl::lower;

namespace {

spec::Model detector_spec(const std::string &backbone, bool fpn, const std::string &head = "retinanet") {
  spec::Model m;
  m.backbone = backbone;
  m.channels = {16, 32, 64, 64};
  m.kernel = 3;
  m.width = 0.5;
  m.head = head;
  if (fpn) m.neck = "fpn";
  m.neck_channels = 32;
  m.anchor_sizes = {16, 32, 64};
  m.anchor_ratios = {0.5, 1.0, 2.0};
  m.anchor_scales = {1.0, 1.5};
  m.head_depth = 1;
  m.head_channels = 32;
  m.score_threshold = 0.05;
  m.nms_threshold = 0.5;
  m.detections = 100;
  m.proposals = 300;
  m.rois = 64;
  m.box_width = 64;
  return m;
}

// The same detections, rows (x0 y0 x1 y1 score label) matched one to one up to float tolerance, in any order:
// two scores a rounding apart may come out in either order.
bool same_detections(const torch::Tensor &a, const torch::Tensor &b) {
  if (a.sizes() != b.sizes()) return false;
  std::vector<bool> used(static_cast<std::size_t>(b.size(0)), false);
  for (std::int64_t i = 0; i < a.size(0); ++i) {
    bool found = false;
    for (std::int64_t j = 0; j < b.size(0) && !found; ++j)
      if (!used[static_cast<std::size_t>(j)] && torch::allclose(a[i], b[j], 1e-5, 1e-5))
        found = used[static_cast<std::size_t>(j)] = true;
    if (!found) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("detector: outputs line up with anchors for every backbone and head, with and without fpn", "[detect]") {
  for (const char *head : {"retinanet", "yolo", "faster_rcnn"})
    for (const char *backbone : {"cnn", "resnet18", "mobilenet_v2"})
      for (bool fpn : {false, true}) {
        INFO(head << " on " << backbone << (fpn ? " + fpn" : ""));
        std::vector<ModelError> errors;
        Detector net = build_detector(detector_spec(backbone, fpn, head), {3, 128, 128, 5}, errors);
        REQUIRE(net);
        const torch::Tensor raw = net->forward(torch::zeros({2, 3, 128, 128}));
        CHECK(raw.size(0) == 2);
        CHECK(raw.size(1) == net->anchors.size(0));
        // faster_rcnn's are the RPN's: objectness and deltas.
        CHECK(raw.size(2) == (net->shape.two_stage() ? 1 + 4 : 5 + 4));
        // yolo's own outputs have objectness first; each anchor knows its level's stride.
        CHECK(net->head_outputs(torch::zeros({1, 3, 128, 128})).size(2) == (net->shape.yolo() ? 1 + 5 + 4 : raw.size(2)));
        if (net->shape.yolo()) CHECK(net->strides.size(0) == net->anchors.size(0));
        if (fpn) {
          // Three sizes, three levels: strides 8, 16 and 32 (a P6 where the backbone stops at 16).
          CHECK(net->anchors.size(0) == (16 * 16 + 8 * 8 + 4 * 4) * 6);
        } else {
          CHECK(net->taps.size() == 1);
        }
        net->eval();
        const torch::Tensor found = net->detect(torch::rand({1, 3, 128, 128}))[0];
        if (net->shape.two_stage()) {
          // Untrained, every class is about 1/6 likely: boxes, inside the image, at most `detections`.
          CHECK(found.size(1) == 6);
          CHECK(found.size(0) <= 100);
          if (found.size(0) > 0) CHECK(found.slice(1, 0, 4).max().item<float>() <= 128);
          CHECK(net->box_head);
        } else {
          // Untrained, the prior keeps every score near 0.01: nothing passes 0.05.
          CHECK(found.size(0) == 0);
        }
      }
  std::vector<ModelError> errors;
  spec::Model flat = detector_spec("mlp", false);
  flat.hidden = {16};
  CHECK_FALSE(build_detector(flat, {3, 32, 32, 5}, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].args[0].find("convolutional backbone") != std::string::npos);
}

TEST_CASE("detection loss: anchors match by IoU, every object keeps its best anchor", "[detect]") {
  const torch::Tensor anchors = torch::tensor({0.f, 0.f, 10.f, 10.f,     // IoU 1 with object 0
                                               0.f, 0.f, 10.f, 14.f,     // IoU 0.71: object 0
                                               0.f, 0.f, 10.f, 22.f,     // IoU 0.45: ignored
                                               50.f, 50.f, 60.f, 60.f,   // nothing: background
                                               100.f, 100.f, 140.f, 140.f})  // the best, if poor, for object 1
                                    .view({-1, 4});
  const torch::Tensor boxes = torch::tensor({0.f, 0.f, 10.f, 10.f, 100.f, 100.f, 110.f, 110.f}).view({-1, 4});
  const train::AnchorMatch m = train::match_anchors(anchors, boxes);
  CHECK(m.object[0].item<std::int64_t>() == 0);
  CHECK(m.object[1].item<std::int64_t>() == 0);
  CHECK(m.object[2].item<std::int64_t>() == -2);
  CHECK(m.object[3].item<std::int64_t>() == -1);
  CHECK(m.object[4].item<std::int64_t>() == 1);  // IoU 1/16, but object 1's best
  CHECK((train::match_anchors(anchors, torch::zeros({0, 4})).object == -1).all().item<bool>());

  // Outputs that predict the objects exactly cost almost nothing; the
  // prior's outputs cost what the focal loss says.
  const int classes = 3;
  std::vector<train::ImageTargets> targets = {{boxes, torch::tensor({2, 1}, torch::kLong)}};
  torch::Tensor perfect = torch::full({1, 5, classes + 4}, -12.0);
  const torch::Tensor deltas = encode_boxes(boxes.index({torch::tensor({0, 0, 0, 0, 1})}), anchors, {1, 1, 1, 1});
  perfect.slice(2, classes, classes + 4).copy_(deltas.unsqueeze(0));
  perfect[0][0][2] = perfect[0][1][2] = 12.0;
  perfect[0][4][1] = 12.0;
  const train::DetectionLoss fitted = train::detection_loss(perfect, anchors, targets, classes);
  CHECK(fitted.classification.item<double>() < 1e-6);
  CHECK(fitted.box.item<double>() < 1e-5);
  // All at logit 0 (p = 0.5): each counted anchor-class pair costs alpha_t * log 2 * 0.5^2,
  // over 3 matched anchors; the ignored anchor costs nothing.
  const train::DetectionLoss even = train::detection_loss(torch::zeros({1, 5, classes + 4}), anchors, targets, classes);
  const double per = std::log(2.0) * 0.25;
  const double positives = 3 * (0.25 * per + 2 * 0.75 * per), negatives = 1 * 3 * 0.75 * per;
  CHECK(even.classification.item<double>() == Approx((positives + negatives) / 3));
}

TEST_CASE("yolo coding: bounded offsets and sizes as RetinaNet's deltas, objectness x class as one logit", "[detect]") {
  const torch::Tensor anchors = torch::tensor({10.f, 20.f, 30.f, 60.f, 0.f, 0.f, 8.f, 8.f}).view({-1, 4});
  const torch::Tensor strides = torch::tensor({8.f, 16.f});
  auto boxes = [&](const torch::Tensor &t) {
    return decode_boxes(yolo_deltas(t, anchors, strides), anchors, {1, 1, 1, 1});
  };
  // Zero outputs: the anchor itself.
  CHECK(torch::allclose(boxes(torch::zeros({2, 4})), anchors, 1e-5, 1e-4));
  // Saturated: the centre one stride away, each side four times the anchor's.
  const torch::Tensor far = boxes(torch::full({2, 4}, 30.0f));
  // Centres (28, 48) and (20, 20); 80 x 160 and 32 x 32.
  const torch::Tensor want = torch::tensor({28.f - 40.f, 48.f - 80.f, 28.f + 40.f, 48.f + 80.f,  //
                                            20.f - 16.f, 20.f - 16.f, 20.f + 16.f, 20.f + 16.f})
                                 .view({-1, 4});
  CHECK(torch::allclose(far, want, 1e-4, 1e-3));
  const torch::Tensor near = boxes(torch::full({2, 4}, -30.0f));  // centre a stride back, sizes near 0
  CHECK(near[0][0].item<float>() == Approx(20 - 8).margin(1e-3));
  CHECK((near.select(1, 2) - near.select(1, 0)).max().item<float>() < 1e-3);
  // Scores: sigmoid of the logit is sigmoid(obj) * sigmoid(cls), finite when both saturate.
  const torch::Tensor obj = torch::tensor({-3.f, 0.f, 2.f, 40.f});
  const torch::Tensor cls = torch::tensor({1.f, -2.f, 0.5f, 40.f}).view({4, 1});
  const torch::Tensor logits = yolo_class_logits(obj, cls);
  const torch::Tensor product = torch::sigmoid(obj) * torch::sigmoid(cls.flatten());
  CHECK(torch::allclose(torch::sigmoid(logits).flatten(), product, 1e-5, 1e-5));
  CHECK(torch::isfinite(logits).all().item<bool>());
}

TEST_CASE("yolo loss: objects go to the anchors near their centres of a fitting shape, the smallest wins", "[detect]") {
  // Stride-8 anchors of 8 x 8 and 32 x 32 at cell centres (4, 4), (12, 4), (36, 4).
  const torch::Tensor anchors = torch::tensor({0.f, 0.f, 8.f, 8.f,  8.f, 0.f, 16.f, 8.f,  -12.f, -12.f, 20.f, 20.f,
                                               32.f, 0.f, 40.f, 8.f,  90.f, 90.f, 98.f, 98.f})
                                    .view({-1, 4});
  const torch::Tensor strides = torch::full({5}, 8.0f);
  // Object 0: 10 x 10 at (7, 5): anchors 0 and 1 (within a stride), 2 is 3.2x its size (fits).
  // Object 1: 4 x 4 at (36, 4): anchor 3; also within a stride of nothing else.
  // Object 2: 60 x 60 far away: no anchor fits its shape near it, so it keeps its best overlap (anchor 4).
  const torch::Tensor boxes =
      torch::tensor({2.f, 0.f, 12.f, 10.f, 34.f, 2.f, 38.f, 6.f, 70.f, 70.f, 130.f, 130.f}).view({-1, 4});
  const torch::Tensor object = train::yolo_assign(anchors, strides, boxes);
  CHECK(object[0].item<std::int64_t>() == 0);
  CHECK(object[1].item<std::int64_t>() == 0);
  CHECK(object[2].item<std::int64_t>() == 0);
  CHECK(object[3].item<std::int64_t>() == 1);
  CHECK(object[4].item<std::int64_t>() == 2);
  // Two objects wanting anchor 0: the smaller takes it.
  const torch::Tensor both = torch::tensor({0.f, 0.f, 9.f, 9.f, 2.f, 2.f, 7.f, 7.f}).view({-1, 4});
  CHECK(train::yolo_assign(anchors, strides, both)[0].item<std::int64_t>() == 1);
  CHECK((train::yolo_assign(anchors, strides, torch::zeros({0, 4})) == -1).all().item<bool>());

  // Objects that are the anchors themselves, outputs saying so: no loss.
  const int classes = 2;
  const torch::Tensor exact = anchors.slice(0, 0, 2);
  std::vector<train::ImageTargets> targets = {{exact, torch::tensor({1, 0}, torch::kLong)}};
  const torch::Tensor assigned = train::yolo_assign(anchors, strides, exact);
  CHECK(assigned[0].item<std::int64_t>() == 0);
  CHECK(assigned[1].item<std::int64_t>() == 1);
  torch::Tensor fitted = torch::zeros({1, 5, 1 + classes + 4});
  fitted.select(2, 0).fill_(-20);
  fitted.select(2, 1).fill_(-20);
  fitted.select(2, 2).fill_(-20);
  fitted[0][0][0] = fitted[0][1][0] = 20;  // objectness of the two assigned
  fitted[0][0][2] = fitted[0][1][1] = 20;  // their classes
  const train::DetectionLoss none = train::yolo_loss(fitted, anchors, strides, targets, classes);
  CHECK(none.classification.item<double>() < 1e-6);
  CHECK(none.box.item<double>() < 1e-4);
  // Everything at logit 0: objectness log 2 on each of 5 anchors, classes log 2 on 2 x 2, over 2 assigned.
  const train::DetectionLoss even =
      train::yolo_loss(torch::zeros({1, 5, 1 + classes + 4}), anchors, strides, targets, classes);
  CHECK(even.classification.item<double>() == Approx((5 + 4) * std::log(2.0) / 2));
  CHECK(even.box.item<double>() < 1e-4);  // zero offsets: the anchors, exactly
  // GIoU: 1 for the same box; for a half overlap its IoU, 2/6, as the hull is the union.
  const torch::Tensor a = torch::tensor({0.f, 0.f, 2.f, 2.f, 0.f, 0.f, 2.f, 2.f}).view({-1, 4});
  const torch::Tensor b = torch::tensor({0.f, 0.f, 2.f, 2.f, 1.f, 0.f, 3.f, 2.f}).view({-1, 4});
  const torch::Tensor g = train::paired_giou(a, b);
  CHECK(g[0].item<double>() == Approx(1.0));
  CHECK(g[1].item<double>() == Approx(2.0 / 6.0));  // IoU 2/6; the hull (3 x 2) is the union
}

TEST_CASE("faster_rcnn loss: balanced samples drawn by the seed, it trains every stage, and fitting lowers it", "[detect]") {
  const torch::Tensor positive = torch::arange(110) < 10, negative = ~positive;
  std::mt19937_64 a(7), b(7), c(8);
  const train::Sampled drawn = train::sample_balanced(positive, negative, 16, 0.25, a);
  CHECK(drawn.positive.size() == 4);
  CHECK(drawn.negative.size() == 12);
  for (std::int64_t i : drawn.positive) CHECK(i < 10);
  for (std::int64_t i : drawn.negative) CHECK(i >= 10);
  CHECK(train::sample_balanced(positive, negative, 16, 0.25, b).negative == drawn.negative);
  CHECK(train::sample_balanced(positive, negative, 16, 0.25, c).negative != drawn.negative);
  // Fewer positives than the fraction allows: negatives fill the count.
  const train::Sampled few = train::sample_balanced(torch::arange(110) < 2, torch::arange(110) >= 2, 16, 0.25, a);
  CHECK(few.positive.size() == 2);
  CHECK(few.negative.size() == 14);

  torch::manual_seed(3);
  std::vector<ModelError> errors;
  Detector net = build_detector(detector_spec("cnn", true, "faster_rcnn"), {3, 64, 64, 2}, errors);
  REQUIRE(net);
  const torch::Tensor x = torch::rand({1, 3, 64, 64});
  const std::vector<train::ImageTargets> targets = {
      {torch::tensor({8.f, 8.f, 28.f, 24.f, 30.f, 30.f, 60.f, 62.f}).view({-1, 4}), torch::tensor({0, 1}, torch::kLong)}};
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(1e-3));
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    optimizer.zero_grad();
    const train::DetectionLoss loss = train::faster_rcnn_loss(*net, net->run(x), targets, 11);
    const torch::Tensor total = loss.total();
    REQUIRE(std::isfinite(total.item<double>()));
    total.backward();
    if (step == 0) {
      first = total.item<double>();
      CHECK(loss.box.item<double>() > 0);
      // Every stage learns: backbone, RPN towers and box head.
      for (const torch::Tensor &p : {net->backbone->parameters()[0], net->class_tower->parameters()[0],
                                     net->box_tower->parameters()[0], net->box_head->parameters()[0]})
        CHECK(p.grad().abs().sum().item<double>() > 0);
    }
    last = total.item<double>();
    optimizer.step();
  }
  INFO("first " << first << ", last " << last);
  CHECK(last < 0.3 * first);
  // No objects: only background terms, no box loss.
  const train::DetectionLoss empty =
      train::faster_rcnn_loss(*net, net->run(x), {{torch::zeros({0, 4}), torch::zeros({0}, torch::kLong)}}, 1);
  CHECK(empty.box.item<double>() == 0);
  CHECK(empty.classification.item<double>() > 0);
}

TEST_CASE("detector: the TorchScript export detects exactly as the network, in libtorch and in Python", "[detect]") {
  // Seeded: with other draws (4 of seeds 1..60) faster_rcnn's box head scores a row one unit in the last place apart
  // in the traced module, enough to swap two near-equal detections, hence same_detections below.
  torch::manual_seed(11);
  for (const char *head : {"retinanet", "yolo", "faster_rcnn"}) {
    INFO(head);
    std::vector<ModelError> errors;
    Detector net = build_detector(detector_spec("cnn", true, head), {3, 64, 64, 4}, errors);
    REQUIRE(net);
    {
      // Scores well above the threshold, so there is much to decode and suppress.
      torch::NoGradGuard no_grad;
      auto out = net->class_tower->named_children()["out"];
      out->named_parameters()["bias"].fill_(0.5);
      for (auto &p : net->box_tower->parameters()) p.normal_(0, 0.05);
    }
    net->eval();
    const torch::Tensor x = torch::rand({3, 3, 64, 64});
    const std::vector<torch::Tensor> want = net->detect(x);
    // Capped at `detections`; faster_rcnn's are as many as its proposals' classes survive NMS.
    if (net->shape.two_stage()) REQUIRE(want[0].size(0) > 10);
    else REQUIRE(want[0].size(0) == 100);
    const std::string dir = std::filesystem::temp_directory_path() / ("edl-detector-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::string error;
    const bool saved = export_detector_torchscript(net, {3, 64, 64, 4}, dir + "/model.pt", error);
    INFO(error);
    REQUIRE(saved);
    torch::jit::Module loaded = torch::jit::load(dir + "/model.pt");
    const c10::List<c10::IValue> got = loaded.forward({x}).toList();
    REQUIRE(got.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      INFO("image " << i);
      CHECK(same_detections(got.get(i).toTensor(), want[i]));
    }

    // Python's torch runs the same module: the same boxes in the same order.
    c10::Dict<std::string, torch::Tensor> io;
    io.insert("x", x);
    for (std::size_t i = 0; i < 3; ++i) io.insert("want" + std::to_string(i), got.get(i).toTensor());
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(io));
    std::ofstream(dir + "/io.pt", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    const std::string script =
        "import sys, torch\n"
        "m = torch.jit.load(sys.argv[1] + '/model.pt')\n"
        "io = torch.load(sys.argv[1] + '/io.pt')\n"
        "out = m(io['x'])\n"
        "assert len(out) == 3\n"
        "for i in range(3):\n"
        "    assert torch.allclose(out[i], io['want%d' % i], atol=1e-5), i\n"
        "print('python agrees')\n";
    std::ofstream(dir + "/check.py") << script;
    const int rc = std::system(("/usr/bin/python3 " + dir + "/check.py " + dir + " > " + dir + "/out.txt 2>&1").c_str());
    std::ifstream in(dir + "/out.txt");
    const std::string said((std::istreambuf_iterator<char>(in)), {});
    INFO(said);
    CHECK(rc == 0);
    CHECK(said.find("python agrees") != std::string::npos);
    std::filesystem::remove_all(dir);
  }
}
