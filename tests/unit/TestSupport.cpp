#include "TestSupport.h"

#include "compiler/frontend/CompileProject.h"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace edl::test {

std::vector<std::string> Checked::codes() const {
  std::vector<std::string> out;
  for (const Diagnostic &d : diags.diagnostics()) out.push_back(d.code);
  return out;
}

bool Checked::has(const std::string &code) const {
  auto c = codes();
  return std::find(c.begin(), c.end(), code) != c.end();
}

std::unique_ptr<Parsed> parse_text(const std::string &text, const std::string &path) {
  auto p = std::make_unique<Parsed>();
  p->id = p->sm.add(path, text);
  p->result = parse_file(p->id, p->sm, p->diags);
  return p;
}

std::unique_ptr<Checked> check_text(const std::string &text, const std::string &path) {
  auto c = std::make_unique<Checked>();
  CompiledProject compiled = compile_project(path, c->sm, c->diags, text);
  c->project = std::move(compiled.project);
  c->checked = std::move(compiled.checked);
  if (compiled.specs) c->specs = std::move(*compiled.specs);
  c->diags.sort();
  return c;
}

std::unique_ptr<Checked> check_file(const std::string &path) {
  auto c = std::make_unique<Checked>();
  CompiledProject compiled = compile_project(path, c->sm, c->diags);
  c->project = std::move(compiled.project);
  c->checked = std::move(compiled.checked);
  if (compiled.specs) c->specs = std::move(*compiled.specs);
  c->diags.sort();
  return c;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string source_dir() { return EDL_SOURCE_DIR; }

std::vector<std::string> edl_files(const std::string &relative_dir) {
  std::vector<std::string> out;
  for (const auto &e : std::filesystem::recursive_directory_iterator(source_dir() + "/" + relative_dir))
    if (e.is_regular_file() && e.path().extension() == ".edl") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string fetched_data(const std::string &name) {
  const std::string dir = source_dir() + "/data/" + name;
  if (!std::filesystem::exists(dir + "/.complete")) FAIL("data/" + name + " is missing: run scripts/fetch-data.sh");
  return dir;
}

TempDir::TempDir(const std::string &prefix) {
  static int n = 0;
  path = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::create_directories(path);
}

TempDir::~TempDir() { std::filesystem::remove_all(path); }

std::string with_project(const std::string &body) { return "project \"t\" { seed = 1 }\n" + body; }

}  // namespace edl::test
