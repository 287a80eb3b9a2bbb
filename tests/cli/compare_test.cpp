#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "gpumarket/cli/compare_command.hpp"
#include "gpumarket/core/error.hpp"
#include "gpumarket/core/recorder.hpp"
#include "gpumarket/io/hdf5_recorder.hpp"
#include "gpumarket/market/indicators.hpp"
#include "support/temp_dir.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace gpumarket {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// The bytes of `value` as stored (little-endian, as the files are).
std::string bytes_of(double value) {
  const auto bytes = std::bit_cast<std::array<char, sizeof value>>(value);
  return {bytes.data(), bytes.size()};
}

// A finished results file holding `summary` and, when `hours` > 0, hourly tick
// series of price and capacity for two venues.
void write_run(const std::string& path, const std::vector<SummaryValue>& summary, int hours = 0,
               double price_scale = 1.0) {
  Hdf5Recorder recorder(path);
  recorder.begin(RunInfo{
      "scenario.yaml", "name: test\n", "name: test\n", 1, "test", "2026-06-01", "", {}, {}, {}});
  if (hours > 0) {
    const SeriesId time =
        recorder.declare_series({"tick", "time_h", "h", "time since start", {}, "", true});
    const SeriesId price = recorder.declare_series(
        {"tick", "price", "USD/(PF*h)", "posted price", {"golem", "alliance"}, "venue", false});
    const SeriesId capacity = recorder.declare_series(
        {"tick", "capacity_pf", "PF", "online capacity", {"golem", "alliance"}, "venue", false});
    for (int hour = 0; hour < hours; ++hour) {
      const double t = hour;
      recorder.append(time, std::vector<double>{t});
      recorder.append(price, std::vector<double>{price_scale * (2.0 + 0.01 * t), 1.5});
      recorder.append(capacity, std::vector<double>{100.0 + t, 400.0});
    }
  }
  for (const SummaryValue& value : summary) recorder.add_summary(value);
  recorder.finish();
}

std::string error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

// Two runs that share fee_index and differ in one indicator each.
struct TwoRuns {
  TempDir dir;
  std::string bull = dir / "bull.h5";
  std::string bear = dir / "bear.h5";
  TwoRuns() {
    write_run(bull, {{"fee_index", 2.5, "USD/(PF*h)", "all-in cost"},
                     {"golem_daa_change", -0.05, "1", "June to September"}});
    write_run(bear, {{"fee_index", 3.25, "USD/(PF*h)", "all-in cost"},
                     {"adoption_pf_hours", 1234567.0, "PF*h", "public-chain work served"}});
  }
};

TEST(CompareRuns, LinesUpTheUnionOfIndicatorsWithOneColumnPerFileStem) {
  const TwoRuns runs;
  const CompareTable table = compare_runs({runs.bull, runs.bear});
  EXPECT_EQ(table.runs, (std::vector<std::string>{"bull", "bear"}));
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0].name, "adoption_pf_hours");
  EXPECT_EQ(table.rows[0].unit, "PF*h");
  EXPECT_EQ(table.rows[0].values, (std::vector<std::optional<double>>{std::nullopt, 1234567.0}));
  EXPECT_EQ(table.rows[1].name, "fee_index");
  EXPECT_EQ(table.rows[1].unit, "USD/(PF*h)");
  EXPECT_EQ(table.rows[1].values, (std::vector<std::optional<double>>{2.5, 3.25}));
  EXPECT_EQ(table.rows[2].name, "golem_daa_change");
  EXPECT_EQ(table.rows[2].values, (std::vector<std::optional<double>>{-0.05, std::nullopt}));
}

TEST(CompareRuns, FormatsATextTableWithADashForAMissingValue) {
  const TwoRuns runs;
  EXPECT_EQ(format_compare_text(compare_runs({runs.bull, runs.bear})),
            "indicator           bull     bear  unit\n"
            "adoption_pf_hours      -  1234567  PF*h\n"
            "fee_index            2.5     3.25  USD/(PF*h)\n"
            "golem_daa_change   -0.05        -  1\n");
}

TEST(CompareRuns, FormatsCsvWithExactValuesAndEmptyFieldsForMissingOnes) {
  const TwoRuns runs;
  EXPECT_EQ(format_compare_csv(compare_runs({runs.bull, runs.bear})),
            "indicator,unit,bull,bear\n"
            "adoption_pf_hours,PF*h,,1234567\n"
            "fee_index,USD/(PF*h),2.5,3.25\n"
            "golem_daa_change,1,-0.05,\n");
}

TEST(CompareRuns, QuotesCsvFieldsThatHoldCommasOrQuotes) {
  const TempDir dir;
  const std::string path = dir / "run.h5";
  write_run(path, {{"share", 0.5, "PF, \"public\"", ""}});
  EXPECT_EQ(format_compare_csv(compare_runs({path})),
            "indicator,unit,run\n"
            "share,\"PF, \"\"public\"\"\",0.5\n");
}

TEST(CompareRuns, KeepsOnlyTheNamedIndicatorsInTheOrderGiven) {
  const TwoRuns runs;
  const CompareTable table =
      compare_runs({runs.bull, runs.bear}, {"golem_daa_change", "fee_index", "", "fee_index"});
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].name, "golem_daa_change");
  EXPECT_EQ(table.rows[1].name, "fee_index");
}

