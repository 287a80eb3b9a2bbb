#include "gpumarket/io/sweep_result_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <array>
#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gpumarket/core/error.hpp"
#include "gpumarket/core/locked_file.hpp"
#include "gpumarket/io/hdf5_recorder.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// The bytes of `value` as stored (little-endian, as the files are).
std::string bytes_of(double value) {
  const auto bytes = std::bit_cast<std::array<char, sizeof value>>(value);
  return {bytes.data(), bytes.size()};
}

// Two rows of a sweep over an integer, a float and a text axis, declared out of name order so
// that reading back must restore the sweep file's order.
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
  r.axis_names = {"servers", "rate", "pricing"};
  r.axis_paths = {"venues.farm.servers", "segments.jobs.arrival_rate_per_hour",
                  "venues.farm.pricing"};
  r.axis_numeric = {true, true, false};
  r.axis_integer = {true, false, false};
  r.axis_units = {"", "1/h", ""};
  r.indicator_names = {"wait", "utilisation"};
  r.indicator_units = {"h", "1"};
  r.indicator_descriptions = {"mean wait", ""};
  r.row = {1, 3};
  r.point = {0, 1};
  r.replication = {0, 0};
  r.seed = {101, 103};
  r.axis_number = {{3.0, 4.0}, {1.5, 2.5}, {std::nan(""), std::nan("")}};
  r.axis_text = {{}, {}, {"fixed", "dynamic"}};
  r.indicator = {{0.5, std::nan("")}, {0.9, std::nan("")}};
  r.status = {"done", "failed"};
  r.error = {"", "bad servers"};
  r.run_seconds = {0.25, 0.5};
  r.series_file = {"", ""};
  r.series_object = {"", ""};
  return r;
}

bool has_link(hid_t file, const char* path) { return H5Lexists(file, path, H5P_DEFAULT) > 0; }

H5T_class_t type_class(hid_t file, const char* path) {
  const hid_t dataset = H5Dopen2(file, path, H5P_DEFAULT);
  const hid_t type = H5Dget_type(dataset);
  const H5T_class_t kind = H5Tget_class(type);
  H5Tclose(type);
  H5Dclose(dataset);
  return kind;
}

// Every value of a double dataset, row-major, and its shape.
std::vector<double> read_all(hid_t file, const char* path, std::vector<hsize_t>& dims) {
  const hid_t dataset = H5Dopen2(file, path, H5P_DEFAULT);
  const hid_t space = H5Dget_space(dataset);
  dims.assign(static_cast<size_t>(H5Sget_simple_extent_ndims(space)), 0);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  std::vector<double> v(static_cast<size_t>(H5Sget_simple_extent_npoints(space)));
  H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Sclose(space);
  H5Dclose(dataset);
  return v;
}

