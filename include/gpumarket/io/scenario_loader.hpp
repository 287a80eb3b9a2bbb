// Loads a scenario file into the plain Scenario structs: YAML parsing, `extends`, `--set`
// overrides, decoding and validation, with every error located in the file that holds it.
#pragma once

#include <string>
#include <vector>

#include "gpumarket/io/config_tree.hpp"
#include "gpumarket/scenario/scenario.hpp"

namespace gpumarket {

/// A setting that validates but can have no effect, located like an error: at the value in
/// the file, or at the --set override that wrote it.
struct Warning {
  SourceLocation where;
  std::string message;  // "<key.path>: <sentence>"

  /// "<location>: warning: <message>".
  std::string to_string() const;
};

/// A validated scenario and its provenance.
struct LoadedScenario {
  Scenario scenario;
  std::string path;               // as the caller gave it
  std::string text;               // the file's bytes, before extends and overrides
  std::string resolved_yaml;      // the tree after extends and overrides, as YAML (to_yaml)
  ConfigNode tree;                // that tree, whose locations name the keys of a refused run
  std::vector<Warning> warnings;  // in the order the checks find them
};

/// Reads `path`, resolves `extends`, applies each "key.path=value" override in order
/// (apply_override), then decodes and validates the whole scenario. Throws Error, located
/// ("file:line:col: ..."), for the first problem found; a returned scenario is runnable, and
/// `warnings` lists the settings in it that can have no effect.
LoadedScenario load_scenario(const std::string& path,
                             const std::vector<std::string>& overrides = {});

/// Decodes and validates a resolved tree (extends and overrides already applied). With
/// `warnings`, appends the warnings of load_scenario to it.
Scenario decode_scenario(const ConfigNode& root, std::vector<Warning>* warnings = nullptr);

}  // namespace gpumarket
