#include "gpumarket/sweep/sweep_result.hpp"

#include <fmt/core.h>

#include <map>
#include <set>

#include "gpumarket/core/error.hpp"

namespace gpumarket {

SweepResult merge_sweep_results(const std::vector<SweepResult>& shards,
                                const std::vector<std::string>& shard_paths) {
  if (shards.empty()) throw Error("sweep-merge: no shard files were given.");
  const SweepResult& first = shards.front();
  SweepResult merged = first;
  merged.shard_index = 0;
  merged.shard_count = 1;
  std::map<uint64_t, std::pair<size_t, size_t>> where;  // row -> (shard, index)
  std::set<uint64_t> shard_indices;
  for (size_t s = 0; s < shards.size(); ++s) {
    const SweepResult& shard = shards[s];
    if (shard.fingerprint != first.fingerprint) {
      throw Error(fmt::format("{}: belongs to another sweep than {} (fingerprint {} vs {}).",
                              shard_paths[s], shard_paths[0], shard.fingerprint,
                              first.fingerprint));
    }
    if (shard.shard_count == first.shard_count) shard_indices.insert(shard.shard_index);
    for (size_t i = 0; i < shard.size(); ++i) {
      if (!where.emplace(shard.row[i], std::make_pair(s, i)).second) {
        throw Error(fmt::format("{}: row {} is also in {}; give each shard once.", shard_paths[s],
                                shard.row[i], shard_paths[where[shard.row[i]].first]));
      }
    }
  }
  if (where.size() != first.rows_total) {
    std::string absent;
    for (uint64_t k = 0; k < first.shard_count; ++k) {
      if (!shard_indices.contains(k)) absent += fmt::format(" {}/{}", k, first.shard_count);
    }
    throw Error(
        fmt::format("sweep-merge: the shards hold {} of the sweep's {} rows; missing "
                    "shard(s):{}.",
                    where.size(), first.rows_total, absent.empty() ? " (none)" : absent));
  }
  auto clear = [](auto& v) { v.clear(); };
  clear(merged.row), clear(merged.point), clear(merged.replication), clear(merged.seed);
  clear(merged.status), clear(merged.error), clear(merged.run_seconds);
  clear(merged.series_file), clear(merged.series_object), clear(merged.design_role);
  for (auto& v : merged.axis_number) v.clear();
  for (auto& v : merged.axis_text) v.clear();
  for (auto& v : merged.indicator) v.clear();
  for (const auto& [row, at] : where) {
    const SweepResult& s = shards[at.first];
    const size_t i = at.second;
    merged.row.push_back(s.row[i]);
    merged.point.push_back(s.point[i]);
    merged.replication.push_back(s.replication[i]);
    merged.seed.push_back(s.seed[i]);
    merged.status.push_back(s.status[i]);
    merged.error.push_back(s.error[i]);
    merged.run_seconds.push_back(s.run_seconds[i]);
    merged.series_file.push_back(s.series_file[i]);
    merged.series_object.push_back(s.series_object[i]);
    if (!merged.design.kind.empty()) merged.design_role.push_back(s.design_role[i]);
    for (size_t a = 0; a < merged.axis_names.size(); ++a) {
      merged.axis_number[a].push_back(s.axis_number[a][i]);
      if (!merged.axis_numeric[a]) merged.axis_text[a].push_back(s.axis_text[a][i]);
    }
    for (size_t k = 0; k < merged.indicator_names.size(); ++k) {
      merged.indicator[k].push_back(s.indicator[k][i]);
    }
  }
  return merged;
}

}  // namespace gpumarket
