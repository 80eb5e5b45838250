#include "runtime/deploy/Package.h"

#include "compiler/lower/torch/ExportTorchScript.h"
#include "runtime/deploy/Sdk.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

extern char **environ;

namespace edl::deploy {
namespace {

namespace fs = std::filesystem;

}  // namespace

int run_program(const std::vector<std::string> &argv) {
  std::vector<char *> args;
  for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  // Its complaints would only repeat what the caller reports better.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool write_package(lower::Network &net, const PackageSpec &spec, std::string &error) {
  std::error_code ec;
  fs::remove_all(spec.staging, ec);
  fs::create_directories(fs::path(spec.staging) / "model", ec);
  if (ec) {
    error = "cannot create " + spec.staging + ": " + ec.message();
    return false;
  }
  nlohmann::json manifest = spec.manifest;
  nlohmann::json files = nlohmann::json::object();
  lower::save_weights(*net, (fs::path(spec.staging) / "model" / "weights.pt").string());
  files["weights"] = "model/weights.pt";

  // The TorchScript module is always there: the predictor (edlc predict)
  // runs it, so a package needs nothing but libtorch.
  const std::string script = (fs::path(spec.staging) / "model" / "torchscript.pt").string();
  if (!lower::export_torchscript(net, spec.shape, script, error)) {
    error = "the TorchScript export failed: " + error;
    return false;
  }
  files["torchscript"] = "model/torchscript.pt";

  nlohmann::json targets = nlohmann::json::array();
  for (const std::string &target : spec.targets) {
    nlohmann::json entry = {{"target", target}, {"options", spec.target_options.value(target, nlohmann::json::object())}};
    if (target == "torchscript") {
      entry["file"] = "model/torchscript.pt";
    } else if (target == "sdk") {
      if (spec.target_options.value("sdk", nlohmann::json::object()).value("lang", "cpp") != "cpp") {
        error = "sdk(): only lang = \"cpp\" is built";
        return false;
      }
      nlohmann::json with_files = manifest;
      if (!write_sdk(with_files, (fs::path(spec.staging) / "sdk").string(), error)) {
        error = "sdk(): " + error;
        return false;
      }
      entry["folder"] = "sdk";
      entry["build"] = "cmake -S sdk/example -B build && cmake --build build && build/classify . IMAGE";
    } else if (target == "server") {
      entry["command"] = "edlc serve " + fs::path(spec.path).filename().string();
    } else {
      error = target + "(): this target is not built yet; remove it from targets (torchscript(), sdk() and server() are)";
      return false;
    }
    targets.push_back(entry);
  }
  manifest["files"] = files;
  manifest["targets"] = targets;
  {
    std::ofstream out(fs::path(spec.staging) / "manifest.json");
    out << manifest.dump(2) << "\n";
    if (!out) {
      error = "cannot write the manifest in " + spec.staging;
      return false;
    }
  }
  fs::create_directories(fs::path(spec.path).parent_path(), ec);
  const std::string partial = spec.path + ".partial";  // never a half-written package under the real name
  if (run_program({"tar", "-czf", partial, "-C", spec.staging, "."}) != 0) {
    fs::remove(partial, ec);
    error = "tar could not write " + spec.path;
    return false;
  }
  fs::rename(partial, spec.path, ec);
  if (ec) {
    error = "cannot move the package to " + spec.path + ": " + ec.message();
    return false;
  }
  return true;
}

}  // namespace edl::deploy
