// The check that a command's output file is none of its inputs, made before anything is
// written: `run X.yaml -o X.yaml` would otherwise replace the scenario with its results.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "gpumarket/io/config_tree.hpp"

namespace gpumarket {

/// An input of a command, as messages name it: e.g. {"the scenario", "bear.yaml"}.
struct NamedInput {
  std::string role;
  std::filesystem::path path;
};

/// Every file that values of `tree` were read from (the file itself and those it `extends`),
/// once each, as inputs of `role`.
std::vector<NamedInput> source_files(const ConfigNode& tree, const std::string& role);

/// Throws UsageError, starting with `option` (e.g. "-o out.h5"), when `output` or its
/// "<output>.partial" is the same file as one of `inputs`: the same path, or (when both exist)
/// the same file through a symlink, a hard link or another spelling.
void check_output_not_input(const std::filesystem::path& output, const std::string& option,
                            const std::vector<NamedInput>& inputs);

}  // namespace gpumarket
