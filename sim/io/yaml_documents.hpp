// The documents of a YAML text, found without YAML::LoadAll: yaml-cpp 0.7 (Debian 12's) loops
// forever in LoadAll, allocating an empty document per turn, on a token that its parser neither
// accepts nor rejects, e.g. a lone ',' (jbeder/yaml-cpp#1040, fixed upstream by #1319). Found
// by fuzz/scenario_loader_fuzzer.
#pragma once

#include <yaml-cpp/mark.h>

#include <string>

namespace gpumarket {

/// What a YAML text holds after its first document.
struct YamlTail {
  enum class Kind {
    End,             // nothing: one document (or none)
    SecondDocument,  // another document, whose root node is at `mark`
    Stuck,           // a token at `mark` that the parser does not consume (a syntax error)
  };
  Kind kind = Kind::End;
  YAML::Mark mark;
};

/// Parses at most three documents of `text` (events only, no nodes) to tell a one-document text
/// from one with more or with a token the parser is stuck at. Throws YAML::Exception as
/// YAML::Load does for a syntax error it detects.
YamlTail yaml_tail(const std::string& text);

}  // namespace gpumarket
