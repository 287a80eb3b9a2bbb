#include "gpumarket/io/sweep_result_file.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/hdf5_recorder.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Two rows of a sweep over a numeric and a text axis, declared out of name order so that
// reading back must restore the sweep file's order.
SweepResult two_rows() {
  SweepResult r;
  r.program_version = "test";
  r.fingerprint = "abc";
  r.sweep_seed = 11;
  r.replications = 1;
  r.points_total = 2;
  r.rows_total = 4;
  r.shard_index = 1;
  r.shard_count = 2;
  r.common_random_numbers = false;
  r.sweep_path = "grid.yaml";
  r.sweep_text = "axes: []\n";
  r.base_scenario = "horizon: 10h\n";
  r.axis_names = {"servers", "pricing"};
  r.axis_paths = {"venues.farm.servers", "venues.farm.pricing"};
  r.axis_numeric = {true, false};
  r.indicator_names = {"wait", "utilisation"};
  r.row = {1, 3};
  r.point = {0, 1};
  r.replication = {0, 0};
  r.seed = {101, 103};
  r.axis_number = {{3.0, 4.0}, {std::nan(""), std::nan("")}};
  r.axis_text = {{}, {"fixed", "dynamic"}};
  r.indicator = {{0.5, std::nan("")}, {0.9, std::nan("")}};
  r.status = {"done", "failed"};
  r.error = {"", "bad servers"};
  r.run_seconds = {0.25, 0.5};
  r.series_file = {"", ""};
  r.series_object = {"", ""};
  return r;
}

bool has_link(hid_t file, const char* path) { return H5Lexists(file, path, H5P_DEFAULT) > 0; }

TEST(SweepResultFile, ReadsBackWhatItWrote) {
  const TempDir dir;
  const SweepResult written = two_rows();
  write_sweep_result(dir / "out.h5", written);
  EXPECT_FALSE(fs::exists(dir / "out.h5.partial"));
  const SweepResult r = read_sweep_result(dir / "out.h5");
  EXPECT_EQ(r.format, "gpumarket-sweep 1");
  EXPECT_EQ(r.program_version, "test");
  EXPECT_EQ(r.fingerprint, "abc");
  EXPECT_EQ(r.sweep_seed, 11u);
  EXPECT_EQ(r.rows_total, 4u);
  EXPECT_EQ(r.shard_index, 1u);
  EXPECT_EQ(r.shard_count, 2u);
  EXPECT_FALSE(r.common_random_numbers);
  EXPECT_EQ(r.sweep_path, "grid.yaml");
  EXPECT_EQ(r.sweep_text, "axes: []\n");
  EXPECT_EQ(r.base_scenario, "horizon: 10h\n");
  EXPECT_EQ(r.axis_names, written.axis_names);
  EXPECT_EQ(r.axis_paths, written.axis_paths);
  EXPECT_EQ(r.axis_numeric, written.axis_numeric);
  EXPECT_EQ(r.axis_number[0], written.axis_number[0]);
  EXPECT_TRUE(std::isnan(r.axis_number[1][0]));
  EXPECT_EQ(r.axis_text, written.axis_text);
  EXPECT_EQ(r.indicator_names, written.indicator_names);
  EXPECT_EQ(r.indicator[0][0], 0.5);
  EXPECT_TRUE(std::isnan(r.indicator[1][1]));
  EXPECT_EQ(r.row, written.row);
  EXPECT_EQ(r.point, written.point);
  EXPECT_EQ(r.seed, written.seed);
  EXPECT_EQ(r.status, written.status);
  EXPECT_EQ(r.error, written.error);
  EXPECT_EQ(r.run_seconds, written.run_seconds);
  EXPECT_EQ(r.series_object, (std::vector<std::string>{"", ""}));
}

TEST(SweepResultFile, CopiesARowsSeriesWithoutItsProvenance) {
  const TempDir dir;
  {
    Hdf5Recorder run(dir / "run.h5");
    RunInfo info;
    info.start_date = "2026-05-07";
    run.begin(info);
    const SeriesId time = run.declare_series({"tick", "time_h", "h", "", {}, "", true});
    const SeriesId price = run.declare_series({"tick", "price", "USD", "", {}, "", false});
    const double hours = 1.0;
    const double value = 2.0;
    run.append(time, {&hours, 1});
    run.append(price, {&value, 1});
    run.add_summary({"welfare", 1.0, "USD", ""});
    run.finish();
  }
  SweepResult r = two_rows();
  r.series_file[0] = (dir / "run.h5").string();
  r.series_object[0] = "/";
  write_sweep_result(dir / "out.h5", r);

  const SweepResult back = read_sweep_result(dir / "out.h5");
  EXPECT_EQ(back.series_file[0], (dir / "out.h5").string());
  EXPECT_EQ(back.series_object, (std::vector<std::string>{"/series/row_1", ""}));
  const hid_t file = H5Fopen((dir / "out.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  EXPECT_TRUE(has_link(file, "/series/row_1/tick/price"));
  EXPECT_TRUE(has_link(file, "/series/row_1/summary/welfare"));
  EXPECT_FALSE(has_link(file, "/series/row_1/provenance"));
  H5Fclose(file);
}

TEST(SweepResultFile, RejectsAFileThatIsNotASweepResult) {
  const TempDir dir;
  EXPECT_THROW(read_sweep_result(dir / "absent.h5"), Error);
  std::ofstream(dir / "text.h5") << "not HDF5 at all";
  EXPECT_THROW(read_sweep_result(dir / "text.h5"), Error);
  {
    Hdf5Recorder run(dir / "run.h5");
    run.begin(RunInfo{});
    run.finish();
  }
  try {
    read_sweep_result(dir / "run.h5");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              (dir / "run.h5").string() +
                  ": cannot read the sweep result: it has no attribute 'format' of '/'.");
  }
}

}  // namespace
}  // namespace gpumarket
