// Fuzz target: bytes -> scenario tree (parse_config_text) -> `extends` resolved against files
// served from memory -> decode_scenario. gpumarket::Error is what bad input must give; a crash,
// a sanitizer report or any other exception is a finding.
//
// One input holds several files: the text up to the first line "#--- <name>" is main.yaml,
// and each such line starts the file <name>, which `extends` can name. A plain scenario is an
// input of one file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/config_tree.hpp"
#include "gpumarket/io/scenario_loader.hpp"

namespace {

constexpr std::string_view kFileMarker = "#--- ";
const std::string kMain = "mem/main.yaml";  // a relative directory: parents resolve inside it

// main.yaml and the files after it, by the path resolve_extends asks for ("mem/<name>").
std::map<std::string, std::string> split_files(std::string_view input) {
  std::map<std::string, std::string> files;
  std::string name = kMain;
  size_t start = 0;
  while (true) {
    size_t marker = input.find(kFileMarker, start);
    while (marker != std::string_view::npos && marker != 0 && input[marker - 1] != '\n') {
      marker = input.find(kFileMarker, marker + 1);
    }
    const std::string_view body = input.substr(start, marker - start);
    files[name] = std::string(body);
    if (marker == std::string_view::npos) return files;
    const size_t name_start = marker + kFileMarker.size();
    const size_t line_end = input.find('\n', name_start);
    name = "mem/" + std::string(input.substr(name_start, line_end - name_start));
    if (line_end == std::string_view::npos) return files;
    start = line_end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::map<std::string, std::string> files = split_files(std::string(data, data + size));
  const auto read_parent = [&files](const std::string& path, std::string& text) -> std::string {
    const auto found = files.find(path);
    if (found == files.end()) return "No such file or directory";
    text = found->second;
    return "";
  };
  try {
    const gpumarket::ConfigNode parsed = gpumarket::parse_config_text(files.at(kMain), kMain);
    // The documented round trip: to_yaml's text parses back to the same tree.
    const gpumarket::ConfigNode reparsed =
        gpumarket::parse_config_text(gpumarket::to_yaml(parsed), kMain);
    if (!gpumarket::same_content(parsed, reparsed)) std::abort();
    const gpumarket::ConfigNode root = gpumarket::resolve_extends(parsed, kMain, read_parent);
    std::vector<gpumarket::Warning> warnings;
    gpumarket::decode_scenario(root, &warnings);
  } catch (const gpumarket::Error&) {
  }
  return 0;
}
