// Bad input through the real executable: every malformed scenario or invocation
// gives a non-zero exit, one located and specific message on stderr, and no output
// file, neither under its final name nor as the temporary `.partial`.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "run_binary.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::ProcessResult;
using gpumarket::testing::read_text;
using gpumarket::testing::run_gpumarket;
using gpumarket::testing::TempDir;
namespace fs = std::filesystem;

constexpr const char* kScenario = "scenario.yaml";  // written into each case's directory
constexpr const char* kOutput = "out.h5";

// One case. The scenario is scenarios/mmc.yaml with `edits` applied (each `from`
// must occur), or an empty file when `empty_file` is set.
// The expected location is either literal (`location`) or found in the edited
// text: the line and column where `anchor` starts, so the case does not depend on
// line numbers in mmc.yaml.
struct BadInput {
  std::string name{};
  std::vector<std::pair<std::string, std::string>> edits{};
  std::vector<std::string> args{};  // "{scenario}" and "{out}" are substituted
  std::string anchor{};             // in the edited scenario text
  bool any_column = false;          // only the anchor's line is checked
  std::string location{};           // used when there is no anchor
  std::string phrase{};             // specific words the message must contain
  bool empty_file = false;
  std::vector<std::string> outputs = {kOutput};  // paths that must not exist afterwards
};

std::string mmc_text() {
  return read_text(fs::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "mmc.yaml");
}

std::string apply_edits(std::string text, const BadInput& c) {
  for (const auto& [from, to] : c.edits) {
    const size_t at = text.find(from);
    if (at == std::string::npos) {
      ADD_FAILURE() << c.name << ": scenarios/mmc.yaml no longer contains '" << from << "'";
      continue;
    }
    text.replace(at, from.size(), to);
  }
  return text;
}

