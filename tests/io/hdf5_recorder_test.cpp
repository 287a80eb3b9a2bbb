#include "gpumarket/io/hdf5_recorder.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/hdf5_reader.hpp"
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

fs::path partial_of(const fs::path& path) {
  fs::path partial = path;
  partial += ".partial";
  return partial;
}

std::string contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string string_attribute(hid_t object, const char* name) {
  const hid_t attribute = H5Aopen(object, name, H5P_DEFAULT);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  char* text = nullptr;
  const bool read = attribute >= 0 && H5Aread(attribute, type, &text) >= 0;
  std::string value = read && text != nullptr ? text : "(unreadable)";
  H5free_memory(text);
  H5Tclose(type);
  if (attribute >= 0) H5Aclose(attribute);
  return value;
}

void write_string_attribute(hid_t object, const char* name, const std::string& value) {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attribute = H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char* text = value.c_str();
  EXPECT_GE(H5Awrite(attribute, type, &text), 0);
  H5Aclose(attribute);
  H5Sclose(space);
  H5Tclose(type);
}

template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no gpumarket::Error thrown)";
}

RunInfo sample_info() {
  RunInfo info;
  info.scenario_file = "scenarios/base.yaml";
  info.scenario_text = "seed: 7\nvenues:\n  - name: spot # prix en €\n";
  info.resolved_scenario = "seed: 7\nvenues:\n  - name: spot\n";
  info.seed = std::numeric_limits<uint64_t>::max() - 6;
  info.program_version = "0.1.0+abc123";
  info.start_date = "2025-01-01";
  info.command_line = "gpumarket run scenarios/base.yaml -o out.h5 --set 'end=2025-12-31'";
  info.overrides = {"end=2025-12-31", "seed=7"};
  info.timeline = {{"2025-03-01", "2025-03-01: venues.spot.price=2"},
                   {"2025-06-01T12:00:00", "2025-06-01T12:00: venues.spot.price=3"}};
  return info;
}

// Values whose every bit matters: exact equality after the round trip checks
// that nothing is converted or rounded on the way.
double sample_value(size_t row, size_t column) {
  return std::sin(static_cast<double>(row) * 0.37 + static_cast<double>(column)) * 1e3 +
         static_cast<double>(row) / 3.0;
}

// A run with hourly ticks and days: a 1-D series of 10'000 rows (more than two
// 4'096-row chunks), a 2-D series of 3'000 rows (more than two 1'365-row chunks), each
// after its group's time, and two summary values.
void record_sample_run(Recorder& recorder) {
  recorder.begin(sample_info());
  const SeriesId tick_time =
      recorder.declare_series({"tick", "time_h", "h", "end of each tick", {}, "", true});
  const SeriesId price = recorder.declare_series(
      {"tick", "price", "USD/(PF*h)", "Clearing price of the spot venue", {}, "", false});
  const SeriesId day_time =
      recorder.declare_series({"day", "time_h", "h", "end of each day", {}, "", true});
  const SeriesId volume = recorder.declare_series({"day",
                                                   "volume",
                                                   "PF*h",
                                                   "Volume traded per venue",
                                                   {"spot", "futures", "réservé"},
                                                   "venue",
                                                   false});
  for (size_t row = 0; row < 10'000; ++row) {
    const double value = sample_value(row, 0);
    const double hours = static_cast<double>(row + 1);
    recorder.append(tick_time, std::span<const double>(&hours, 1));
    recorder.append(price, std::span<const double>(&value, 1));
  }
  for (size_t row = 0; row < 3'000; ++row) {
    const std::vector<double> values = {sample_value(row, 0), sample_value(row, 1),
                                        sample_value(row, 2)};
    const double hours = 24.0 * static_cast<double>(row + 1);
    recorder.append(day_time, std::span<const double>(&hours, 1));
    recorder.append(volume, values);
  }
  recorder.add_summary({"welfare", 1234.5, "USD", "Total surplus"});
  recorder.add_summary({"mean_price", 2.25, "USD/(PF*h)", "Volume-weighted mean price"});
}

