// `edlc preview FILE --augment NAME`: compiles an augment block, runs it on
// real images of the dataset it is used with, and writes a grid: each row
// an original and augmented variants of it; detection data with its boxes,
// segmentation data with its label map laid over it, carried through each
// variant's warp.
#include "Commands.h"
#include "tools/edlc/Errors.h"
#include "Report.h"

#include "compiler/lower/halide/LowerAugment.h"
#include "compiler/lower/halide/WarpBoxes.h"
#include "compiler/lower/halide/WarpMasks.h"
#include "runtime/data/Dataset.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <iostream>

namespace edl::cli {
namespace {

// A searched variable's value from --set space.var=value.
bool parse_set(const std::string &text, spec::SpaceValues &out) {
  std::size_t eq = text.find('=');
  if (eq == std::string::npos || text.find('.') > eq) return false;
  try {
    out[text.substr(0, eq)] = std::stod(text.substr(eq + 1));
  } catch (...) {
    return false;
  }
  return true;
}

cv::Mat cell(const std::uint8_t *pixels, int w, int h, int channels, int scale) {
  cv::Mat img(h, w, channels == 1 ? CV_8UC1 : channels == 3 ? CV_8UC3 : CV_8UC4, const_cast<std::uint8_t *>(pixels));
  cv::Mat bgr;
  if (channels == 1) cv::cvtColor(img, bgr, cv::COLOR_GRAY2BGR);
  else if (channels == 3) cv::cvtColor(img, bgr, cv::COLOR_RGB2BGR);
  else cv::cvtColor(img, bgr, cv::COLOR_RGBA2BGR);
  cv::resize(bgr, bgr, cv::Size(w * scale, h * scale), 0, 0, cv::INTER_NEAREST);
  return bgr;
}

cv::Scalar class_colour(int label) {
  return cv::Scalar((label * 97) % 256, (label * 57 + 128) % 256, 255 - (label * 131) % 256);
}

// Segmentation data: every pixel of a class other than the first
// (background) tinted with its class's colour; ignored pixels darkened.
void overlay_mask(cv::Mat &image, const std::uint8_t *mask, int w, int h, int ignore_index, int scale) {
  for (int y = 0; y < h * scale; ++y)
    for (int x = 0; x < w * scale; ++x) {
      const int label = mask[(y / scale) * w + x / scale];
      if (label == 0) continue;
      cv::Vec3b &p = image.at<cv::Vec3b>(y, x);
      const cv::Scalar c = label == ignore_index ? cv::Scalar(0, 0, 0) : class_colour(label);
      for (int k = 0; k < 3; ++k) p[k] = static_cast<std::uint8_t>(0.45 * p[k] + 0.55 * c[k]);
    }
}

// Detection data: each box drawn in its class's colour, named at its corner.
void draw_boxes(cv::Mat &image, const std::vector<lower::BoxCorners> &boxes, const std::vector<int> &labels,
                const std::vector<std::string> &classes, int scale) {
  for (std::size_t b = 0; b < boxes.size(); ++b) {
    const int label = labels[b];
    const cv::Scalar colour = class_colour(label);
    const cv::Point p0(static_cast<int>(boxes[b][0] * scale), static_cast<int>(boxes[b][1] * scale));
    const cv::Point p1(static_cast<int>(boxes[b][2] * scale) - 1, static_cast<int>(boxes[b][3] * scale) - 1);
    cv::rectangle(image, p0, p1, colour, 1);
    cv::putText(image, classes[static_cast<std::size_t>(label)], p0 + cv::Point(1, 9), cv::FONT_HERSHEY_PLAIN, 0.7,
                colour, 1);
  }
}

}  // namespace

int run_preview(const PreviewOptions &opts) {
  auto in = load_checked(opts.file, ColorMode::Auto);
  if (!in) return kUserError;
  const SourceManager &sm = in->sm;
  const spec::Augment *augment = in->specs.augment(opts.augment);
  if (!augment) {
    report_error() << "the project has no augment '" << opts.augment << "'";
    return kUserError;
  }
  const spec::Dataset *dataset = opts.dataset.empty() ? nullptr : in->specs.dataset(opts.dataset);
  if (!opts.dataset.empty() && !dataset) {
    report_error() << "the project has no dataset '" << opts.dataset << "'";
    return kUserError;
  }
  for (const spec::Train &t : in->specs.trains)
    if (!dataset && t.augment && t.augment->name == opts.augment) dataset = in->specs.dataset(t.dataset);
  if (!dataset) {
    report_error() << "no train job applies augment '" << opts.augment
              << "' to a dataset; name one with --dataset\n";
    return kUserError;
  }
  spec::SpaceValues space;
  for (const std::string &s : opts.sets)
    if (!parse_set(s, space)) {
      report_error() << "--set takes SPACE.VARIABLE=NUMBER, not '" << s << "'";
      return kUsage;
    }

  const data::DatasetSpec &spec = *dataset;
  const bool detection = spec::has_boxes(spec.source), segmentation = spec::has_masks(spec.source);
  if (spec.source != data::SourceKind::ImageFolder && !detection && !segmentation) {
    report_error() << "dataset '" << spec.name << "' is not a folder of images, COCO or mask data; preview shows images";
    return kUserError;
  }
  if (const lower::AugmentOp *op = detection || segmentation ? lower::op_without_boxes(*augment) : nullptr) {
    report_error() << "augment '" << augment->name << "' uses '" << op->name
                   << "', which blends two images and cannot carry the " << (detection ? "boxes" : "label maps")
                   << " of dataset '" << spec.name << "' (see edlc explain E0515)";
    return kUserError;
  }
  data::LoadedDataset data = data::load_dataset(spec);
  if (!data.report.ok() || data.size() == 0) {
    DiagnosticEngine diags;
    data::report_errors(data.report, spec.path_range, diags);
    if (diags.error_count() > 0)
      print_diagnostics(diags.diagnostics(), in->sm, OutputFormat::Text, ColorMode::Auto, diags.error_count(), 0);
    if (data.report.ok()) report_error() << "dataset '" << spec.name << "' has no images";
    return kUserError;
  }

  std::vector<lower::LoweringError> errors;
  lower::AugmentProgram program = lower::build_program(spec::bind(*augment, space, in->specs.project.space_defaults), data.width, data.height,
                           data.channels, errors);
  if (!errors.empty()) {
    DiagnosticEngine lowering;
    for (const lower::LoweringError &e : errors) lowering.report(e.id, e.range, e.args);
    print_diagnostics(lowering.diagnostics(), sm, OutputFormat::Text, ColorMode::Auto, lowering.error_count(), 0);
    return kUserError;
  }
  std::string error;
  // Compiled kernels are kept beside the decode cache, so the next preview
  // (and run) of an unchanged block loads instead of compiling.
  auto compiled = lower::CompiledAugment::compile(program, error, spec.cache_dir + "/kernels");
  if (!compiled) {
    report_internal_error(error);
    return kInternal;
  }

  // Images spread over the classes: the first of each class, then the second...
  std::vector<std::size_t> picks;
  for (std::size_t round = 0; picks.size() < static_cast<std::size_t>(opts.count) && round < data.size(); ++round)
    for (std::size_t c = 0; c < data.classes.size() && picks.size() < static_cast<std::size_t>(opts.count); ++c) {
      std::size_t seen = 0;
      for (std::size_t i = 0; i < data.size(); ++i)
        if (static_cast<std::size_t>(data.labels[i]) == c && seen++ == round) {
          picks.push_back(i);
          break;
        }
    }
  const std::size_t in_size = static_cast<std::size_t>(data.width) * data.height * data.channels;
  const std::size_t out_size = static_cast<std::size_t>(program.out_w) * program.out_h * data.channels;
  const int n = static_cast<int>(picks.size());
  const std::size_t plane = static_cast<std::size_t>(data.width) * data.height;  // one label map
  std::uint64_t seed = opts.seed >= 0 ? static_cast<std::uint64_t>(opts.seed) : spec.seed;
  std::vector<std::uint8_t> batch(in_size * picks.size());
  for (std::size_t k = 0; k < picks.size(); ++k)
    std::copy_n(data.pixels.begin() + static_cast<long>(picks[k] * in_size), in_size, batch.begin() + static_cast<long>(k * in_size));

  // Preview cells are at least 96 pixels (a report asks for the images' own size and lets the
  // browser scale them); detection cells at least 256, so box labels stay legible.
  int scale = opts.native && !detection ? 1 : std::max(1, (detection ? 256 : 96) / std::max(data.width, data.height));
  auto boxes_of = [&](std::size_t i) {
    std::vector<lower::BoxCorners> boxes;
    std::vector<int> labels;
    for (const data::Object &o : data.objects[i]) {
      boxes.push_back({o.x0, o.y0, o.x1, o.y1});
      labels.push_back(o.label);
    }
    return std::pair{boxes, labels};
  };
  std::vector<cv::Mat> rows;
  std::vector<std::uint8_t> out(out_size * picks.size());
  std::vector<std::vector<cv::Mat>> cells(picks.size());
  for (std::size_t k = 0; k < picks.size(); ++k) {
    cells[k].push_back(cell(&batch[k * in_size], data.width, data.height, data.channels, scale));
    if (detection) {
      const auto [boxes, labels] = boxes_of(picks[k]);
      draw_boxes(cells[k].back(), boxes, labels, data.classes, scale);
    }
    if (segmentation)
      overlay_mask(cells[k].back(), &data.masks[picks[k] * plane], data.width, data.height, data.ignore_index, scale);
  }
  for (int variant = 0; variant < opts.variants; ++variant) {
    // Each variant is another epoch: the image's index moves by the dataset size.
    std::vector<std::vector<float>> rows;
    std::vector<float> params;
    for (std::size_t k = 0; k < picks.size(); ++k) {
      rows.push_back(program.sample(seed, picks[k] + static_cast<std::uint64_t>(variant) * data.size()));
      params.insert(params.end(), rows.back().begin(), rows.back().end());
    }
    compiled->run(batch.data(), n, params.data(), out.data());
    for (std::size_t k = 0; k < picks.size(); ++k) {
      cells[k].push_back(cell(&out[k * out_size], program.out_w, program.out_h, data.channels, scale));
      if (segmentation) {
        std::vector<std::uint8_t> warped(static_cast<std::size_t>(program.out_w) * program.out_h);
        lower::warp_mask(rows[k], &data.masks[picks[k] * plane], data.width, data.height, warped.data(), program.out_w,
                         program.out_h, static_cast<std::uint8_t>(data.ignore_index));
        overlay_mask(cells[k].back(), warped.data(), program.out_w, program.out_h, data.ignore_index, scale);
      }
      if (!detection) continue;
      auto [boxes, labels] = boxes_of(picks[k]);
      std::vector<int> kept_labels;
      for (std::size_t b : lower::warp_boxes(program, rows[k], boxes)) kept_labels.push_back(labels[b]);
      draw_boxes(cells[k].back(), boxes, kept_labels, data.classes, scale);
    }
  }
  const int gap = 4;
  int cell_w = std::max(data.width, program.out_w) * scale, cell_h = std::max(data.height, program.out_h) * scale;
  cv::Mat grid(static_cast<int>(picks.size()) * (cell_h + gap) + gap, (opts.variants + 1) * (cell_w + gap) + gap,
               CV_8UC3, cv::Scalar(48, 48, 48));
  for (std::size_t k = 0; k < cells.size(); ++k)
    for (std::size_t v = 0; v < cells[k].size(); ++v) {
      const cv::Mat &m = cells[k][v];
      m.copyTo(grid(cv::Rect(gap + static_cast<int>(v) * (cell_w + gap), gap + static_cast<int>(k) * (cell_h + gap), m.cols, m.rows)));
    }
  if (!cv::imwrite(opts.out, grid)) {
    report_error() << "cannot write '" << opts.out << "'";
    return kUserError;
  }
  if (!opts.quiet)
    std::cout << "wrote " << opts.out << ": " << picks.size() << " images of dataset '" << spec.name << "', each with "
            << opts.variants << " variant(s) of augment '" << opts.augment << "' (" << program.out_w << "x"
            << program.out_h << "; kernel " << (compiled->from_cache() ? "loaded from the cache in " : "compiled in ")
            << static_cast<int>(compiled->compile_seconds() * 1000) << " ms)\n";
  return kOk;
}

}  // namespace edl::cli
