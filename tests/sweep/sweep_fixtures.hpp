// Helpers for the sweep tests: small M/M/c sweeps, temporary directories and a bit-for-bit
// comparison of points tables.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "gpumarket/sweep/process_group.hpp"
#include "gpumarket/sweep/sweep_result.hpp"
#include "gpumarket/sweep/sweep_runner.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket::testing {

/// A sweep file's text over scenarios/mmc.yaml with a short horizon; `axes` is YAML for the
/// `axes:` list, `extra` more top-level keys.
inline std::string mmc_sweep_text(const std::string& axes, const std::string& extra = "",
                                  const std::string& horizon = "300h") {
  return "base:\n  extends: " GPUMARKET_SOURCE_DIR "/scenarios/mmc.yaml\n  horizon: " + horizon +
         "\n  warmup: 20h\nseed: 11\n" + extra + "axes:\n" + axes;
}

/// Runs `spec` (or shard `shard` of `shards`) into `output` on `threads` threads of this process.
inline SweepReport run(const SweepSpec& spec, const std::filesystem::path& output, unsigned threads,
                       uint64_t shard = 0, uint64_t shards = 1) {
  SweepOptions options;
  options.output = output;
  options.threads = threads;
  options.shard_index = shard;
  options.shard_count = shards;
  ProcessGroup group;
  return run_sweep(spec, options, group);
}

inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::bit_cast<uint64_t>(a[i]) != std::bit_cast<uint64_t>(b[i])) return false;
  }
  return true;
}

/// Whether two points tables are identical bit for bit (timing and series files aside).
inline void expect_same_table(const SweepResult& a, const SweepResult& b) {
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.row, b.row);
  EXPECT_EQ(a.point, b.point);
  EXPECT_EQ(a.replication, b.replication);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.axis_names, b.axis_names);
  EXPECT_EQ(a.axis_integer, b.axis_integer);
  EXPECT_EQ(a.axis_units, b.axis_units);
  EXPECT_EQ(a.axis_text, b.axis_text);
  ASSERT_EQ(a.axis_number.size(), b.axis_number.size());
  for (size_t k = 0; k < a.axis_number.size(); ++k)
    EXPECT_TRUE(same_bits(a.axis_number[k], b.axis_number[k]));
  EXPECT_EQ(a.indicator_names, b.indicator_names);
  EXPECT_EQ(a.indicator_units, b.indicator_units);
  EXPECT_EQ(a.indicator_descriptions, b.indicator_descriptions);
  ASSERT_EQ(a.indicator.size(), b.indicator.size());
  for (size_t k = 0; k < a.indicator.size(); ++k) {
    EXPECT_TRUE(same_bits(a.indicator[k], b.indicator[k])) << a.indicator_names[k];
  }
}

}  // namespace gpumarket::testing
