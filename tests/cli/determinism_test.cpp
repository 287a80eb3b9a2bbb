// Reproducibility through the real executable: one seed, one file, byte for byte
// and dataset by dataset; another seed, other results. Also the successful paths of
// `validate`, `--version` and `--help`.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "gpumarket/io/hdf5_reader.hpp"
#include "run_binary.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::mmc_path;
using gpumarket::testing::ProcessResult;
using gpumarket::testing::read_text;
using gpumarket::testing::run_gpumarket;
using gpumarket::testing::TempDir;
namespace fs = std::filesystem;

// Runs the shortened M/M/c scenario with `seed` and returns the written file's path.
fs::path run_mmc(const TempDir& dir, const std::string& seed) {
  const ProcessResult result = run_gpumarket(
      {"run", mmc_path(), "-o", "out.h5", "--seed", seed, "--set", "horizon=2000h", "-q"},
      dir.path());
  EXPECT_TRUE(result.succeeded()) << result.err;
  EXPECT_EQ(result.err, "");
  return dir / "out.h5";
}

// Every dataset in the file, as "/group/name", in the library's name order.
bool is_dimension_scale(const fs::path& file, const std::string& path) {
  const hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t dataset = H5Dopen2(id, path.c_str(), H5P_DEFAULT);
  const bool scale = H5DSis_scale(dataset) > 0;
  H5Dclose(dataset);
  H5Fclose(id);
  return scale;
}

std::vector<std::string> dataset_paths(const fs::path& file) {
  std::vector<std::string> paths;
  const hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) {
    ADD_FAILURE() << "cannot open " << file;
    return paths;
  }
  // Links rather than objects, and H5Oopen + H5Iget_type rather than object info:
  // these calls have one signature in every HDF5 version the build may meet.
  const auto visit = [](hid_t root, const char* name, const H5L_info_t*, void* data) -> herr_t {
    const hid_t object = H5Oopen(root, name, H5P_DEFAULT);
    if (object < 0) return -1;
    if (H5Iget_type(object) == H5I_DATASET) {
      static_cast<std::vector<std::string>*>(data)->push_back(std::string("/") + name);
    }
    H5Oclose(object);
    return 0;
  };
  EXPECT_GE(H5Lvisit(id, H5_INDEX_NAME, H5_ITER_INC, visit, &paths), 0) << file;
  H5Fclose(id);
  return paths;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(CliDeterminism, OneSeedWritesIdenticalFilesAndDatasets) {
  const TempDir first_dir;
  const TempDir second_dir;
  const fs::path first = run_mmc(first_dir, "7");
  const fs::path second = run_mmc(second_dir, "7");
  ASSERT_TRUE(fs::exists(first));
  ASSERT_TRUE(fs::exists(second));
  EXPECT_TRUE(read_text(first) == read_text(second)) << "the two files differ in their bytes";

  // Dataset by dataset, through the reader the tools use.
  const std::vector<std::string> paths = dataset_paths(first);
  EXPECT_EQ(paths, dataset_paths(second));
  const Hdf5Reader a(first);
  const Hdf5Reader b(second);
  const RunInfo info_a = a.run_info();
  const RunInfo info_b = b.run_info();
  EXPECT_EQ(info_a.scenario_text, info_b.scenario_text);
  EXPECT_EQ(info_a.resolved_scenario, info_b.resolved_scenario);
  EXPECT_EQ(info_a.seed, 7u);
  EXPECT_EQ(info_b.seed, 7u);
  EXPECT_EQ(info_a.program_version, info_b.program_version);

  const std::vector<SummaryValue> summary_a = a.summary();
  const std::vector<SummaryValue> summary_b = b.summary();
  ASSERT_FALSE(summary_a.empty());
  ASSERT_EQ(summary_a.size(), summary_b.size());
  for (size_t i = 0; i < summary_a.size(); ++i) {
    EXPECT_EQ(summary_a[i].name, summary_b[i].name);
    EXPECT_TRUE(same_bits({summary_a[i].value}, {summary_b[i].value})) << summary_a[i].name;
    EXPECT_EQ(summary_a[i].unit, summary_b[i].unit);
  }

  size_t series_compared = 0;
  for (const std::string& path : paths) {
    // Provenance and summary datasets are compared above, and the file comparison covers
    // the coordinates (column labels, time bounds); every other dataset is a series.
    if (path.starts_with("/provenance/") || path.starts_with("/summary/")) continue;
    const size_t slash = path.rfind('/');
    const std::string group = path.substr(1, slash == 0 ? 0 : slash - 1);
    const std::string name = path.substr(slash + 1);
    if (name == "time_bnds" || (name != "time" && is_dimension_scale(first, path))) continue;
    const Hdf5Reader::Series series_a = a.series(group, name);
    const Hdf5Reader::Series series_b = b.series(group, name);
    EXPECT_EQ(series_a.spec.unit, series_b.spec.unit) << path;
    EXPECT_EQ(series_a.spec.columns, series_b.spec.columns) << path;
    EXPECT_EQ(series_a.rows, series_b.rows) << path;
    EXPECT_GT(series_a.rows, 0u) << path;
    EXPECT_TRUE(same_bits(series_a.values, series_b.values)) << path;
    ++series_compared;
  }
  EXPECT_GT(series_compared, 0u);
}

TEST(CliDeterminism, AnotherSeedGivesAnotherSummary) {
  const TempDir first_dir;
  const TempDir second_dir;
  const std::vector<SummaryValue> first = Hdf5Reader(run_mmc(first_dir, "7")).summary();
  const std::vector<SummaryValue> second = Hdf5Reader(run_mmc(second_dir, "8")).summary();
  ASSERT_EQ(first.size(), second.size());
  size_t differing = 0;
  for (size_t i = 0; i < first.size(); ++i) {
    if (first[i].value != second[i].value) ++differing;
  }
  EXPECT_GT(differing, 0u);
}

TEST(CliSuccess, ValidateDescribesAValidScenarioAndWritesNothing) {
  const TempDir dir;
  const ProcessResult result = run_gpumarket({"validate", mmc_path()}, dir.path());
  EXPECT_TRUE(result.succeeded()) << result.err;
  EXPECT_NE(result.out.find("mmc.yaml: valid:"), std::string::npos) << result.out;
  EXPECT_EQ(result.err, "");
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(CliSuccess, VersionAndHelpExitZero) {
  const TempDir dir;
  const ProcessResult version = run_gpumarket({"--version"}, dir.path());
  EXPECT_TRUE(version.succeeded()) << version.err;
  EXPECT_EQ(version.out.rfind("gpumarket ", 0), 0u) << version.out;
  const ProcessResult help = run_gpumarket({"--help"}, dir.path());
  EXPECT_TRUE(help.succeeded()) << help.err;
  EXPECT_NE(help.out.find("run"), std::string::npos);
  EXPECT_NE(help.out.find("validate"), std::string::npos);
  const ProcessResult run_help = run_gpumarket({"run", "--help"}, dir.path());
  EXPECT_TRUE(run_help.succeeded()) << run_help.err;
  EXPECT_NE(run_help.out.find("--seed"), std::string::npos);
}

}  // namespace
}  // namespace gpumarket
