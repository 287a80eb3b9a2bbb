#include "gpumarket/core/error.hpp"

namespace gpumarket {

std::string SourceLocation::to_string() const {
  if (file.empty()) return {};
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Error::Error(const std::string& message) : std::runtime_error(message) {}

Error::Error(const SourceLocation& where, const std::string& message)
    : std::runtime_error(where.file.empty() ? message : where.to_string() + ": " + message) {}

}  // namespace gpumarket