TEST(SweepResultFile, ReadsBackWhatItWrote) {
  const TempDir dir;
  const SweepResult written = two_rows();
  write_sweep_result(dir / "out.h5", written);
  EXPECT_FALSE(fs::exists(dir / "out.h5.partial"));
  const SweepResult r = read_sweep_result(dir / "out.h5");
  EXPECT_EQ(r.format, "gpumarket-sweep 2");
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
  EXPECT_EQ(r.axis_integer, written.axis_integer);
  EXPECT_EQ(r.axis_units, written.axis_units);
  EXPECT_EQ(r.axis_number[0], written.axis_number[0]);
  EXPECT_EQ(r.axis_number[1], written.axis_number[1]);
  EXPECT_TRUE(std::isnan(r.axis_number[2][0]));
  EXPECT_EQ(r.axis_text, written.axis_text);
  EXPECT_EQ(r.indicator_names, written.indicator_names);
  EXPECT_EQ(r.indicator_units, written.indicator_units);
  EXPECT_EQ(r.indicator_descriptions, written.indicator_descriptions);
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

TEST(SweepResultFile, StoresEachColumnInItsOwnTypeOverTheRowDimension) {
  const TempDir dir;
  write_sweep_result(dir / "out.h5", two_rows());
  const hid_t file = H5Fopen((dir / "out.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  EXPECT_EQ(type_class(file, "/servers"), H5T_INTEGER);
  EXPECT_EQ(type_class(file, "/rate"), H5T_FLOAT);
  EXPECT_EQ(type_class(file, "/pricing"), H5T_STRING);
  EXPECT_EQ(type_class(file, "/wait"), H5T_FLOAT);
  const hid_t row = H5Dopen2(file, "/row", H5P_DEFAULT);
  EXPECT_GT(H5DSis_scale(row), 0);
  for (const char* column : {"/servers", "/rate", "/pricing", "/wait", "/status"}) {
    const hid_t dataset = H5Dopen2(file, column, H5P_DEFAULT);
    EXPECT_GT(H5DSis_attached(dataset, row, 0), 0) << column;
    H5Dclose(dataset);
  }
  H5Dclose(row);
  H5Fclose(file);
}

TEST(SweepResultFile, RefusesAnAxisNamedLikeAnotherColumn) {
  const TempDir dir;
  SweepResult r = two_rows();
  r.axis_names[1] = "wait";
  EXPECT_THROW(write_sweep_result(dir / "out.h5", r), Error);
  r.axis_names[1] = "status";
  EXPECT_THROW(write_sweep_result(dir / "out.h5", r), Error);
}

// A run file with `ticks` rows of a price over `venues`, one per tick from 2026-05-07.
void write_run(const fs::path& path, size_t ticks, const std::vector<std::string>& venues,
               double base) {
  Hdf5Recorder run(path);
  RunInfo info;
  info.start_date = "2026-05-07";
  run.begin(info);
  const SeriesId time = run.declare_series({"tick", "time_h", "h", "", {}, "", true});
  const SeriesId price =
      run.declare_series({"tick", "price", "USD/(PF*h)", "price", venues, "venue", false});
  for (size_t t = 0; t < ticks; ++t) {
    const double hours = static_cast<double>(t + 1);
    std::vector<double> row;
    for (size_t v = 0; v < venues.size(); ++v)
      row.push_back(base + 10.0 * static_cast<double>(t) + static_cast<double>(v));
    run.append(time, {&hours, 1});
    run.append(price, row);
  }
  run.add_summary({"welfare", base, "USD", "welfare"});
  run.finish();
}

TEST(SweepResultFile, KeepsSeriesAsArraysOverRowAndTime) {
  const TempDir dir;
  write_run(dir / "a.h5", 2, {"golem", "render"}, 100);
  write_run(dir / "b.h5", 3, {"golem", "akash"}, 200);
  SweepResult r = two_rows();
  r.series_file = {(dir / "a.h5").string(), (dir / "b.h5").string()};
  r.series_object = {"/", "/"};
  write_sweep_result(dir / "out.h5", r);

  const SweepResult back = read_sweep_result(dir / "out.h5");
  EXPECT_EQ(back.series_file[0], (dir / "out.h5").string());
  EXPECT_EQ(back.series_object, (std::vector<std::string>{"/series", "/series"}));
  const hid_t file = H5Fopen((dir / "out.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  EXPECT_FALSE(has_link(file, "/series/provenance"));
  std::vector<hsize_t> dims;
  // The union of the rows' times (1, 2, 3 h) and venues (golem, render, akash): NaN where a
  // row has no value.
  const std::vector<double> time = read_all(file, "/series/tick/time", dims);
  EXPECT_EQ(time, (std::vector<double>{1, 2, 3}));
  const std::vector<double> price = read_all(file, "/series/tick/price", dims);
  ASSERT_EQ(dims, (std::vector<hsize_t>{2, 3, 3}));
  EXPECT_EQ(price[0 * 9 + 1 * 3 + 1], 111.0);         // row 1, t = 2 h, render
  EXPECT_TRUE(std::isnan(price[0 * 9 + 2 * 3 + 0]));  // row 1 has no t = 3 h
  EXPECT_TRUE(std::isnan(price[0 * 9 + 0 * 3 + 2]));  // row 1 has no akash
  EXPECT_EQ(price[1 * 9 + 2 * 3 + 2], 221.0);         // row 3, t = 3 h, akash (its second venue)
  EXPECT_TRUE(std::isnan(price[1 * 9 + 0 * 3 + 1]));  // row 3 has no render
  const std::vector<double> welfare = read_all(file, "/series/summary/welfare", dims);
  EXPECT_EQ(welfare, (std::vector<double>{100, 200}));
  H5Fclose(file);

  // A merge reads the series back from a sweep file: the same arrays again.
  write_sweep_result(dir / "again.h5", back);
  const hid_t again = H5Fopen((dir / "again.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(again, 0);
  const std::vector<double> copied = read_all(again, "/series/tick/price", dims);
  ASSERT_EQ(copied.size(), price.size());
  for (size_t i = 0; i < price.size(); ++i) {
    EXPECT_TRUE(copied[i] == price[i] || (std::isnan(copied[i]) && std::isnan(price[i]))) << i;
  }
  H5Fclose(again);
}

TEST(SweepResultFile, NamesTheVersionOfAFileOfAnotherFormat) {
  const TempDir dir;
  write_sweep_result(dir / "out.h5", two_rows());
  {
    const hid_t file = H5Fopen((dir / "out.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    H5Adelete(file, "format");
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t attribute = H5Acreate2(file, "format", type, space, H5P_DEFAULT, H5P_DEFAULT);
    const char* old = "gpumarket-sweep 1";
    H5Awrite(attribute, type, &old);
    H5Aclose(attribute);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(file);
  }
  try {
    read_sweep_result(dir / "out.h5");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              (dir / "out.h5").string() +
                  ": cannot read the sweep result: its format is 'gpumarket-sweep 1' but this "
                  "gpumarket reads 'gpumarket-sweep 2'; run the sweep again with this version.");
  }
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

// The result is written as a locked "<path>.partial": a writer that finds it locked (another
// sweep or sweep-merge writing the same result) fails naming it and changes nothing in it.
TEST(SweepResultFile, RefusesToWriteWhileAnotherProcessHoldsThePartialFile) {
  const TempDir dir;
  const fs::path path = dir / "sweep.h5";
  const fs::path partial = dir / "sweep.h5.partial";
  std::ofstream(partial) << "another writer's bytes";
  {
    const LockedFile other(partial, O_RDWR);
    ASSERT_TRUE(other.locked());
    try {
      write_sweep_result(path, two_rows());
      FAIL() << "expected an error";
    } catch (const Error& error) {
      EXPECT_EQ(std::string(error.what()),
                path.string() + ": cannot write the sweep result: another gpumarket process is " +
                    "writing '" + partial.string() + "' (it holds its lock).");
    }
    std::ifstream in(partial);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "another writer's bytes");
  }
  write_sweep_result(path, two_rows());
  EXPECT_EQ(read_sweep_result(path).size(), 2u);
  EXPECT_FALSE(fs::exists(partial));
}

// The points table's numbers carry a Fletcher-32 checksum: a flipped bit in an indicator is an
// error naming the file and the column, not a different number.
TEST(SweepResultFile, RejectsAFlippedBitInAnIndicator) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  write_sweep_result(path, two_rows());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const double utilisation = 0.9;  // two_rows()'s, stored once
  const size_t at = bytes.find(bytes_of(utilisation));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = static_cast<char>(bytes[at + 1] ^ 0x40);
  std::ofstream(path, std::ios::binary) << bytes;
  try {
    read_sweep_result(path);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              path.string() +
                  ": cannot read the sweep result: HDF5 failed to read dataset '/utilisation': a "
                  "checksum does not match: the file is corrupted.");
  }
}

}  // namespace
}  // namespace gpumarket
