// edlc import-weights tfjs DIR --as mobilenet_v2 --out FILE: a published
// TensorFlow.js layers model as an edlc weights file, which a model's
// `pretrained = "FILE"` then loads (docs/transfer.md).
#include "Commands.h"
#include "tools/edlc/Errors.h"

#include "runtime/pretrained/ImportTfjs.h"

#include <filesystem>
#include <iostream>
#include <sstream>

namespace edl::cli {
namespace {

std::string list_text(const std::vector<double> &values) {
  std::ostringstream out;
  for (std::size_t i = 0; i < values.size(); ++i) out << (i ? ", " : "") << values[i];
  return out.str();
}

}  // namespace

int run_import_weights(const ImportOptions &opts) {
  if (opts.format != "tfjs") {
    report_error() << "import-weights: '" << opts.format << "' is no format edlc reads; it reads tfjs (a TensorFlow.js layers model)";
    return kUsage;
  }
  if (opts.mean.size() != opts.std.size() || opts.mean.empty()) {
    report_error() << "import-weights: --mean and --std give one value each, or one per channel, as many of each";
    return kUsage;
  }
  for (double s : opts.std)
    if (!(s > 0)) {
      report_error() << "import-weights: --std " << s << " is not positive";
      return kUsage;
    }
  std::string error;
  std::optional<pretrained::TfjsModel> model = pretrained::read_tfjs_model(opts.dir, error);
  if (!model) {
    report_error() << "import-weights: " << opts.dir << ": " << error;
    return kUserError;
  }
  pretrained::ImportOptions options;
  options.as = opts.as;
  options.mean = opts.mean;
  options.std = opts.std;
  options.classes = opts.classes;
  options.source = opts.source;
  pretrained::ImportReport report;
  try {
    if (!pretrained::import_tfjs(*model, options, opts.out, report, error)) {
      report_error() << "import-weights: " << opts.dir << " cannot become a " << opts.as << ": " << error;
      return kUserError;
    }
  } catch (const std::exception &e) {
    report_error() << "import-weights: " << opts.out << ": " << e.what();
    return kUserError;
  }
  const lower::Pretraining &p = report.pretraining;
  std::ostringstream head;
  if (report.classes > 0) {
    head << " + classifier [";
    for (std::size_t i = 0; i < p.head_hidden.size(); ++i) head << (i ? ", " : "") << p.head_hidden[i];
    head << "] of " << report.classes << " classes";
  }
  std::cout << "imported " << report.tensors << " tensors (" << report.values << " values) from " << p.source << "\n"
            << "  into " << p.backbone << "(width = " << p.width << ")" << head.str() << "\n"
            << "  computing as it did: " << (p.conventions.tf_padding ? "TensorFlow padding, " : "")
            << "batch-norm epsilon " << p.conventions.bn_eps << "\n"
            << "  input " << p.size << "x" << p.size << "x" << p.channels << ", normalised as (pixel / 255 - ["
            << list_text(p.mean) << "]) / [" << list_text(p.std) << "]\n"
            << "wrote " << opts.out << " (" << std::filesystem::file_size(opts.out) / 1024 << " KiB)\n";
  return kOk;
}

}  // namespace edl::cli