// "file:line:col" (1-based) of the first occurrence of `anchor` in `text`.
std::string location_of(const std::string& file, const std::string& text, const std::string& anchor,
                        bool any_column) {
  const size_t at = text.find(anchor);
  if (at == std::string::npos) return file + ":<anchor '" + anchor + "' not found>";
  const auto anchor_at = text.begin() + static_cast<std::ptrdiff_t>(at);
  const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), anchor_at, '\n'));
  const size_t line_start =
      text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  const std::string prefix = file + ":" + std::to_string(line) + ":";
  return any_column ? prefix : prefix + std::to_string(at - line_start + 1) + ":";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  for (const char ch : text) {
    if (ch == '\n') {
      if (!line.empty()) lines.push_back(line);
      line.clear();
    } else {
      line += ch;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::vector<BadInput> bad_inputs() {
  const std::vector<std::string> run = {"run", "{scenario}", "-o", "{out}", "-q"};
  // Runs that fail on output must get past validation: a horizon longer than the warmup.
  const std::vector<std::string> short_run = {"--set", "horizon=600h", "-q"};
  auto with = [](std::vector<std::string> base, const std::vector<std::string>& more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
  };
  std::vector<BadInput> cases;
  cases.push_back({.name = "YamlSyntaxError",
                   .edits = {{"\nwarmup:", "\n  oops: [\nwarmup:"}},
                   .args = run,
                   .anchor = "oops",
                   .any_column = true,
                   .phrase = "YAML syntax error"});
  cases.push_back({.name = "WrongType",
                   .edits = {{"servers: 3 ", "servers: three "}},
                   .args = run,
                   .anchor = "three",
                   .phrase = "venues[0].servers: expected a positive integer, got 'three'"});
  cases.push_back({.name = "UnknownKey",
                   .edits = {{"\ntick: ", "\ntikc: "}},
                   .args = run,
                   .anchor = "tikc",
                   .phrase = "unknown key 'tikc'; did you mean 'tick'?"});
  cases.push_back({.name = "NegativeRate",
                   .edits = {{"arrival_rate_per_hour: 2.4", "arrival_rate_per_hour: -2.4"}},
                   .args = run,
                   .anchor = "-2.4",
                   .phrase = "arrival_rate_per_hour: expected a non-negative number, got -2.4"});
  // A zero arrival rate is a valid (idle) segment; zero service time (an infinite
  // service rate) and zero capacity per server are not.
  cases.push_back({.name = "ZeroServiceTime",
                   .edits = {{"mean: 1h}", "mean: 0h}"}},
                   .args = run,
                   .anchor = "0h}",
                   .phrase = "duration.mean: expected a positive duration, got '0h'"});
  cases.push_back({.name = "ZeroCapacityPerServer",
                   .edits = {{"pf_per_server: 1.0", "pf_per_server: 0.0"}},
                   .args = run,
                   .anchor = "0.0",
                   .phrase = "pf_per_server: expected a positive number, got 0"});
  cases.push_back({.name = "NonIntegerCapacity",
                   .edits = {{"servers: 3 ", "servers: 2.5 "}},
                   .args = run,
                   .anchor = "2.5",
                   .phrase = "servers: expected a positive integer, got 2.5"});
  cases.push_back({.name = "UnparsableDuration",
                   .edits = {{"horizon: 20000h", "horizon: 20000 fortnights"}},
                   .args = run,
                   .anchor = "20000 fortnights",
                   .phrase = "horizon: expected a duration such as 15min"});
  cases.push_back({.name = "WarmupNotShorterThanHorizon",
                   .edits = {{"horizon: 20000h", "horizon: 400h"}},
                   .args = run,
                   .anchor = "500h",
                   .phrase = "warmup: expected a duration shorter than the horizon"});
  cases.push_back({.name = "EmptyFile",
                   .args = run,
                   .location = std::string(kScenario) + ":",
                   .phrase = "empty",
                   .empty_file = true});
  cases.push_back({.name = "MissingScenarioFile",
                   .args = {"run", "no-such-scenario.yaml", "-o", "{out}", "-q"},
                   .location = "no-such-scenario.yaml:",
                   .phrase = "cannot read the scenario file"});
  cases.push_back({.name = "OutputBelowARegularFile",
                   .args = with({"run", "{scenario}", "-o", "afile/out.h5"}, short_run),
                   .location = "afile/out.h5:",
                   .phrase = "'afile' is not a directory",
                   .outputs = {kOutput, "afile/out.h5", "afile/out.h5.partial"}});
  cases.push_back({.name = "OutputInAnUnwritableFilesystem",
                   .args = with({"run", "{scenario}", "-o", "/proc/out.h5"}, short_run),
                   .location = "/proc/out.h5:",
                   .phrase = "cannot create '/proc/out.h5.partial'",
                   .outputs = {kOutput, "/proc/out.h5", "/proc/out.h5.partial"}});
  cases.push_back(
      {.name = "UnknownSubcommand", .args = {"frobnicate", "{scenario}"}, .phrase = "subcommand"});
  cases.push_back({.name = "UnknownOption",
                   .args = with(run, {"--frobnicate"}),
                   .location = "--frobnicate",
                   .phrase = "not expected"});
  cases.push_back({.name = "SetPathNamesNoKey",
                   .args = with(run, {"--set", "segments.jobs.nonsense=3"}),
                   .location = "--set segments.jobs.nonsense=3:",
                   .phrase = "unknown key 'nonsense'"});
  cases.push_back({.name = "SetWithoutValue",
                   .args = with(run, {"--set", "horizon"}),
                   .location = "--set horizon:",
                   .phrase = "expected <path>=<value>"});
  cases.push_back({.name = "SetValueOutOfRange",
                   .args = with(run, {"--set", "segments.jobs.arrival_rate_per_hour=-1"}),
                   .location = "--set segments.jobs.arrival_rate_per_hour=-1:",
                   .phrase = "expected a non-negative number, got -1"});
  cases.push_back({.name = "SeedIsNotANumber",
                   .args = with(run, {"--seed", "abc"}),
                   .location = "--seed",
                   .phrase = "abc"});
  // Seeds and indices follow the scenario's rule for whole numbers: no sign, no exponent,
  // no hex, no space, nothing at or above 2^64 (which would wrap or saturate).
  const std::string whole = "expected a whole number from 0 to 18446744073709551615";
  for (const auto& [name, seed] :
       std::vector<std::pair<std::string, std::string>>{{"SeedIsNegative", "-1"},
                                                        {"SeedIsAnExponent", "1e26"},
                                                        {"SeedIsHex", "0x10"},
                                                        {"SeedHasASpace", " 5"}}) {
    cases.push_back({.name = name,
                     .args = with(run, {"--seed", seed}),
                     .location = "--seed: '" + seed + "'",
                     .phrase = whole + " (decimal digits only)"});
  }
  cases.push_back({.name = "SeedIs2To64",
                   .args = with(run, {"--seed", "18446744073709551616"}),
                   .location = "--seed: '18446744073709551616'",
                   .phrase = whole + ", and this is larger"});
  cases.push_back(
      {.name = "SetIndexIs2To64",
       .args = with(run, {"--set", "segments[18446744073709551616].servers=1"}),
       .location = "--set segments[18446744073709551616].servers=1:",
       .phrase = "expected an index in '[...]' (a whole number from 0 to 18446744073709551615), "
                 "got '18446744073709551616'"});
  cases.push_back({.name = "SetSeedIsNegative",
                   .args = with(run, {"--set", "seed=-1"}),
                   .location = "--set seed=-1:",
                   .phrase = "seed: expected a non-negative integer, got -1"});
  return cases;
}

// Names the case in failure output instead of dumping its bytes.
void PrintTo(const BadInput& c, std::ostream* os) { *os << c.name; }

class CliBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CliBadInput, FailsWithOneLocatedMessageAndNoOutputFile) {
  const BadInput& c = GetParam();
  const TempDir dir;
  const std::string text = c.empty_file ? std::string() : apply_edits(mmc_text(), c);
  std::ofstream(dir / kScenario, std::ios::binary) << text;
  std::ofstream(dir / "afile") << "a regular file, not a directory\n";

  std::vector<std::string> args;
  for (const std::string& arg : c.args) {
    args.push_back(arg == "{scenario}" ? kScenario : arg == "{out}" ? kOutput : arg);
  }
  const ProcessResult result = run_gpumarket(args, dir.path());

  EXPECT_EQ(result.term_signal, 0) << result.err;
  EXPECT_NE(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");
  // One message: a single line, or CLI11's line plus its pointer to --help.
  const std::vector<std::string> lines = lines_of(result.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(lines.size() == 1 ||
              (lines.size() == 2 && lines[1].find("--help") != std::string::npos))
      << result.err;
  const std::string& message = lines[0];
  const std::string location =
      c.anchor.empty() ? c.location : location_of(kScenario, text, c.anchor, c.any_column);
  EXPECT_NE(message.find(location), std::string::npos)
      << "expected '" << location << "' in: " << message;
  EXPECT_NE(message.find(c.phrase), std::string::npos)
      << "expected '" << c.phrase << "' in: " << message;
  for (const std::string& output : c.outputs) {
    const fs::path path = fs::path(output).is_absolute() ? fs::path(output) : dir / output;
    EXPECT_FALSE(fs::exists(path)) << path;
    EXPECT_FALSE(fs::exists(path.string() + ".partial")) << path;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, CliBadInput, ::testing::ValuesIn(bad_inputs()),
                         [](const ::testing::TestParamInfo<BadInput>& param_info) {
                           return param_info.param.name;
                         });

TEST(CliInterrupt, SigintStopsTheRunWithAMessageAndLeavesNoOutputFile) {
  const TempDir dir;
  const fs::path partial = dir / (std::string(kOutput) + ".partial");
  bool saw_partial = false;
  // A horizon far longer than the test: only the signal ends the run.
  const ProcessResult result = run_gpumarket(
      {"run", (fs::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "mmc.yaml").string(), "-o", kOutput,
       "--set", "horizon=5000000h", "-q"},
      dir.path(), [&](pid_t pid) {
        // The temporary file exists once the scenario is validated and the run has
        // begun, which is also after the signal handlers are installed.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!fs::exists(partial) && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        saw_partial = fs::exists(partial);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        kill(pid, saw_partial ? SIGINT : SIGKILL);
      });
  ASSERT_TRUE(saw_partial) << "the run never created " << partial << "; stderr: " << result.err;
  EXPECT_EQ(result.term_signal, 0) << "the run should catch SIGINT and exit";
  EXPECT_EQ(result.exit_code, 130);
  const std::vector<std::string> lines = lines_of(result.err);
  ASSERT_EQ(lines.size(), 1u) << result.err;
  EXPECT_NE(lines[0].find("mmc.yaml: run interrupted by signal 2"), std::string::npos) << lines[0];
  EXPECT_FALSE(fs::exists(dir / kOutput));
  EXPECT_FALSE(fs::exists(partial));
}

// A scenario with one warning: a timeline step that sets the value already in force.
constexpr const char* kWarnedScenario =
    "name: warned\n"
    "start: 2026-01-01\n"
    "horizon: 200h\n"
    "venues:\n"
    "  - {name: farm, kind: fixed, servers: 3, price_usd_per_pf_hour: 2.0}\n"
    "segments:\n"
    "  - {name: jobs, arrival_rate_per_hour: 2.4, duration: {distribution: exponential, mean: "
    "1h}}\n"
    "timeline:\n"
    "  - date: 2026-01-03\n"
    "    set: {venues.farm.servers: 3}\n";
constexpr const char* kWarning =
    "scenario.yaml:10:32: warning: timeline[0].set: 'venues.farm.servers' is already 3 before "
    "this step, which does not change it\n";

TEST(CliWarnings, ValidateAndRunPrintThemAndSucceed) {
  const TempDir dir;
  dir.write(kScenario, kWarnedScenario);
  const ProcessResult validated = run_gpumarket({"validate", kScenario}, dir.path());
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  EXPECT_EQ(validated.err, kWarning);
  EXPECT_NE(validated.out.find("scenario.yaml: valid"), std::string::npos) << validated.out;
  const ProcessResult ran = run_gpumarket({"run", kScenario, "-o", kOutput, "-q"}, dir.path());
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(ran.err, kWarning);
  EXPECT_TRUE(fs::exists(dir / kOutput));
}

TEST(CliWarnings, StrictMakesThemErrors) {
  const TempDir dir;
  dir.write(kScenario, kWarnedScenario);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"validate", kScenario, "--strict"}, {"run", kScenario, "--strict", "-o", kOutput}}) {
    const std::string& command = args.front();
    const ProcessResult result = run_gpumarket(args, dir.path());
    EXPECT_EQ(result.exit_code, 1) << command << ": " << result.err;
    EXPECT_EQ(result.err, std::string(kWarning) +
                              "gpumarket: error: scenario.yaml: 1 warning(s), which --strict "
                              "makes errors\n")
        << command;
    EXPECT_EQ(result.out, "") << command;
    EXPECT_FALSE(fs::exists(dir / kOutput)) << command;
  }
  // Without warnings --strict changes nothing.
  const ProcessResult clean = run_gpumarket(
      {"validate", (fs::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "mmc.yaml").string(),
       "--strict"},
      dir.path());
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(clean.err, "");
}

// --resolved prints the scenario after extends and --set, which loads as the same scenario.
TEST(CliErrors, ValidateResolvedPrintsTheComposedScenarioThatLoadsAsTheSame) {
  TempDir dir;
  const std::string bull = (fs::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "bull.yaml").string();
  const ProcessResult resolved = run_gpumarket(
      {"validate", bull, "--resolved", "--set", "venues.alliance.subsidy_rate=0.45"}, dir.path());
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_EQ(resolved.out.find("extends"), std::string::npos);
  EXPECT_NE(resolved.out.find("subsidy_rate: 0.45"), std::string::npos);
  EXPECT_NE(resolved.out.find("alliance_accepts: true"), std::string::npos);   // from the policy
  EXPECT_NE(resolved.out.find("capex_usd_per_pf: 50557"), std::string::npos);  // from the world
  dir.write("flat.yaml", resolved.out);
  const ProcessResult flat = run_gpumarket({"validate", "flat.yaml"}, dir.path());
  EXPECT_EQ(flat.exit_code, 0) << flat.err;
  EXPECT_NE(flat.out.find("valid: 'bull'"), std::string::npos) << flat.out;
  const ProcessResult sweep = run_gpumarket(
      {"validate",
       (fs::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "sweeps" / "mmc_grid.yaml").string(),
       "--resolved"},
      dir.path());
  EXPECT_EQ(sweep.exit_code, 1);
  EXPECT_NE(sweep.err.find("--resolved applies to scenarios"), std::string::npos) << sweep.err;
}

}  // namespace
}  // namespace gpumarket
