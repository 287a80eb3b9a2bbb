#include "gpumarket/sweep/earlier_result.hpp"

#include <fmt/core.h>

#include <system_error>
#include <utility>

#include "gpumarket/core/error.hpp"
#include "gpumarket/sweep/sweep_runner.hpp"

namespace gpumarket {

namespace {

std::filesystem::path with_stem_suffix(const std::filesystem::path& path,
                                       const std::string& suffix) {
  std::filesystem::path p = path;
  p.replace_filename(path.stem().string() + suffix + path.extension().string());
  return p;
}

}  // namespace

// Renames "<dir>/<stem><ext>" and its journal "<dir>/<stem><ext>.journal" to
// "<dir>/<stem>.old-<n><ext>" and its journal, with the smallest n that names neither yet: a
// fresh sweep starts from nothing while every earlier row is kept (and resumable under the new
// name). Returns the new result path, or an empty path when there was nothing to move; throws
// Error when a rename fails.
std::filesystem::path move_result_aside(const std::filesystem::path& result) {
  const std::filesystem::path journal = journal_directory(result);
  std::error_code ignored;
  if (!std::filesystem::exists(result, ignored) && !std::filesystem::exists(journal, ignored)) {
    return {};
  }
  std::filesystem::path target;
  for (int n = 1;; ++n) {
    target = with_stem_suffix(result, fmt::format(".old-{}", n));
    if (!std::filesystem::exists(target, ignored) &&
        !std::filesystem::exists(journal_directory(target), ignored)) {
      break;
    }
  }
  for (const auto& [from, to] :
       {std::pair{result, target}, std::pair{journal, journal_directory(target)}}) {
    if (!std::filesystem::exists(from, ignored)) continue;
    std::error_code error;
    std::filesystem::rename(from, to, error);
    if (error) {
      throw Error(fmt::format("{}: cannot move it aside to {}: {}.", from.string(), to.string(),
                              error.message()));
    }
  }
  return target;
}

}  // namespace gpumarket
