// A sweep's result: the points table of sweep_result_file.hpp (io) and the merge of shards.
#pragma once

#include <string>
#include <vector>

#include "gpumarket/io/sweep_result_file.hpp"

namespace gpumarket {

/// Joins the shards of one sweep into one table over all rows. Throws Error when the shards
/// belong to different sweeps (fingerprints differ), when a row appears twice, or when rows are
/// missing (the message names the shards that are absent).
SweepResult merge_sweep_results(const std::vector<SweepResult>& shards,
                                const std::vector<std::string>& shard_paths);

}  // namespace gpumarket
