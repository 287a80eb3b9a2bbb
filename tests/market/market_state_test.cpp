// A run cut at a date, its state saved and loaded by a new model, and continued, writes
// the same bits as the run in one piece: every summary value and every series, for every
// shipped scenario (shortened like the fingerprints), at dates on and between ticks, before
// and after timeline steps. A continued run with other timeline steps after the date writes
// what that scenario writes in one piece: the fork of a sweep.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/market/market_model.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;

fs::path scenarios_dir() { return fs::path(GPUMARKET_SOURCE_DIR) / "scenarios"; }

Scenario load(const std::string& file, const std::vector<std::string>& overrides) {
  return load_scenario((scenarios_dir() / file).string(), overrides).scenario;
}

MemoryRecorder begun() {
  MemoryRecorder recorder;
  recorder.begin(RunInfo{});
  return recorder;
}

MemoryRecorder in_one_piece(const Scenario& scenario) {
  MemoryRecorder recorder = begun();
  MarketModel(scenario).run(recorder);
  recorder.finish();
  return recorder;
}

// The state of `saved` at `at`, continued by a model of `continued`.
MemoryRecorder cut_and_continued(const Scenario& saved, const Scenario& continued, SimTime at) {
  MemoryRecorder discarded = begun();
  MarketModel first(saved);
  first.begin(discarded, {}, true);
  first.advance_to(at);
  const std::string state = first.save_state();
  MemoryRecorder recorder = begun();
  MarketModel second(continued);
  second.resume(recorder, state);
  second.end();
  recorder.finish();
  return recorder;
}

uint64_t bits(double value) { return std::bit_cast<uint64_t>(value); }

void expect_same_bits(const MemoryRecorder& expected, const MemoryRecorder& actual) {
  ASSERT_EQ(expected.summary().size(), actual.summary().size());
  for (size_t i = 0; i < expected.summary().size(); ++i) {
    EXPECT_EQ(expected.summary()[i].name, actual.summary()[i].name);
    EXPECT_EQ(bits(expected.summary()[i].value), bits(actual.summary()[i].value))
        << expected.summary()[i].name << ": " << expected.summary()[i].value << " vs "
        << actual.summary()[i].value;
  }
  ASSERT_EQ(expected.series().size(), actual.series().size());
  for (size_t s = 0; s < expected.series().size(); ++s) {
    const MemoryRecorder::Series& a = expected.series()[s];
    const MemoryRecorder::Series& b = actual.series()[s];
    const std::string name = a.spec.group + "/" + a.spec.name;
    ASSERT_EQ(a.values.size(), b.values.size()) << name;
    size_t differing = 0;
    for (size_t i = 0; i < a.values.size(); ++i) {
      if (bits(a.values[i]) != bits(b.values[i])) ++differing;
    }
    EXPECT_EQ(differing, 0u) << name << ": values differ";
  }
}

struct Cut {
  std::string file;
  std::vector<std::string> overrides;
  Duration at;  // since the start
};

void PrintTo(const Cut& cut, std::ostream* out) {
  *out << cut.file << " cut at " << cut.at.in_hours() << " h";
}

std::string cut_name(const ::testing::TestParamInfo<Cut>& cut) {
  return fs::path(cut.param.file).stem().string() + "_at_" +
         std::to_string(static_cast<int64_t>(cut.param.at.in_hours() * 100)) + "_centihours";
}

class CutRun : public ::testing::TestWithParam<Cut> {};

TEST_P(CutRun, ContinuesBitForBitAsTheRunInOnePiece) {
  const Scenario scenario = load(GetParam().file, GetParam().overrides);
  expect_same_bits(in_one_piece(scenario),
                   cut_and_continued(scenario, scenario, SimTime::start() + GetParam().at));
}

// The market scenarios start on 2026-05-07 and the funding step is on 2026-06-15 (day 39):
// cut before it (on a tick and between ticks), and after it; mmc at its midpoint.
INSTANTIATE_TEST_SUITE_P(
    ShippedScenarios, CutRun,
    ::testing::Values(Cut{"baseline.yaml", {"end=2026-11-01"}, Duration::days(30)},
                      Cut{"baseline.yaml", {"end=2026-11-01"}, Duration::hours(24.0 * 30 + 1.5)},
                      Cut{"baseline.yaml", {"end=2026-11-01"}, Duration::days(100)},
                      Cut{"bull.yaml", {"end=2026-11-01"}, Duration::days(88)},
                      Cut{"bear.yaml", {"end=2026-11-01"}, Duration::days(88)},
                      Cut{"bear.yaml", {"end=2026-11-01"}, Duration::days(39)},
                      Cut{"mmc.yaml", {"horizon=3000h"}, Duration::hours(1500)},
                      Cut{"mmc.yaml", {"horizon=3000h"}, Duration::hours(0.25)}),
    cut_name);

TEST(CutRun, CutTwiceContinuesAsTheRunInOnePiece) {
  const Scenario scenario = load("bear.yaml", {"end=2026-11-01"});
  MemoryRecorder discarded = begun();
  MarketModel first(scenario);
  first.begin(discarded, {}, true);
  first.advance_to(SimTime::start() + Duration::days(20));
  MemoryRecorder discarded_too = begun();
  MarketModel second(scenario);
  second.resume(discarded_too, first.save_state(), {}, true);  // to save again
  second.advance_to(SimTime::start() + Duration::days(120));
  MemoryRecorder recorder = begun();
  MarketModel third(scenario);
  third.resume(recorder, second.save_state());
  third.end();
  recorder.finish();
  expect_same_bits(in_one_piece(scenario), recorder);
}

TEST(CutRun, SavingTheStateDoesNotChangeTheRun) {
  const Scenario scenario = load("bull.yaml", {"end=2026-11-01"});
  MemoryRecorder recorder = begun();
  MarketModel model(scenario);
  model.begin(recorder, {}, true);
  model.advance_to(SimTime::start() + Duration::days(60));
  static_cast<void>(model.save_state());
  model.end();
  recorder.finish();
  expect_same_bits(in_one_piece(scenario), recorder);
}

// A branch: the history up to the cut is bull's, the step after it is the branch's own.
TEST(CutRun, ABranchWithItsOwnLaterStepWritesWhatItWritesInOnePiece) {
  const fs::path branch = fs::path(testing::TempDir()) / "bull_with_a_late_cut.yaml";
  std::ofstream(branch) << "extends: " << (scenarios_dir() / "bull.yaml").string() << "\n"
                        << "end: 2026-11-01\n"
                        << "timeline:\n"
                        << "  - {name: late_cut, date: 2026-08-01,"
                        << " set: {venues.alliance.subsidy_rate: 0.1}}\n";
  const Scenario trunk = load("bull.yaml", {"end=2026-11-01"});
  const Scenario forked = load_scenario(branch.string()).scenario;
  const MemoryRecorder expected = in_one_piece(forked);
  expect_same_bits(expected,
                   cut_and_continued(trunk, forked, SimTime::start() + Duration::days(60)));
  // The later step matters: the branch is not the trunk.
  const MemoryRecorder trunk_run = in_one_piece(trunk);
  bool differs = false;
  for (size_t i = 0; i < trunk_run.summary().size(); ++i) {
    differs = differs || bits(trunk_run.summary()[i].value) != bits(expected.summary()[i].value);
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace gpumarket