TEST(Hdf5Recorder, RoundTripsAOneDimensionalSeriesLongerThanAChunk) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  recorder.finish();

  const Hdf5Reader reader(path);
  const Hdf5Reader::Series price = reader.series("tick", "price");
  EXPECT_EQ(price.spec.unit, "USD/(PF*h)");
  EXPECT_EQ(price.spec.description, "Clearing price of the spot venue");
  EXPECT_TRUE(price.spec.columns.empty());
  ASSERT_EQ(price.rows, 10'000u);
  ASSERT_EQ(price.values.size(), 10'000u);
  for (size_t row = 0; row < price.rows; ++row) {
    ASSERT_EQ(price.at(row), sample_value(row, 0)) << "row " << row;
  }
}

TEST(Hdf5Recorder, RoundTripsATwoDimensionalSeriesWithItsColumnNames) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  recorder.finish();

  const Hdf5Reader::Series volume = Hdf5Reader(path).series("day", "volume");
  EXPECT_EQ(volume.spec.unit, "PF*h");
  EXPECT_EQ(volume.spec.description, "Volume traded per venue");
  EXPECT_EQ(volume.spec.columns, (std::vector<std::string>{"spot", "futures", "réservé"}));
  ASSERT_EQ(volume.rows, 3'000u);
  ASSERT_EQ(volume.width(), 3u);
  for (size_t row = 0; row < volume.rows; ++row) {
    for (size_t column = 0; column < 3; ++column) {
      ASSERT_EQ(volume.at(row, column), sample_value(row, column)) << row << ", " << column;
    }
  }
}

TEST(Hdf5Recorder, RoundTripsSeriesWrittenWithCompression) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder::Options options;
  options.deflate_level = 1;
  Hdf5Recorder recorder(path, options);
  record_sample_run(recorder);
  recorder.finish();

  const Hdf5Reader reader(path);
  const Hdf5Reader::Series price = reader.series("tick", "price");
  ASSERT_EQ(price.rows, 10'000u);
  for (size_t row = 0; row < price.rows; ++row) {
    ASSERT_EQ(price.at(row), sample_value(row, 0)) << "row " << row;
  }
  const Hdf5Reader::Series volume = reader.series("day", "volume");
  ASSERT_EQ(volume.rows, 3'000u);
  EXPECT_EQ(volume.at(2'999, 2), sample_value(2'999, 2));
}

TEST(Hdf5Recorder, AttachesEachSeriesToTimeAndItsColumnAxis) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  recorder.finish();

  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t tick_time = H5Dopen2(file, "/tick/time", H5P_DEFAULT);
  const hid_t bounds = H5Dopen2(file, "/tick/time_bnds", H5P_DEFAULT);
  const hid_t nv = H5Dopen2(file, "/tick/nv", H5P_DEFAULT);
  const hid_t price = H5Dopen2(file, "/tick/price", H5P_DEFAULT);
  const hid_t day_time = H5Dopen2(file, "/day/time", H5P_DEFAULT);
  const hid_t venue = H5Dopen2(file, "/day/venue", H5P_DEFAULT);
  const hid_t volume = H5Dopen2(file, "/day/volume", H5P_DEFAULT);
  EXPECT_GT(H5DSis_scale(tick_time), 0);
  EXPECT_GT(H5DSis_scale(venue), 0);
  EXPECT_GT(H5DSis_attached(price, tick_time, 0), 0);
  EXPECT_GT(H5DSis_attached(bounds, tick_time, 0), 0);
  EXPECT_GT(H5DSis_attached(bounds, nv, 1), 0);
  EXPECT_GT(H5DSis_attached(volume, day_time, 0), 0);
  EXPECT_GT(H5DSis_attached(volume, venue, 1), 0);
  EXPECT_EQ(H5DSis_attached(volume, tick_time, 0), 0);

  EXPECT_EQ(string_attribute(tick_time, "units"), "hours since 2025-01-01 00:00:00");
  EXPECT_EQ(string_attribute(tick_time, "calendar"), "standard");
  EXPECT_EQ(string_attribute(tick_time, "standard_name"), "time");
  EXPECT_EQ(string_attribute(tick_time, "bounds"), "time_bnds");
  EXPECT_EQ(string_attribute(price, "units"), "(1e15 s-1 h)-1");
  EXPECT_EQ(string_attribute(price, "currency"), "USD");
  EXPECT_EQ(string_attribute(price, "units_label"), "USD/(PF*h)");
  EXPECT_EQ(string_attribute(price, "long_name"), "Clearing price of the spot venue");
  EXPECT_EQ(string_attribute(file, "gpumarket_format"), Hdf5Recorder::kFormatVersion);
  EXPECT_EQ(string_attribute(file, "Conventions"), "CF-1.8");

  // Each row's interval runs from the previous row's time (from 0 for the first).
  std::vector<double> cells(size_t{2} * 10'000);
  ASSERT_GE(H5Dread(bounds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, cells.data()), 0);
  EXPECT_EQ(cells[0], 0.0);
  EXPECT_EQ(cells[1], 1.0);
  EXPECT_EQ(cells[2], 1.0);
  EXPECT_EQ(cells[2 * 9'999 + 1], 10'000.0);

  // Chunked along time (32 KiB of rows), deflated at the default level, 1, then checksummed
  // (Fletcher-32 of the compressed chunk, which a reader checks before inflating).
  for (const auto& [dataset, chunk_rows] : {std::pair{price, 4'096u}, std::pair{volume, 1'365u}}) {
    const hid_t creation = H5Dget_create_plist(dataset);
    EXPECT_EQ(H5Pget_layout(creation), H5D_CHUNKED);
    std::array<hsize_t, 2> chunk = {0, 0};
    EXPECT_GE(H5Pget_chunk(creation, 2, chunk.data()), 1);
    EXPECT_EQ(chunk[0], chunk_rows);
    ASSERT_EQ(H5Pget_nfilters(creation), 2);
    unsigned flags = 0;
    size_t count = 1;
    unsigned level = 0;
    EXPECT_EQ(H5Pget_filter2(creation, 0, &flags, &count, &level, 0, nullptr, nullptr),
              H5Z_FILTER_DEFLATE);
    EXPECT_EQ(level, 1u);
    count = 0;
    EXPECT_EQ(H5Pget_filter2(creation, 1, &flags, &count, nullptr, 0, nullptr, nullptr),
              H5Z_FILTER_FLETCHER32);
    H5Pclose(creation);
  }
  for (const hid_t id : {tick_time, bounds, nv, price, day_time, venue, volume}) H5Dclose(id);
  H5Fclose(file);
}

TEST(Hdf5Recorder, GivesAxesOfEqualLengthTheirOwnDimensions) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  {
    Hdf5Recorder recorder(path);
    recorder.begin(sample_info());
    const SeriesId time = recorder.declare_series({"tick", "time_h", "h", "", {}, "", true});
    const SeriesId price =
        recorder.declare_series({"tick", "price", "USD", "", {"a", "b"}, "venue", false});
    const SeriesId demand =
        recorder.declare_series({"tick", "demand", "jobs", "", {"a", "b"}, "segment", false});
    const std::vector<double> hours = {1.0}, row = {2.0, 3.0};
    recorder.append(time, hours);
    recorder.append(price, row);
    recorder.append(demand, row);
    recorder.finish();
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t venue = H5Dopen2(file, "/tick/venue", H5P_DEFAULT);
  const hid_t segment = H5Dopen2(file, "/tick/segment", H5P_DEFAULT);
  const hid_t price = H5Dopen2(file, "/tick/price", H5P_DEFAULT);
  const hid_t demand = H5Dopen2(file, "/tick/demand", H5P_DEFAULT);
  EXPECT_GT(H5DSis_attached(price, venue, 1), 0);
  EXPECT_EQ(H5DSis_attached(price, segment, 1), 0);
  EXPECT_GT(H5DSis_attached(demand, segment, 1), 0);
  EXPECT_EQ(H5DSis_attached(demand, venue, 1), 0);
  for (const hid_t id : {venue, segment, price, demand}) H5Dclose(id);
  H5Fclose(file);
  EXPECT_EQ(Hdf5Reader(path).series("tick", "demand").spec.axis, "segment");
}

TEST(Hdf5Recorder, StoresAnEmptySeriesWithItsShape) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  recorder.begin(sample_info());
  recorder.declare_series({"day", "time_h", "h", "end of each day", {}, "", true});
  recorder.declare_series(
      {"day", "queue", "jobs", "Queue length per venue", {"a", "b"}, "venue", false});
  recorder.finish();

  const Hdf5Reader::Series queue = Hdf5Reader(path).series("day", "queue");
  EXPECT_EQ(queue.rows, 0u);
  EXPECT_EQ(queue.width(), 2u);
  EXPECT_TRUE(queue.values.empty());
}

TEST(Hdf5Recorder, WritesProvenanceThatReadsBackUnchanged) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  recorder.finish();

  const Hdf5Reader reader(path);
  const RunInfo expected = sample_info();
  const RunInfo info = reader.run_info();
  EXPECT_EQ(info.scenario_file, expected.scenario_file);
  EXPECT_EQ(info.scenario_text, expected.scenario_text);
  EXPECT_EQ(info.resolved_scenario, expected.resolved_scenario);
  EXPECT_EQ(info.seed, expected.seed);
  EXPECT_EQ(info.program_version, expected.program_version);
  EXPECT_EQ(info.start_date, expected.start_date);
  EXPECT_EQ(info.command_line, expected.command_line);
  EXPECT_EQ(info.overrides, expected.overrides);
  ASSERT_EQ(info.timeline.size(), 2u);
  EXPECT_EQ(info.timeline[1].date, "2025-06-01T12:00:00");
  EXPECT_EQ(info.timeline[1].label, expected.timeline[1].label);
  EXPECT_EQ(reader.uint64_attribute("complete"), 1u);
  EXPECT_EQ(reader.string_attribute("gpumarket_format"), Hdf5Recorder::kFormatVersion);
  EXPECT_EQ(reader.string_attribute("Conventions"), "CF-1.8");
}

TEST(Hdf5Recorder, RoundTripsTheSummarySortedByName) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  recorder.finish();

  const std::vector<SummaryValue> summary = Hdf5Reader(path).summary();
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0].name, "mean_price");
  EXPECT_EQ(summary[0].value, 2.25);
  EXPECT_EQ(summary[0].unit, "USD/(PF*h)");
  EXPECT_EQ(summary[0].description, "Volume-weighted mean price");
  EXPECT_EQ(summary[1].name, "welfare");
  EXPECT_EQ(summary[1].value, 1234.5);
  EXPECT_EQ(summary[1].unit, "USD");
  EXPECT_EQ(summary[1].description, "Total surplus");
}