TEST(CompareRuns, HeadlineKeepsTheArticlesIndicatorsInTheirOrder) {
  TempDir dir;
  const std::string path = dir / "run.h5";
  using namespace indicator;
  write_run(path, {{std::string(kJobsCompleted.name), 10.0, "jobs", ""},
                   {"golem_daa_change", -0.05, "1", ""},
                   {std::string(kFeeIndex.name), 2.5, "USD/(PF*h)", ""},
                   {"render_daa_change", 0.1, "1", ""}});
  const CompareTable table = headline_rows(compare_runs({path}));
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0].name, kFeeIndex.name);  // the fee index comes before the DAA
  EXPECT_EQ(table.rows[1].name, "golem_daa_change");
  EXPECT_EQ(table.rows[2].name, "render_daa_change");
}

TEST(CompareRuns, RejectsAnUnknownIndicatorListingCloseMatches) {
  const TwoRuns runs;
  EXPECT_EQ(error_message([&] {
              compare_runs({runs.bull, runs.bear}, {"fee_idnex", "fee"});
            }),
            "compare --only: no file has an indicator named 'fee_idnex'; close matches: "
            "fee_index. no file has an indicator named 'fee'; close matches: fee_index.");
}

TEST(CompareRuns, ListsAllIndicatorsWhenAnUnknownOneHasNoCloseMatch) {
  const TwoRuns runs;
  EXPECT_EQ(error_message([&] {
              compare_runs({runs.bull, runs.bear}, {"market_share"});
            }),
            "compare --only: no file has an indicator named 'market_share'. The files have: "
            "adoption_pf_hours, fee_index, golem_daa_change.");
}

TEST(CompareRuns, LabelsColumnsByPathWhenTwoFilesShareAStem) {
  const TempDir dir;
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  write_run(dir / "a/run.h5", {{"fee_index", 1.0, "USD/(PF*h)", ""}});
  write_run(dir / "b/run.h5", {{"fee_index", 2.0, "USD/(PF*h)", ""}});
  EXPECT_EQ(compare_runs({dir / "a/run.h5", dir / "b/run.h5"}).runs,
            (std::vector<std::string>{dir / "a/run.h5", dir / "b/run.h5"}));
}

TEST(CompareRuns, ShowsEveryUnitWhenTheRunsDisagree) {
  const TempDir dir;
  write_run(dir / "old.h5", {{"volume", 1.0, "jobs", ""}});
  write_run(dir / "new.h5", {{"volume", 2.0, "PF*h", ""}});
  EXPECT_EQ(compare_runs({dir / "old.h5", dir / "new.h5"}).rows.at(0).unit, "jobs | PF*h");
}

TEST(CompareRuns, RejectsAMissingFileNamingIt) {
  const TwoRuns runs;
  const std::string missing = runs.dir / "absent.h5";
  EXPECT_EQ(error_message([&] {
              compare_runs({runs.bull, missing});
            }),
            missing + ": cannot open the results file: it does not exist.");
}

TEST(CompareRuns, RejectsAFileThatIsNotHdf5NamingIt) {
  const TempDir dir;
  const std::string path = dir / "notes.h5";
  std::ofstream(path) << "not HDF5 at all";
  EXPECT_EQ(error_message([&] { compare_runs({path}); }),
            path + ": cannot open the results file: it is not an HDF5 file.");
}

TEST(CompareRuns, RejectsAnIncompleteFileNamingIt) {
  const TempDir dir;
  const std::string path = dir / "bare.h5";
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  // A file of the current format whose run did not finish.
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t version = H5Acreate2(file, "gpumarket_format", type, space, H5P_DEFAULT, H5P_DEFAULT);
  const std::string format(Hdf5Recorder::kFormatVersion);
  const char* text = format.c_str();
  ASSERT_GE(H5Awrite(version, type, &text), 0);
  H5Aclose(version);
  H5Sclose(space);
  H5Tclose(type);
  ASSERT_GE(H5Fclose(file), 0);
  EXPECT_EQ(error_message([&] { compare_runs({path}); }),
            path +
                ": cannot open the results file: it is not marked complete, so the run that "
                "wrote it did not finish.");
}

TEST(CompareCommand, PrintsCsvWhenAsked) {
  const TwoRuns runs;
  const std::string csv =
      compare_command({.paths = {runs.bull, runs.bear}, .only = {"fee_index"}, .csv = true});
  EXPECT_EQ(csv, "indicator,unit,bull,bear\nfee_index,USD/(PF*h),2.5,3.25\n");
}

// A flipped bit in a stored result is an error naming the file, not a different number in the
// table (the value sits in its checksummed object header).
TEST(CompareRuns, RefusesAFileWithAFlippedBitInASummaryValue) {
  const TwoRuns runs;
  std::string bytes;
  {
    std::ifstream in(runs.bear, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const double adoption = 1234567.0;
  const size_t at = bytes.find(bytes_of(adoption));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 4] = static_cast<char>(bytes[at + 4] ^ 0x01);
  std::ofstream(runs.bear, std::ios::binary | std::ios::trunc) << bytes;
  // HDF5 1.10.8 loses one object header (424 bytes) on the failed read of a corrupted
  // object. Its free lists go back to malloc first, so that the block is allocated, and
  // left out of the leak check, inside the read.
  H5garbage_collect();
#if defined(__SANITIZE_ADDRESS__)
  __lsan_disable();
#endif
  const std::string error = error_message([&] { compare_runs({runs.bull, runs.bear}); });
#if defined(__SANITIZE_ADDRESS__)
  __lsan_enable();
#endif
  EXPECT_EQ(error, runs.bear +
                       ": cannot read the results file: HDF5 failed to open dataset "
                       "'/summary/adoption_pf_hours': a checksum does not match: the file is "
                       "corrupted.");
}

}  // namespace
}  // namespace gpumarket
