// The HDF5 file of an attribution (`gpumarket explain`): each indicator's Shapley
// contributions per group with their intervals, and every replication's values; written
// atomically, laid out as netCDF-4 so that h5py and xarray (h5netcdf) read it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gpumarket {

/// The layout's version, the root attribute `gpumarket_format`.
inline constexpr std::string_view kExplainFormat = "gpumarket-explain 1";

struct GroupContribution {
  std::string group;
  double mean = 0, ci_low = 0, ci_high = 0;  // over the replications' Shapley values
  /// Sampled attribution: the standard error of `mean` from the choice of orders (the
  /// spread of the orders' marginals, replication-averaged, over √M), which the interval
  /// over replications does not include. 0 for an exact attribution.
  double permutation_se = 0;
};

struct IndicatorExplanation {
  std::string indicator, unit;
  uint64_t replications = 0;  // replications with a value in every combination
  double a_mean = 0, b_mean = 0;
  GroupContribution total;  // B − A; the groups' contributions add up to it
  std::vector<GroupContribution> groups;
  /// [replication][group]: each replication's Shapley values, NaN where the indicator is
  /// undefined in a combination of that replication.
  std::vector<std::vector<double>> shapley;
};

/// What explain attributed, and how.
struct Attribution {
  std::string a_path, b_path;
  std::string command_line;  // the command that reproduces the file
  uint64_t seed = 0, replications = 0;
  std::string method;         // "exact" (every subset) or "sampled" (random orders)
  uint64_t permutations = 0;  // sampled: the orders drawn; exact: 0
  uint64_t combinations = 0;  // the ensembles run: 2^k, or the subsets the orders visit
  uint64_t runs = 0;          // combinations × replications
  std::vector<std::string> group_names;
  std::vector<std::vector<std::string>> group_parts;  // [group]: the parts it switches
  std::vector<IndicatorExplanation> indicators;
};

/// Writes "<path>.partial", flushes it to disk and renames it to `path`. Layout
/// (docs/output.md, "An attribution's file"):
///   /              attributes Conventions, gpumarket_format (kExplainFormat),
///                  program_version, scenario_a, scenario_b, seed, replications, groups (k),
///                  method, permutations, combinations, runs, command_line
///   /indicator, /group       string dimension scales; /replication uint64 0..N−1
///   /contribution, ci_low, ci_high, permutation_se      double (indicator, group)
///   /total, total_ci_low, total_ci_high, a_mean, b_mean double (indicator)
///   /replications            uint64 (indicator); /units string (indicator)
///   /shapley                 double (indicator, replication, group), NaN where undefined
///   /parts                   string (group): a group's parts, joined by ", "
/// No timestamps: the same attribution gives the same bytes. Throws Error naming `path`
/// when HDF5 or the file system fails.
void write_explain_file(const std::filesystem::path& path, const Attribution& attribution);

}  // namespace gpumarket
