// The project's error type for bad input or environment, with an optional source location.
#pragma once

#include <stdexcept>
#include <string>

namespace gpumarket {

/// Where a value came from: a file and a 1-based line and column (0 when unknown).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  /// "file:line:col", "file" or "" depending on what is known.
  std::string to_string() const;
};

/// Bad input or environment. The message is a full sentence; when a location is
/// known it starts with "file:line:col: ". Thrown while loading, validating or
/// finishing, and caught once in main().
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  Error(const SourceLocation& where, const std::string& message);
};

}  // namespace gpumarket
