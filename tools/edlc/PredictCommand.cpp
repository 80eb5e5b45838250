// `edlc predict PACKAGE FILE...`: classifies image files, finds the
// objects in them, or writes their label maps; with a text model,
// classifies text files, their lines, or --text strings; with a sound
// model, audio files (WAV, FLAC, ...). A deploy package alone does it (its
// TorchScript module and preprocessing, tokenizer or features).
#include "Commands.h"
#include "tools/edlc/Errors.h"

#include "compiler/support/JsonText.h"
#include "runtime/deploy/Predictor.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <iostream>
#include <iterator>

namespace edl::cli {
namespace {

// A detector's answer: one line per object (box in the image's pixels,
// x0 y0 x1 y1), or one JSON entry with all of them.
void print_objects(const std::string &file, const deploy::Predicted &r, bool json, nlohmann::json &all) {
  if (json) {
    nlohmann::json objects = nlohmann::json::array();
    for (const deploy::Detection &d : r.objects)
      objects.push_back(deploy::to_json(d));
    all.push_back({{"file", file}, {"objects", objects}});
    return;
  }
  if (r.objects.empty()) std::printf("%s  no objects\n", file.c_str());
  for (const deploy::Detection &d : r.objects)
    std::printf("%s  %s %.4f  box %.1f %.1f %.1f %.1f\n", file.c_str(), d.label.c_str(), d.score, d.box[0], d.box[1],
                d.box[2], d.box[3]);
}

// A segmenter's answer: the label map as an 8-bit PNG of class indices in
// `dir` (STEM.mask.png; a second image of the same stem gets STEM-2...),
// and the share of the image each class covers. False when the PNG cannot
// be written.
bool write_mask(const std::string &file, const deploy::Predicted &r, const std::vector<std::string> &classes,
                const std::string &dir, std::set<std::string> &written, bool json, nlohmann::json &all) {
  namespace fs = std::filesystem;
  const std::string stem = fs::path(file).stem().string();
  std::string name = stem + ".mask.png";
  for (int n = 2; written.count(name); ++n) name = stem + "-" + std::to_string(n) + ".mask.png";
  written.insert(name);
  const std::string path = (fs::path(dir) / name).string();
  std::vector<std::uint8_t> png;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream out(path, std::ios::binary);
  if (!data::encode_label_map(r.mask, png) || !out.write(reinterpret_cast<const char *>(png.data()), static_cast<std::streamsize>(png.size()))) {
    report_error() << file << ": cannot write its mask to " << path;
    return false;
  }
  nlohmann::json areas = deploy::areas_json(r, classes);
  if (json) {
    areas["file"] = file;
    areas["mask"] = path;
    all.push_back(areas);
    return true;
  }
  std::printf("%s  mask %s  %dx%d", file.c_str(), path.c_str(), r.mask.width, r.mask.height);
  for (const nlohmann::json &a : areas["areas"])
    std::printf("  %s %.1f%%", a["label"].get<std::string>().c_str(), 100 * a["share"].get<double>());
  std::printf("\n");
  return true;
}

// A text file larger than this is refused rather than read whole: one
// text that size is not what a classifier reads (--lines splits it).
constexpr std::uintmax_t kMaxTextFileBytes = 64u << 20;

// One text to classify: from --text, a whole file, or one line of one.
struct TextInput {
  std::string file;  // empty for --text
  std::size_t line = 0;  // --lines: 1-based
  std::string text, error;
};

std::vector<TextInput> text_inputs(const PredictOptions &opts) {
  std::vector<TextInput> out;
  for (const std::string &t : opts.texts) out.push_back({"", 0, t, ""});
  for (const std::string &file : opts.images) {
    std::string content;
    std::error_code ec;
    if (file == "-") {
      content.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else if (std::filesystem::is_regular_file(file, ec) && std::filesystem::file_size(file, ec) > kMaxTextFileBytes) {
      out.push_back({file, 0, "", "larger than 64 MiB: too large for one text (--lines reads one text per line)"});
      continue;
    } else {
      std::ifstream in(file, std::ios::binary);
      if (!in || std::filesystem::is_directory(file, ec)) {
        out.push_back({file, 0, "", "cannot be read (no such file, or no permission)"});
        continue;
      }
      content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (!opts.lines) {
      out.push_back({file, 0, std::move(content), ""});
      continue;
    }
    std::size_t number = 0, start = 0;
    while (start < content.size()) {
      std::size_t end = content.find('\n', start);
      if (end == std::string::npos) end = content.size();
      ++number;
      std::string line = content.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) out.push_back({file, number, std::move(line), ""});
      start = end + 1;
    }
  }
  return out;
}

// How a text input is named in plain output: FILE, FILE:LINE, or the
// text itself, quoted and cut short.
std::string shown(const TextInput &in) {
  if (!in.file.empty()) return in.line ? in.file + ":" + std::to_string(in.line) : in.file;
  std::string s = in.text.size() > 48 ? in.text.substr(0, 45) + "..." : in.text;
  for (char &c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return "\"" + s + "\"";
}

nlohmann::json top_json(const deploy::Predicted &r) {
  nlohmann::json top = nlohmann::json::array();
  for (const deploy::Prediction &p : r.top) top.push_back({{"label", p.label}, {"index", p.index}, {"score", p.score}});
  return top;
}

void print_top(const std::string &name, const deploy::Predicted &r) {
  std::printf("%s", name.c_str());
  for (const deploy::Prediction &p : r.top) std::printf("  %s %.4f", p.label.c_str(), p.score);
  std::printf("\n");
}

int predict_texts(const deploy::Predictor &predictor, const PredictOptions &opts) {
  const std::vector<TextInput> inputs = text_inputs(opts);
  if (inputs.empty()) {
    report_error() << "nothing to classify: name text files, or give --text";
    return kUserError;
  }
  nlohmann::json all = nlohmann::json::array();
  bool failed = false;
  for (std::size_t start = 0; start < inputs.size(); start += 64) {
    std::vector<std::string> batch;
    std::vector<std::size_t> which;
    for (std::size_t i = start; i < std::min(inputs.size(), start + 64); ++i)
      if (inputs[i].error.empty()) {
        batch.push_back(inputs[i].text);
        which.push_back(i);
      }
    const std::vector<deploy::Predicted> results = predictor.predict_texts(batch, opts.top);
    std::size_t next = 0;
    for (std::size_t i = start; i < std::min(inputs.size(), start + 64); ++i) {
      const TextInput &in = inputs[i];
      const std::string error = in.error.empty() ? results[next].error : in.error;
      nlohmann::json entry = in.file.empty() ? nlohmann::json{{"text", in.text}} : nlohmann::json{{"file", in.file}};
      if (in.line) entry["line"] = in.line;
      if (!error.empty()) {
        failed = true;
        report_error() << shown(in) << ": " << error;
        entry["error"] = error;
        if (opts.json) all.push_back(entry);
        continue;
      }
      const deploy::Predicted &r = results[next++];
      if (opts.json) {
        entry["top"] = top_json(r);
        all.push_back(entry);
      } else {
        print_top(shown(in), r);
      }
    }
  }
  if (opts.json) std::cout << json_text(all, 2) << "\n";
  return failed ? kUserError : kOk;
}

}  // namespace

int run_predict(const PredictOptions &opts) {
  std::string error;
  auto predictor = deploy::Predictor::open(opts.package, error, opts.edge);
  if (!predictor) {
    report_error() << error;
    return kUserError;
  }
  if (predictor->reads_text()) return predict_texts(*predictor, opts);
  const char *kind = predictor->reads_audio() ? "sound" : "image";
  if (!opts.texts.empty() || opts.lines) {
    report_error() << opts.package << " holds a " << kind << " model: --text and --lines are for text models";
    return kUserError;
  }
  if (opts.images.empty()) {
    report_error() << "nothing to predict: name " << (predictor->reads_audio() ? "audio" : "image") << " files";
    return kUserError;
  }
  std::vector<std::vector<std::uint8_t>> images;
  std::vector<bool> unreadable;
  for (const std::string &file : opts.images) {
    std::ifstream in(file, std::ios::binary);
    unreadable.push_back(!in);
    images.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::vector<std::string> classes = predictor->manifest().value("classes", std::vector<std::string>());
  std::set<std::string> masks_written;
  // Batches of 64 keep memory flat however many files are named.
  nlohmann::json all = nlohmann::json::array();
  bool failed = false;
  for (std::size_t start = 0; start < images.size(); start += 64) {
    std::vector<std::vector<std::uint8_t>> batch(images.begin() + static_cast<long>(start),
                                                 images.begin() + static_cast<long>(std::min(images.size(), start + 64)));
    std::vector<deploy::Predicted> results =
        predictor->reads_audio() ? predictor->predict_audio(batch, opts.top) : predictor->predict(batch, opts.top);
    for (std::size_t i = 0; i < results.size(); ++i) {
      const std::string &file = opts.images[start + i];
      deploy::Predicted &r = results[i];
      if (unreadable[start + i]) r.error = "cannot be read (no such file, or no permission)";
      if (!r.error.empty()) {
        failed = true;
        report_error() << file << ": " << r.error;
        if (opts.json) all.push_back({{"file", file}, {"error", r.error}});
        continue;
      }
      if (predictor->detects()) {
        print_objects(file, r, opts.json, all);
      } else if (predictor->segments()) {
        failed = !write_mask(file, r, classes, opts.masks, masks_written, opts.json, all) || failed;
      } else if (opts.json) {
        all.push_back({{"file", file}, {"top", top_json(r)}});
      } else {
        print_top(file, r);
      }
    }
  }
  if (opts.json) std::cout << json_text(all, 2) << "\n";
  return failed ? kUserError : kOk;
}

}  // namespace edl::cli
