// edlc label status FILE: where each human-answered label block stands,
// read from its queue folder: per round file, how many items are answered,
// and every problem a run would refuse (with its row). A folder oracle
// needs no person, and says so.
#include "Commands.h"
#include "Report.h"
#include "tools/edlc/Errors.h"

#include "compiler/support/JsonText.h"
#include "runtime/data/Loaders.h"
#include "runtime/label/HumanOracle.h"

#include <filesystem>
#include <iostream>

namespace edl::cli {
namespace {

using nlohmann::json;

// The classes a round's answers are checked against: the dataset's
// declared ones, else its class folders, as image_folder reads them.
std::vector<std::string> classes_of(const spec::Dataset &dataset) {
  if (!dataset.classes.empty()) return dataset.classes;
  data::ClassFiles files;
  data::DataReport report;
  data::scan_class_folders(dataset, data::image_extensions(), "images", files, report);
  return files.classes;
}

json status_of(const spec::Label &block, const spec::Specs &specs) {
  json out = {{"label", block.name}, {"oracle", spec::to_string(block.oracle)}, {"folder", block.oracle_path}};
  json rounds = json::array();
  if (block.oracle != spec::Label::Oracle::Human) return out;
  // Answers name the model's classes (an unlabeled pool has none of its own).
  const spec::Train *recipe = specs.train(block.model);
  const spec::Dataset *data = recipe ? specs.dataset(recipe->dataset) : nullptr;
  const std::vector<std::string> classes = data ? classes_of(*data) : std::vector<std::string>{};
  for (int round = 1; round <= block.rounds && std::filesystem::exists(label::questions_csv(block.oracle_path, round));
       ++round) {
    const std::vector<std::string> asked = label::files_in(block.oracle_path, round);
    const label::Answers answers = label::read_answers(block.oracle_path, round, asked, classes);
    json problems = json::array();
    for (const label::AnswerProblem &p : answers.problems) problems.push_back(p.message(classes));
    rounds.push_back({{"round", round},
                      {"csv", label::questions_csv(block.oracle_path, round)},
                      {"sheet", label::contact_sheet(block.oracle_path, round)},
                      {"asked", asked.size()},
                      {"answered", answers.answered},
                      {"complete", answers.complete()},
                      {"problems", problems}});
  }
  out["rounds"] = rounds;
  return out;
}

}  // namespace

int run_label_status(const LabelOptions &opts) {
  auto in = load_checked(opts.file, ColorMode::Auto);
  if (!in) return kUserError;
  json all = json::array();
  for (const spec::Label &block : in->specs.labels) all.push_back(status_of(block, in->specs));
  if (opts.format == OutputFormat::Json) {
    std::cout << json_text(all, 2) << "\n";
    return kOk;
  }
  if (all.empty()) std::cout << opts.file << " has no label block\n";
  for (const json &block : all) {
    const std::string name = block["label"], folder = block["folder"];
    if (block["oracle"] != "human") {
      std::cout << "label " << name << ": the folder oracle " << folder << " answers; no person is asked\n";
      continue;
    }
    if (block["rounds"].empty()) {
      std::cout << "label " << name << ": nothing asked yet; 'edlc run " << opts.file << "' writes the first questions to "
                << folder << "\n";
      continue;
    }
    std::cout << "label " << name << " (questions in " << folder << "):\n";
    for (const json &r : block["rounds"]) {
      const std::size_t asked = r["asked"], answered = r["answered"];
      std::cout << "  round " << r["round"].get<int>() << ": " << answered << " of " << asked << " answered"
                << (r["complete"].get<bool>() ? ", complete" : answered < asked ? ", waiting" : "") << "  ("
                << std::filesystem::path(r["csv"].get<std::string>()).filename().string() << ", pictures in "
                << std::filesystem::path(r["sheet"].get<std::string>()).filename().string() << ")\n";
      for (const json &p : r["problems"]) std::cout << "    problem: " << p.get<std::string>() << "\n";
    }
  }
  return kOk;
}

}  // namespace edl::cli
