// Results fingerprints: every shipped scenario, shortened, compared with the fingerprint
// stored in tests/fingerprints/<scenario>.txt: each summary indicator's exact value and
// a digest of every series' bits, labels and units. Any change of output fails here and
// the failure lists the lines that moved. When a change of results is intended, regenerate
// with scripts/update_fingerprints.sh and say in the commit why the results changed.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gpumarket/core/hash.hpp"
#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/market/market_model.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;

/// A shipped scenario and how it is shortened to keep the suite fast.
struct FingerprintRun {
  std::string file;  // under scenarios/
  std::vector<std::string> overrides;
};

// The articles' dated indicators (DAA in June and September 2026, the bridge split on
// 2026-09-01) and every timeline step of the market scenarios fall before 2026-11-01.
const std::vector<FingerprintRun> kRuns = {
    {"baseline.yaml", {"end=2026-11-01"}},
    {"bull.yaml", {"end=2026-11-01"}},
    {"bear.yaml", {"end=2026-11-01"}},
    {"mmc.yaml", {"horizon=3000h"}},
};

fs::path source_dir() { return fs::path(GPUMARKET_SOURCE_DIR); }

fs::path fingerprint_path(const FingerprintRun& run) {
  return source_dir() / "tests" / "fingerprints" / fs::path(run.file).replace_extension(".txt");
}

// The digest of a series: FNV-1a over its values' bits, every NaN as one value (its payload
// and sign are not results).
uint64_t digest(const std::vector<double>& values) {
  uint64_t hash = kFnv1aOffsetBasis;
  for (double value : values) {
    const uint64_t bits =
        std::isnan(value) ? 0x7ff8000000000000ULL : std::bit_cast<uint64_t>(value);
    const auto bytes = std::bit_cast<std::array<char, sizeof bits>>(bits);
    hash = fnv1a(std::string_view(bytes.data(), bytes.size()), hash);
  }
  return hash;
}

std::string exact(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  if (std::isnan(value)) return "nan";
  const uint64_t bits = std::bit_cast<uint64_t>(value);
  char hex[24];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(bits));
  return out.str() + " (0x" + hex + ")";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

/// The fingerprint of one run, a line per summary value and per series.
std::vector<std::string> fingerprint(const FingerprintRun& run) {
  const LoadedScenario loaded =
      load_scenario((source_dir() / "scenarios" / run.file).string(), run.overrides);
  MemoryRecorder recorder;
  RunInfo info;
  info.scenario_file = loaded.path;
  info.seed = loaded.scenario.seed;
  recorder.begin(info);
  MarketModel model(loaded.scenario);
  model.run(recorder);
  recorder.finish();

  std::vector<std::string> lines;
  for (const SummaryValue& s : recorder.summary()) {
    lines.push_back("summary " + s.name + " [" + s.unit + "] = " + exact(s.value));
  }
  for (const MemoryRecorder::Series& s : recorder.series()) {
    char hex[24];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest(s.values)));
    lines.push_back("series " + s.spec.group + "/" + s.spec.name + " [" + s.spec.unit +
                    "] columns=" + join(s.spec.columns) + " rows=" + std::to_string(s.rows()) +
                    " fnv1a64=" + hex);
  }
  return lines;
}

std::string header(const FingerprintRun& run) {
  return "# scenarios/" + run.file + " with " + join(run.overrides) +
         "; regenerate with scripts/update_fingerprints.sh";
}

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

bool updating() {
  const char* flag = std::getenv("GPUMARKET_UPDATE_FINGERPRINTS");
  return flag != nullptr && std::string(flag) == "1";
}

class FingerprintTest : public ::testing::TestWithParam<FingerprintRun> {};

TEST_P(FingerprintTest, OutputMatchesStoredFingerprint) {
  const FingerprintRun& run = GetParam();
  const std::vector<std::string> actual = fingerprint(run);
  const fs::path path = fingerprint_path(run);
  if (updating()) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path);
    out << header(run) << "\n";
    for (const std::string& line : actual) out << line << "\n";
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    return;
  }
  ASSERT_TRUE(fs::exists(path)) << path << " is missing: run scripts/update_fingerprints.sh";
  const std::vector<std::string> stored = read_lines(path);
  const std::set<std::string> stored_set(stored.begin(), stored.end());
  const std::set<std::string> actual_set(actual.begin(), actual.end());
  std::string changes;
  for (const std::string& line : stored) {
    if (!actual_set.contains(line)) changes += "  - " + line + "\n";
  }
  for (const std::string& line : actual) {
    if (!stored_set.contains(line)) changes += "  + " + line + "\n";
  }
  EXPECT_TRUE(changes.empty()) << "scenarios/" << run.file << " gives other results than " << path
                               << " (- stored, + now):\n"
                               << changes;
  EXPECT_EQ(actual, stored) << "same lines, other order";
}

INSTANTIATE_TEST_SUITE_P(ShippedScenarios, FingerprintTest, ::testing::ValuesIn(kRuns),
                         [](const ::testing::TestParamInfo<FingerprintRun>& param) {
                           return fs::path(param.param.file).stem().string();
                         });

// A scenario added to scenarios/ without a fingerprint run would escape the check.
TEST(FingerprintCoverage, EveryShippedScenarioHasARun) {
  std::set<std::string> listed;
  for (const FingerprintRun& run : kRuns) listed.insert(run.file);
  for (const fs::directory_entry& entry : fs::directory_iterator(source_dir() / "scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    EXPECT_TRUE(listed.contains(entry.path().filename().string()))
        << entry.path() << " has no entry in kRuns of tests/market/fingerprint_test.cpp";
  }
}

}  // namespace
}  // namespace gpumarket