TEST(Hdf5Recorder, PublishesTheFileUnderItsFinalNameOnlyAtFinish) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::exists(partial_of(path)));
  recorder.finish();
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(partial_of(path)));
}

TEST(Hdf5Recorder, LeavesNoFileWhenDestroyedWithoutFinish) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  {
    Hdf5Recorder recorder(path);
    record_sample_run(recorder);
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(partial_of(path)));
}

TEST(Hdf5Recorder, ReplacesAnExistingFileOnlyAtFinish) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  write_text(path, "previous results");
  {
    Hdf5Recorder unfinished(path);
    record_sample_run(unfinished);
    EXPECT_EQ(contents(path), "previous results");
  }
  EXPECT_EQ(contents(path), "previous results");

  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  EXPECT_EQ(contents(path), "previous results");
  recorder.finish();
  EXPECT_EQ(Hdf5Reader(path).summary().size(), 2u);
}

// The partial file is locked (flock, which also excludes a second open in one process): a
// second writer of the same output fails naming it and leaves the first writer's file intact.
TEST(Hdf5Recorder, RefusesASecondWriterOfTheSameOutputAndLeavesTheFirstsFile) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder first(path);
  record_sample_run(first);
  const std::string partial_before = contents(partial_of(path));
  EXPECT_EQ(error_message([&] { Hdf5Recorder second(path); }),
            path.string() + ": cannot write the output file: another gpumarket process is " +
                "writing '" + partial_of(path).string() + "' (it holds its lock).");
  EXPECT_EQ(contents(partial_of(path)), partial_before);
  first.finish();
  EXPECT_EQ(Hdf5Reader(path).summary().size(), 2u);
  // Once published, the output can be written again.
  Hdf5Recorder again(path);
  record_sample_run(again);
  again.finish();
}

