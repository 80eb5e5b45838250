// Our network's answer, for comparing an import with the original: builds
// the network an imported weights file describes (its backbone and
// classifier, computing with its conventions), loads the file and writes
// the logits of N x H x W x C float32 inputs (TF.js's layout), float32.
//
// Usage: edl_pretrained_logits WEIGHTS INPUT.f32 N OUTPUT.f32
#include "compiler/lower/torch/BuildModel.h"

#include <fstream>
#include <iostream>

using namespace edl;

int main(int argc, char **argv) {
  if (argc != 5) {
    std::cerr << "usage: edl_pretrained_logits WEIGHTS INPUT.f32 N OUTPUT.f32\n";
    return 2;
  }
  const std::string weights = argv[1], input = argv[2], output = argv[4];
  const int n = std::stoi(argv[3]);
  lower::WeightsFile file;
  std::string error;
  if (!lower::read_weights_file(weights, file, error) || !file.pretraining) {
    std::cerr << weights << ": " << (error.empty() ? "no pretraining record" : error) << "\n";
    return 1;
  }
  const lower::Pretraining &p = *file.pretraining;
  lower::ModelSpec spec;
  spec.backbone = p.backbone;
  spec.width = p.width;
  for (int h : p.head_hidden) spec.head_hidden.emplace_back(h);
  lower::InputShape shape;
  shape.channels = p.channels;
  shape.height = shape.width = p.size;
  shape.classes = static_cast<int>(file.tensors.at("head.out.weight").size(0));
  lower::Network net = lower::build_network(spec, shape, p.conventions);
  std::size_t kept = 0;
  const std::size_t loaded = lower::load_weights(*net, weights, error, &kept);
  if (!error.empty() || kept != 0) {
    std::cerr << weights << ": " << loaded << " tensors loaded, " << kept << " left new " << error << "\n";
    return 1;
  }
  net->eval();
  std::vector<float> x(static_cast<std::size_t>(n) * p.size * p.size * p.channels);
  std::ifstream in(input, std::ios::binary);
  in.read(reinterpret_cast<char *>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(float)));
  if (!in) {
    std::cerr << input << ": fewer than " << x.size() << " floats\n";
    return 1;
  }
  torch::NoGradGuard no_grad;
  // NHWC pixels in [0, 1], normalised as the pretraining did, then NCHW.
  torch::Tensor images = torch::from_blob(x.data(), {n, p.size, p.size, p.channels}, torch::kFloat32);
  torch::Tensor mean = torch::tensor(std::vector<float>(p.mean.begin(), p.mean.end()));
  torch::Tensor stdev = torch::tensor(std::vector<float>(p.std.begin(), p.std.end()));
  torch::Tensor logits = net->forward(((images - mean) / stdev).permute({0, 3, 1, 2}).contiguous()).contiguous();
  std::ofstream out(output, std::ios::binary);
  out.write(reinterpret_cast<const char *>(logits.data_ptr<float>()), static_cast<std::streamsize>(logits.numel() * sizeof(float)));
  return out ? 0 : 1;
}
