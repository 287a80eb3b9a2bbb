#include "gpumarket/io/hdf5_recorder.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

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
#include <vector>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/hdf5_reader.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

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
  return info;
}

// Values whose every bit matters: exact equality after the round trip checks
// that nothing is converted or rounded on the way.
double sample_value(size_t row, size_t column) {
  return std::sin(static_cast<double>(row) * 0.37 + static_cast<double>(column)) * 1e3 +
         static_cast<double>(row) / 3.0;
}

// A run with a 1-D series of 10'000 rows (more than two 4'096-row chunks), a
// 2-D series of 3'000 rows (more than two 1'365-row chunks) and two summary values.
void record_sample_run(Recorder& recorder) {
  recorder.begin(sample_info());
  const SeriesId price = recorder.declare_series(
      {"tick", "price", "USD/(PF*h)", "Clearing price of the spot venue", {}});
  const SeriesId volume = recorder.declare_series(
      {"day", "volume", "PF*h", "Volume traded per venue", {"spot", "futures", "réservé"}});
  for (size_t row = 0; row < 10'000; ++row) {
    const double value = sample_value(row, 0);
    recorder.append(price, std::span<const double>(&value, 1));
  }
  for (size_t row = 0; row < 3'000; ++row) {
    const std::vector<double> values = {sample_value(row, 0), sample_value(row, 1),
                                        sample_value(row, 2)};
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

TEST(Hdf5Recorder, StoresAnEmptySeriesWithItsShape) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  recorder.begin(sample_info());
  recorder.declare_series({"day", "queue", "jobs", "Queue length per venue", {"a", "b"}});
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
  EXPECT_EQ(reader.uint64_attribute("complete"), 1u);
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
  recorder.declare_series({"tick", "price", "USD", "", {}});
  EXPECT_EQ(error_message([&] {
              recorder.declare_series({"tick", "price", "USD", "", {}});
            }),
            path.string() + ": cannot write the output file: the series '/tick/price' is " +
                "declared twice.");
}

TEST(Hdf5Recorder, RejectsASeriesInAReservedGroup) {
  const TempDir dir;
  const fs::path path = dir / "out.h5";
  Hdf5Recorder recorder(path);
  EXPECT_EQ(error_message([&] {
              recorder.declare_series({"summary", "x", "", "", {}});
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

TEST(Hdf5Reader, RejectsAFileNotMarkedComplete) {
  const TempDir dir;
  const fs::path path = dir / "bare.h5";
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
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

}  // namespace
}  // namespace gpumarket