TEST(Hdf5Recorder, LeavesOnlyThePartialFileWhenTheProcessIsKilled) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  EXPECT_EXIT(
      {
        Hdf5Recorder recorder(path);
        record_sample_run(recorder);
        std::raise(SIGKILL);
      },
      ::testing::KilledBySignal(SIGKILL), "");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::exists(partial_of(path)));
  EXPECT_EQ(error_message([&] { Hdf5Reader reader(path); }),
            path.string() + ": cannot open the results file: it does not exist; '" +
                partial_of(path).string() + "' is the output of a run that did not finish.");
}

TEST(Hdf5Recorder, WritesByteIdenticalFilesForIdenticalRuns) {
  const TempDir dir;
  const fs::path first = dir / "first.h5";
  const fs::path second = dir / "second.h5";
  Hdf5Recorder first_recorder(first);
  record_sample_run(first_recorder);
  first_recorder.finish();
  // Longer than the one-second resolution of HDF5 timestamps, so that a stored
  // timestamp would make the files differ.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  Hdf5Recorder second_recorder(second);
  record_sample_run(second_recorder);
  second_recorder.finish();

  const std::string first_bytes = contents(first);
  EXPECT_GT(first_bytes.size(), 10'000 * sizeof(double));
  EXPECT_TRUE(first_bytes == contents(second)) << "the two files differ";
}

TEST(Hdf5Recorder, RejectsAMissingDirectoryNamingThePath) {
  const TempDir dir;
  const fs::path missing = dir / "results";
  const fs::path path = missing / "out.h5";
  EXPECT_EQ(error_message([&] { Hdf5Recorder recorder(path); }),
            path.string() + ": cannot write the output file: directory '" + missing.string() +
                "' does not exist.");
}

TEST(Hdf5Recorder, RejectsADirectoryThatIsARegularFile) {
  const TempDir dir;
  const fs::path not_a_directory = dir / "somefile";
  write_text(not_a_directory, "text");
  const fs::path path = not_a_directory / "out.h5";
  EXPECT_EQ(error_message([&] { Hdf5Recorder recorder(path); }),
            path.string() + ": cannot write the output file: '" + not_a_directory.string() +
                "' is not a directory.");
}

TEST(Hdf5Recorder, RejectsADirectoryWhereNoFileCanBeCreated) {
  // Root may write anywhere that permissions govern, but not into /proc.
  const fs::path path = "/proc/gpumarket-out.h5";
  const std::string message = error_message([&] { Hdf5Recorder recorder(path); });
  EXPECT_EQ(message.rfind(path.string() + ": cannot write the output file: ", 0), 0u) << message;
  EXPECT_FALSE(fs::exists(path));
}

TEST(Hdf5Recorder, RejectsAPathThatIsADirectory) {
  const TempDir dir;
  fs::create_directory(dir / "out.h5");
  EXPECT_EQ(error_message([&] { Hdf5Recorder recorder(dir / "out.h5"); }),
            (dir / "out.h5").string() +
                ": cannot write the output file: a directory of that name exists.");
}

TEST(Hdf5Recorder, RejectsASeriesDeclaredTwice) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  recorder.begin(sample_info());
  recorder.declare_series({"tick", "time_h", "h", "", {}, "", true});
  recorder.declare_series({"tick", "price", "USD", "", {}, "", false});
  EXPECT_EQ(error_message([&] {
              recorder.declare_series({"tick", "price", "USD", "", {}, "", false});
            }),
            path.string() + ": cannot write the output file: the name 'price' is used twice in " +
                "group '/tick' (series, its time coordinate 'time', 'time_bnds', 'nv' and its " +
                "column axes share the group's names).");
}

