// An earlier result at a sweep's output, with its journal, moved aside rather than deleted:
// `sweep --fresh` starts over this way, and an ensemble whose output holds another ensemble
// (of a changed scenario, or of another file with the same name) keeps it this way.
#pragma once

#include <filesystem>

namespace gpumarket {

/// Renames "<dir>/<stem><ext>" and its journal "<dir>/<stem><ext>.journal" to
/// "<dir>/<stem>.old-<n><ext>" and its journal, with the smallest n that names neither yet:
/// every earlier row is kept (and resumable under the new name). Returns the new result
/// path, or an empty path when there was nothing to move; throws Error when a rename fails.
std::filesystem::path move_result_aside(const std::filesystem::path& result);

}  // namespace gpumarket
