#include "output_not_input.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <system_error>

#include "gpumarket/cli/commands.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;

bool is_existing_file(const fs::path& a, const fs::path& b) {
  std::error_code error;
  const bool same = fs::exists(a, error) && fs::exists(b, error) && fs::equivalent(a, b, error);
  return same && !error;
}

bool same_file(const fs::path& output, const fs::path& input) {
  // The output as it is opened once create_parent_directories has made its missing
  // directories: real directories, which a ".." after them leaves again.
  const fs::path normal = fs::absolute(output).lexically_normal();
  return is_existing_file(output, input) || is_existing_file(normal, input) ||
         normal == fs::absolute(input).lexically_normal();
}

void add_source_files(const ConfigNode& node, const std::string& role,
                      std::vector<NamedInput>& inputs) {
  const std::string& file = node.location.file;
  const auto known = [&](const NamedInput& input) { return input.path == file; };
  // Values set by --set are located at the option, not in a file.
  if (!file.empty() && !file.starts_with("--") &&
      std::find_if(inputs.begin(), inputs.end(), known) == inputs.end()) {
    inputs.push_back({role, file});
  }
  for (const ConfigEntry& entry : node.entries) add_source_files(entry.value, role, inputs);
  for (const ConfigNode& item : node.items) add_source_files(item, role, inputs);
}

}  // namespace

std::vector<NamedInput> source_files(const ConfigNode& tree, const std::string& role) {
  std::vector<NamedInput> inputs;
  add_source_files(tree, role, inputs);
  return inputs;
}

void check_output_not_input(const fs::path& output, const std::string& option,
                            const std::vector<NamedInput>& inputs) {
  fs::path partial = output;
  partial += ".partial";
  for (const NamedInput& input : inputs) {
    if (input.path.empty()) continue;
    for (const fs::path& written : {output, partial}) {
      if (!same_file(written, input.path)) continue;
      throw UsageError(fmt::format(
          "{}: the output would overwrite {} '{}' (the same file as '{}'); write the results "
          "to another path.",
          option, input.role, input.path.string(), written.string()));
    }
  }
}

}  // namespace gpumarket