TEST(Hdf5Recorder, RejectsASeriesDeclaredBeforeItsGroupsTime) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  recorder.begin(sample_info());
  EXPECT_EQ(error_message([&] {
              recorder.declare_series({"tick", "price", "USD", "", {}, "", false});
            }),
            path.string() + ": cannot write the output file: the series '/tick/price' is " +
                "declared before its group's time series.");
}

TEST(Hdf5Recorder, KeepsAUnitWithoutAUdunitsSpellingOnlyAsItsLabel) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  {
    Hdf5Recorder recorder(path);
    recorder.begin(sample_info());
    recorder.add_summary({"price", 1.0, "EUR", ""});
    recorder.finish();
  }
  EXPECT_EQ(Hdf5Reader(path).summary().at(0).unit, "EUR");
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t price = H5Dopen2(file, "/summary/price", H5P_DEFAULT);
  EXPECT_EQ(H5Aexists(price, "units"), 0);
  H5Dclose(price);
  H5Fclose(file);
}

TEST(Hdf5Recorder, RejectsColumnsThatDifferFromTheirAxis) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  recorder.begin(sample_info());
  recorder.declare_series({"tick", "time_h", "h", "", {}, "", true});
  recorder.declare_series({"tick", "price", "USD", "", {"a", "b"}, "venue", false});
  EXPECT_EQ(error_message([&] {
              recorder.declare_series({"tick", "capacity", "PF", "", {"a", "c"}, "venue", false});
            }),
            path.string() + ": cannot write the output file: the columns of '/tick/capacity' " +
                "differ from those of axis 'venue' in its group, which an earlier series " +
                "declared.");
}

