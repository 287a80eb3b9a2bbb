// Loads a scenario file into the plain Scenario structs: YAML parsing, `extends`, `--set`
// overrides, decoding and validation, with every error located in the file that holds it.
#pragma once

#include <string>
#include <vector>

#include "gpumarket/io/config_tree.hpp"
#include "gpumarket/scenario/scenario.hpp"

namespace gpumarket {

/// A validated scenario and its provenance.
struct LoadedScenario {
  Scenario scenario;
  std::string path;           // as the caller gave it
  std::string text;           // the file's bytes, before extends and overrides
  std::string resolved_yaml;  // the tree after extends and overrides, as YAML (to_yaml)
};

/// Reads `path`, resolves `extends`, applies each "key.path=value" override in order
/// (apply_override), then decodes and validates the whole scenario. Throws Error, located
/// ("file:line:col: ..."), for the first problem found; a returned scenario is runnable.
LoadedScenario load_scenario(const std::string& path,
                             const std::vector<std::string>& overrides = {});

/// Decodes and validates a resolved tree (extends and overrides already applied).
Scenario decode_scenario(const ConfigNode& root);

}  // namespace gpumarket
