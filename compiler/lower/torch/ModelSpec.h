// A model block resolved into plain values for the libtorch builder, with
// the source ranges a shape or weights error points at. No torch here.
#pragma once

#include "compiler/sema/Checker.h"
#include "compiler/sema/SpaceValues.h"

#include <string>
#include <vector>

namespace edl::lower {

struct ModelSpec {
  std::string name;
  std::string backbone;            // mlp cnn resnet18 resnet34 resnet50 mobilenet_v2
  SourceRange backbone_range;
  std::vector<int> hidden;         // mlp
  std::vector<int> channels;       // cnn
  int kernel = 3;                  // cnn
  double width = 1.0;              // mobilenet_v2
  std::string pretrained;          // absolute path of weights, or empty
  SourceRange pretrained_range;
  std::string freeze;              // a block name of the backbone, or empty
  SourceRange freeze_range;
  std::string head = "classifier";
  SourceRange head_range;
  std::vector<int> head_hidden;
  double dropout = 0;
};

ModelSpec model_spec(const CheckedProject &project, const ast::Decl &model, const SourceManager &sm,
                     const SpaceValues &space = {});

}  // namespace edl::lower