TEST(Hdf5Recorder, RejectsASeriesWithFewerRowsThanItsTime) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  recorder.begin(sample_info());
  const SeriesId time = recorder.declare_series({"tick", "time_h", "h", "", {}, "", true});
  recorder.declare_series({"tick", "price", "USD", "", {}, "", false});
  const double hours = 1.0;
  recorder.append(time, std::span<const double>(&hours, 1));
  EXPECT_EQ(error_message([&] { recorder.finish(); }),
            path.string() + ": cannot write the output file: the series '/tick/price' has 0 " +
                "rows but its group's time has 1.");
}

TEST(Hdf5Recorder, RejectsASeriesInAReservedGroup) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  EXPECT_EQ(error_message([&] {
              recorder.declare_series({"summary", "x", "", "", {}, "", false});
            }),
            path.string() + ": cannot write the output file: the series group 'summary' is " +
                "not allowed.");
}

TEST(Hdf5Recorder, RejectsASummaryValueAddedTwice) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  recorder.add_summary({"welfare", 1, "USD", ""});
  EXPECT_EQ(error_message([&] {
              recorder.add_summary({"welfare", 2, "USD", ""});
            }),
            path.string() + ": cannot write the output file: the summary value 'welfare' is " +
                "added twice.");
}

TEST(Hdf5Reader, RejectsAMissingFile) {
  const TempDir dir;
  const fs::path path = dir / "absent.h5";
  EXPECT_EQ(error_message([&] { Hdf5Reader reader(path); }),
            path.string() + ": cannot open the results file: it does not exist.");
}

