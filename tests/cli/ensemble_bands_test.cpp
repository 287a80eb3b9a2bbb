// The bands of `run --replications` (docs/output.md, "Ensemble bands"): the same bits on one
// and two threads and after a resume that runs a replication again; none with bands off.
// tests/python/package_test.py checks their values against numpy.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "gpumarket/cli/ensemble_command.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/sweep/process_group.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::TempDir;
using Bytes = std::map<std::string, std::vector<unsigned char>>;

const std::string kMmc = std::string(GPUMARKET_SOURCE_DIR) + "/scenarios/mmc.yaml";

EnsembleReport ensemble(const std::filesystem::path& output, unsigned threads, bool bands = true) {
  EnsembleCommand command;
  command.run.scenario_path = kMmc;
  command.run.overrides = {"horizon=1500h"};
  command.run.output_path = output.string();
  command.replications = 3;
  command.threads = threads;
  command.quiet = true;
  command.bands = bands;
  return run_ensemble_command(command);
}

herr_t collect_numbers(hid_t group, const char* name, const H5L_info_t* /*info*/, void* out) {
  const hid_t dataset = H5Dopen2(group, name, H5P_DEFAULT);
  if (dataset < 0) return 0;  // a group
  const hid_t type = H5Dget_type(dataset);
  if (H5Tget_class(type) != H5T_STRING) {
    const hid_t native = H5Tget_native_type(type, H5T_DIR_ASCEND);
    const hid_t space = H5Dget_space(dataset);
    std::vector<unsigned char> bytes(static_cast<size_t>(H5Sget_simple_extent_npoints(space)) *
                                     H5Tget_size(native));
    H5Dread(dataset, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
    (*static_cast<Bytes*>(out))[name] = std::move(bytes);
    H5Sclose(space);
    H5Tclose(native);
  }
  H5Tclose(type);
  H5Dclose(dataset);
  return 0;
}

// Every numeric dataset under /bands, by path, as stored; empty without /bands.
Bytes band_bytes(const std::filesystem::path& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Bytes bytes;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(file, 0) << path;
  if (H5Lexists(file, "/bands", H5P_DEFAULT) > 0) {
    H5Lvisit_by_name(file, "/bands", H5_INDEX_NAME, H5_ITER_INC, collect_numbers, &bytes,
                     H5P_DEFAULT);
  }
  H5Fclose(file);
  return bytes;
}

TEST(EnsembleBands, AreTheSameBitsOnOneAndTwoThreadsAndAfterAResume) {
  const TempDir dir;
  ensemble(dir / "one.h5", 1);
  const Bytes one = band_bytes(dir / "one.h5");
  ASSERT_EQ(one.count("tick/utilisation_quantile"), 1u);
  ASSERT_EQ(one.count("tick/mean_wait_h_count"), 1u);
  EXPECT_EQ(one.at("tick/time").size(), 1500 * sizeof(double));
  EXPECT_EQ(one.at("tick/utilisation_quantile").size(), kBandQuantiles.size() * 1500 * 8);

  ensemble(dir / "two.h5", 2);
  EXPECT_EQ(band_bytes(dir / "two.h5"), one);

  // The result and one replication's run file are gone: that replication runs again, the
  // others are taken from the journal.
  std::filesystem::remove(dir / "two.h5");
  ASSERT_TRUE(std::filesystem::remove(dir / "two.h5.journal" / "series" / "row-1.h5"));
  const EnsembleReport resumed = ensemble(dir / "two.h5", 2);
  EXPECT_EQ(resumed.sweep.ran, 1u);
  EXPECT_EQ(resumed.sweep.skipped, 2u);
  EXPECT_EQ(band_bytes(dir / "two.h5"), one);
}

TEST(EnsembleBands, OffKeepsNoRunFilesAndWritesNoBands) {
  const TempDir dir;
  const EnsembleReport report = ensemble(dir / "plain.h5", 2, false);
  EXPECT_EQ(report.sweep.done, 3u);
  EXPECT_TRUE(band_bytes(dir / "plain.h5").empty());
  EXPECT_FALSE(std::filesystem::exists(dir / "plain.h5.journal" / "series"));
}

TEST(EnsembleBands, AreRefusedForASweepOfSeveralPoints) {
  const TempDir dir;
  SweepSpec spec = ensemble_spec(kMmc, {"horizon=10h"}, 1, 2);
  spec.points.emplace_back();  // a second point: bands would mix the two
  SweepOptions options;
  options.output = dir / "two_points.h5";
  options.band_quantiles = {0.5};
  ProcessGroup group;
  try {
    run_sweep(spec, options, group);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("bands are over the replications of one point"),
              std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "two_points.h5.journal"));
}

}  // namespace
}  // namespace gpumarket