TEST(Hdf5Reader, RejectsAFileThatIsNotHdf5) {
  const TempDir dir;
  const fs::path path = dir / "text.h5";
  write_text(path, "not HDF5 at all");
  EXPECT_EQ(error_message([&] { Hdf5Reader reader(path); }),
            path.string() + ": cannot open the results file: it is not an HDF5 file.");
}

TEST(Hdf5Reader, RejectsAFileWithoutAFormatVersion) {
  const TempDir dir;
  const fs::path path = dir / "bare.h5";
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  ASSERT_GE(H5Fclose(file), 0);
  EXPECT_EQ(error_message([&] { Hdf5Reader reader(path); }),
            path.string() +
                ": cannot open the results file: it has no format version (root attribute "
                "'gpumarket_format'): a gpumarket older than format 2 wrote it, or another "
                "program did; run its scenario again to read it.");
}

TEST(Hdf5Reader, RejectsAFileOfAnUnknownFormatVersion) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  recorder.finish();
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  ASSERT_GE(H5Adelete(file, "gpumarket_format"), 0);
  write_string_attribute(file, "gpumarket_format", "3");
  ASSERT_GE(H5Fclose(file), 0);
  EXPECT_EQ(error_message([&] { Hdf5Reader reader(path); }),
            path.string() +
                ": cannot open the results file: its format version is '3', but this gpumarket "
                "reads only format 2.");
}

TEST(Hdf5Reader, RejectsAFileNotMarkedComplete) {
  const TempDir dir;
  const fs::path path = dir / "bare.h5";
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  write_string_attribute(file, "gpumarket_format", std::string(Hdf5Recorder::kFormatVersion));
  ASSERT_GE(H5Fclose(file), 0);
  EXPECT_EQ(error_message([&] { Hdf5Reader reader(path); }),
            path.string() +
                ": cannot open the results file: it is not marked complete, so the run that "
                "wrote it did not finish.");
}

TEST(Hdf5Reader, RejectsAMissingSeriesNamingIt) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  recorder.finish();
  EXPECT_EQ(error_message([&] { Hdf5Reader(path).series("tick", "absent"); }),
            path.string() + ": cannot read the results file: it has no series '/tick/absent'.");
}

// Flips one bit of the byte at `offset` of the file at `path`.
void flip_bit(const fs::path& path, size_t offset) {
  std::string bytes = contents(path);
  ASSERT_LT(offset, bytes.size());
  bytes[offset] = static_cast<char>(bytes[offset] ^ 0x08);
  write_text(path, bytes);
}

// Where the chunk `index` of dataset `path` is stored in the file, and its size.
std::pair<haddr_t, hsize_t> chunk_location(const fs::path& file_path, const char* path,
                                           hsize_t index) {
  const hid_t file = H5Fopen(file_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t dataset = H5Dopen2(file, path, H5P_DEFAULT);
  const hid_t space = H5Dget_space(dataset);
  std::array<hsize_t, 2> origin{};
  unsigned filters = 0;
  haddr_t address = HADDR_UNDEF;
  hsize_t size = 0;
  H5Dget_chunk_info(dataset, space, index, origin.data(), &filters, &address, &size);
  H5Sclose(space);
  H5Dclose(dataset);
  H5Fclose(file);
  return {address, size};
}

bool has_fletcher32(hid_t file, const char* path) {
  const hid_t dataset = H5Dopen2(file, path, H5P_DEFAULT);
  const hid_t creation = H5Dget_create_plist(dataset);
  unsigned flags = 0;
  size_t values = 0;
  const bool found = H5Pget_filter_by_id2(creation, H5Z_FILTER_FLETCHER32, &flags, &values, nullptr,
                                          0, nullptr, nullptr) >= 0;
  H5Pclose(creation);
  H5Dclose(dataset);
  return found;
}

H5D_layout_t layout_of(hid_t file, const char* path) {
  const hid_t dataset = H5Dopen2(file, path, H5P_DEFAULT);
  const hid_t creation = H5Dget_create_plist(dataset);
  const H5D_layout_t layout = H5Pget_layout(creation);
  H5Pclose(creation);
  H5Dclose(dataset);
  return layout;
}

// Series carry a Fletcher-32 checksum per chunk; summary values are compact, inside their
// object header, which the 1.8 file format checksums.
TEST(Hdf5Recorder, ChecksumsEverySeriesAndKeepsSummaryValuesInTheirCheckedHeaders) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  recorder.finish();
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  for (const char* series : {"/tick/time", "/tick/time_bnds", "/tick/price", "/day/volume"}) {
    EXPECT_TRUE(has_fletcher32(file, series)) << series;
  }
  EXPECT_EQ(layout_of(file, "/summary/welfare"), H5D_COMPACT);
  EXPECT_EQ(layout_of(file, "/tick/nv"), H5D_COMPACT);
  H5Fclose(file);
}

TEST(Hdf5Reader, RejectsAFlippedBitInASummaryValue) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  recorder.finish();
  const double welfare = 1234.5;  // record_sample_run's, stored once
  const std::string bytes = contents(path);
  const size_t at = bytes.find(bytes_of(welfare));
  ASSERT_NE(at, std::string::npos);
  flip_bit(path, at + 2);
  EXPECT_EQ(error_message([&] { Hdf5Reader(path).summary(); }),
            path.string() +
                ": cannot read the results file: HDF5 failed to open dataset '/summary/welfare': "
                "a checksum does not match: the file is corrupted.");
}

TEST(Hdf5Reader, RejectsAFlippedBitInASeries) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  record_sample_run(recorder);
  recorder.finish();
  const auto [address, size] = chunk_location(path, "/tick/price", 1);
  ASSERT_NE(address, HADDR_UNDEF);
  flip_bit(path, static_cast<size_t>(address + size / 2));
  const Hdf5Reader reader(path);
  EXPECT_EQ(reader.series("tick", "time").rows, 10'000u);  // other series still read
  EXPECT_EQ(error_message([&] { reader.series("tick", "price"); }),
            path.string() +
                ": cannot read the results file: HDF5 failed to read dataset '/tick/price': a "
                "checksum does not match: the file is corrupted.");
}

// A file that carries the marks of a finished run but none of its contents.
TEST(Hdf5Reader, RejectsAFileMarkedCompleteWithoutTheGroupsOfARun) {
  const TempDir dir;
  const fs::path path = dir / "bare.h5";
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  write_string_attribute(file, "gpumarket_format", std::string(Hdf5Recorder::kFormatVersion));
  const int complete = 1;
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attribute =
      H5Acreate2(file, "complete", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(attribute, H5T_NATIVE_INT, &complete);
  H5Aclose(attribute);
  H5Sclose(space);
  ASSERT_GE(H5Fclose(file), 0);
  EXPECT_EQ(error_message([&] { Hdf5Reader reader(path); }),
            path.string() +
                ": cannot open the results file: it is marked complete but has no group "
                "'/provenance', which every run's file has: gpumarket did not write it, or it "
                "is damaged.");
}

// A run file damaged in its /summary group's link storage (found by fuzz/hdf5_reader_fuzzer):
// listing the group by index made HDF5 1.10 free a wild pointer; the reader now lists it in
// one iteration, and the damage is an Error.
TEST(Hdf5Reader, ARunFileWithDamagedLinkStorageIsAnErrorNotACrash) {
  const fs::path damaged = fs::path(GPUMARKET_SOURCE_DIR) / "fuzz" / "corpus" /
                           "hdf5_reader_fuzzer" / "regression-dense-link-table";
  ASSERT_TRUE(fs::is_regular_file(damaged));
  EXPECT_THROW(
      {
        const Hdf5Reader reader(damaged);
        (void)reader.summary();
      },
      Error);
}

}  // namespace
}  // namespace gpumarket
