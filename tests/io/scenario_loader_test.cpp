#include "gpumarket/io/scenario_loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace gpumarket {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            ("gpumarket_scenario_loader_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~ScratchDir() { fs::remove_all(root_); }

  std::string write(const std::string& name, const std::string& text) const {
    const fs::path file = root_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
  std::string path(const std::string& name) const { return (root_ / name).string(); }

 private:
  fs::path root_;
};

// A valid scenario; the bad-input cases below edit it and refer to its line numbers.
const std::string kValid =
    "name: test\n"                                            // 1
    "start: 2026-01-01\n"                                     // 2
    "horizon: 2000h\n"                                        // 3
    "tick: 1h\n"                                              // 4
    "warmup: 100h\n"                                          // 5
    "venues:\n"                                               // 6
    "  - name: farm\n"                                        // 7
    "    kind: fixed\n"                                       // 8
    "    servers: 3\n"                                        // 9
    "    price_usd_per_pf_hour: 2.0\n"                        // 10
    "segments:\n"                                             // 11
    "  - name: jobs\n"                                        // 12
    "    arrival_rate_per_hour: 2.7\n"                        // 13
    "    duration: {distribution: exponential, mean: 1h}\n";  // 14

// kValid with the first occurrence of `from` replaced by `to`.
std::string edited(const std::string& from, const std::string& to) {
  std::string text = kValid;
  const size_t at = text.find(from);
  if (at == std::string::npos)
    ADD_FAILURE() << "'" << from << "' is not in the scenario";
  else
    text.replace(at, from.size(), to);
  return text;
}

std::string load_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    load_scenario(path, overrides);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ScenarioLoader, DecodesAValidScenarioAndAppliesDefaults) {
  ScratchDir dir;
  const std::string path = dir.write("main.yaml", kValid);
  const LoadedScenario loaded = load_scenario(path);
  const Scenario& s = loaded.scenario;
  EXPECT_EQ(loaded.path, path);
  EXPECT_EQ(loaded.text, kValid);
  EXPECT_EQ(s.name, "test");
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.start.to_string(), "2026-01-01");
  EXPECT_EQ(s.horizon, Duration::hours(2000));
  EXPECT_EQ(s.tick, Duration::hours(1));
  EXPECT_EQ(s.warmup, Duration::hours(100));
  ASSERT_EQ(s.fixed_venues.size(), 1u);
  EXPECT_EQ(s.fixed_venues[0].name, "farm");
  EXPECT_EQ(s.fixed_venues[0].servers, 3);
  EXPECT_DOUBLE_EQ(s.fixed_venues[0].pf_per_server, 1.0);
  EXPECT_DOUBLE_EQ(s.fixed_venues[0].price_usd_per_pf_hour, 2.0);
  ASSERT_EQ(s.segments.size(), 1u);
  const Segment& g = s.segments[0];
  EXPECT_EQ(g.name, "jobs");
  EXPECT_DOUBLE_EQ(g.arrival_rate_per_hour, 2.7);
  EXPECT_DOUBLE_EQ(g.width_pf, 1.0);
  EXPECT_EQ(g.duration.shape, DurationDistribution::Shape::Exponential);
  EXPECT_DOUBLE_EQ(g.duration.mean_h, 1.0);
  EXPECT_TRUE(g.patience.is_infinite());
}

TEST(ScenarioLoader, DefaultsTickAndWarmupAndReadsEndLognormalAndPatience) {
  ScratchDir dir;
  const std::string path = dir.write(
      "main.yaml",
      "name: other\n"
      "description: a longer run\n"
      "seed: 18446744073709551615\n"
      "start: 2026-01-01\n"
      "end: 2026-03-01\n"
      "venues:\n"
      "  - {name: farm, kind: fixed, servers: 2, pf_per_server: 2.5, price_usd_per_pf_hour: 0}\n"
      "segments:\n"
      "  - name: render\n"
      "    arrival_rate_per_hour: 1\n"
      "    width_pf: 5\n"
      "    duration: {distribution: lognormal, median: 20min, sigma: 2.18}\n"
      "    patience: 6h\n");
  const Scenario s = load_scenario(path).scenario;
  EXPECT_EQ(s.description, "a longer run");
  EXPECT_EQ(s.seed, 18446744073709551615ULL);
  EXPECT_EQ(s.horizon, Duration::days(59));
  EXPECT_EQ(s.tick, Duration::hours(1));
  EXPECT_EQ(s.warmup, Duration());
  EXPECT_DOUBLE_EQ(s.fixed_venues[0].pf_per_server, 2.5);
  const Segment& g = s.segments[0];
  EXPECT_DOUBLE_EQ(g.width_pf, 5.0);
  EXPECT_EQ(g.duration.shape, DurationDistribution::Shape::Lognormal);
  EXPECT_DOUBLE_EQ(g.duration.median_h, 20.0 / 60.0);
  EXPECT_DOUBLE_EQ(g.duration.sigma, 2.18);
  EXPECT_EQ(g.patience, Duration::hours(6));
}

TEST(ScenarioLoader, ExtendsMergesVenuesAndSegmentsByName) {
  ScratchDir dir;
  dir.write("base.yaml", kValid);
  const std::string path = dir.write("child.yaml",
                                     "extends: base.yaml\n"
                                     "name: child\n"
                                     "venues:\n"
                                     "  - name: farm\n"
                                     "    servers: 5\n"
                                     "segments:\n"
                                     "  - name: batch\n"
                                     "    arrival_rate_per_hour: 0.5\n"
                                     "    duration: {distribution: exponential, mean: 4h}\n");
  const Scenario s = load_scenario(path).scenario;
  EXPECT_EQ(s.name, "child");
  ASSERT_EQ(s.fixed_venues.size(), 1u);
  EXPECT_EQ(s.fixed_venues[0].servers, 5);
  EXPECT_DOUBLE_EQ(s.fixed_venues[0].price_usd_per_pf_hour, 2.0);
  ASSERT_EQ(s.segments.size(), 2u);
  EXPECT_EQ(s.segments[0].name, "jobs");
  EXPECT_EQ(s.segments[1].name, "batch");
  EXPECT_DOUBLE_EQ(s.segments[1].duration.mean_h, 4.0);
}

TEST(ScenarioLoader, SetOverridesAValueAndTheResolvedYamlRecordsIt) {
  ScratchDir dir;
  const std::string path = dir.write("main.yaml", kValid);
  const LoadedScenario loaded =
      load_scenario(path, {"segments.jobs.arrival_rate_per_hour=3.5", "venues[0].servers=4"});
  EXPECT_DOUBLE_EQ(loaded.scenario.segments[0].arrival_rate_per_hour, 3.5);
  EXPECT_EQ(loaded.scenario.fixed_venues[0].servers, 4);
  EXPECT_EQ(loaded.text, kValid);
  EXPECT_NE(loaded.resolved_yaml.find("arrival_rate_per_hour: 3.5\n"), std::string::npos)
      << loaded.resolved_yaml;
  EXPECT_NE(loaded.resolved_yaml.find("servers: 4\n"), std::string::npos);

  // The resolved YAML is itself a scenario that loads to the same values.
  const std::string again_path = dir.write("resolved.yaml", loaded.resolved_yaml);
  const LoadedScenario again = load_scenario(again_path);
  EXPECT_DOUBLE_EQ(again.scenario.segments[0].arrival_rate_per_hour, 3.5);
  EXPECT_EQ(again.scenario.fixed_venues[0].servers, 4);
  EXPECT_EQ(again.resolved_yaml, loaded.resolved_yaml);
}

TEST(ScenarioLoader, LoadsTheShippedMmcScenario) {
  const LoadedScenario loaded = load_scenario(GPUMARKET_SOURCE_DIR "/scenarios/mmc.yaml");
  const Scenario& s = loaded.scenario;
  ASSERT_EQ(s.fixed_venues.size(), 1u);
  ASSERT_EQ(s.segments.size(), 1u);
  const FixedVenue& v = s.fixed_venues[0];
  const Segment& g = s.segments[0];
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.start.to_string(), "2026-01-01");
  EXPECT_EQ(s.horizon, Duration::hours(20000));
  EXPECT_EQ(s.warmup, Duration::hours(500));
  EXPECT_EQ(s.tick, Duration::hours(1));
  EXPECT_EQ(v.servers, 3);
  EXPECT_DOUBLE_EQ(v.pf_per_server, 1.0);
  EXPECT_DOUBLE_EQ(v.price_usd_per_pf_hour, 2.0);
  EXPECT_EQ(g.duration.shape, DurationDistribution::Shape::Exponential);
  // Offered load per server: rho = lambda * E[S] / c.
  const double rho = g.arrival_rate_per_hour * g.duration.mean_h / static_cast<double>(v.servers);
  EXPECT_NEAR(rho, 0.8, 1e-12);
  EXPECT_TRUE(g.patience.is_infinite());
  // The provenance YAML has the same content as the file.
  EXPECT_TRUE(same_content(parse_config_text(loaded.resolved_yaml, "resolved"),
                           load_config_file(loaded.path)))
      << loaded.resolved_yaml;
}

struct BadScenario {
  std::string what;
  std::string main;                                         // main.yaml's text
  std::vector<std::pair<std::string, std::string>> others;  // more files: name, text
  std::vector<std::string> overrides;
  std::string location;  // "file:line:col" with file relative to the scratch dir, or "--set ..."
  std::string phrase;    // the rest of the message must contain this
  std::string load = "main.yaml";
};

std::vector<BadScenario> bad_scenarios() {
  return {
      {"YAML syntax error",
       edited("  - name: farm\n", "  - name: [farm\n"),
       {},
       {},
       "main.yaml:8:9",
       "YAML syntax error: "},
      {"wrong type",
       edited("servers: 3", "servers: {n: 3}"),
       {},
       {},
       "main.yaml:9:14",
       "venues[0].servers: expected a positive integer, got a mapping"},
      {"unknown key with a suggestion",
       edited("servers: 3", "sever: 3"),
       {},
       {},
       "main.yaml:9:5",
       "venues[0]: unknown key 'sever'; did you mean 'servers'? (allowed: name, kind, servers, "
       "pf_per_server, price_usd_per_pf_hour)"},
      {"negative rate",
       edited("2.7", "-3"),
       {},
       {},
       "main.yaml:13:28",
       "segments[0].arrival_rate_per_hour: expected a positive number, got -3"},
      {"zero rate",
       edited("2.7", "0"),
       {},
       {},
       "main.yaml:13:28",
       "segments[0].arrival_rate_per_hour: expected a positive number, got 0"},
      {"non-integer servers",
       edited("servers: 3", "servers: 2.5"),
       {},
       {},
       "main.yaml:9:14",
       "venues[0].servers: expected a positive integer, got 2.5"},
      {"unparsable duration",
       edited("mean: 1h", "mean: 3 hours"),
       {},
       {},
       "main.yaml:14:49",
       "segments[0].duration.mean: expected a duration such as 15min, 6h or 30d, got '3 hours'"},
      {"bad date",
       edited("2026-01-01", "2026-13-01"),
       {},
       {},
       "main.yaml:2:8",
       "start: expected a date YYYY-MM-DD, got '2026-13-01'"},
      {"missing file",
       kValid,
       {},
       {},
       "nosuch.yaml",
       "cannot read the scenario file: No such file or directory",
       "nosuch.yaml"},
      {"empty file",
       "# only a comment\n",
       {},
       {},
       "main.yaml",
       "the file is empty; expected a mapping of scenario keys"},
      {"duplicate venue name",
       edited("segments:\n",
              "  - {name: farm, kind: fixed, servers: 1, price_usd_per_pf_hour: 1}\nsegments:\n"),
       {},
       {},
       "main.yaml:11:12",
       "venues[1].name: duplicate venue name 'farm' (also venues[0].name)"},
      {"duplicate key",
       edited("    servers: 3\n", "    servers: 3\n    servers: 4\n"),
       {},
       {},
       "main.yaml:10:5",
       "duplicate key 'servers' in 'venues[0]' (first given at line 9)"},
      {"both horizon and end",
       edited("horizon: 2000h\n", "horizon: 2000h\nend: 2026-03-01\n"),
       {},
       {},
       "main.yaml:4:6",
       "end: give either 'horizon' (a duration) or 'end' (a date)"},
      {"warmup not below horizon",
       edited("warmup: 100h", "warmup: 2000h"),
       {},
       {},
       "main.yaml:5:9",
       "warmup: expected a duration shorter than the horizon (2000h), got 2000h"},
      {"width that fits no venue",
       edited("    arrival_rate", "    width_pf: 4\n    arrival_rate"),
       {},
       {},
       "main.yaml:13:15",
       "segments[0].width_pf: segment 'jobs' has jobs of 4 PF, which fit no venue (the largest "
       "is 'farm' with 3 servers of 1 PF = 3 PF)"},
      {"extends cycle",
       "extends: parent.yaml\n" + kValid,
       {{"parent.yaml", "extends: main.yaml\nname: parent\n"}},
       {},
       "parent.yaml:1:10",
       "extends: 'main.yaml' makes a cycle: "},
      {"error in the parent file",
       "extends: parent.yaml\nname: child\n",
       {{"parent.yaml", edited("2.7", "-1")}},
       {},
       "parent.yaml:13:28",
       "segments[0].arrival_rate_per_hour: expected a positive number, got -1"},
      {"bad --set path",
       kValid,
       {},
       {"segments.nosuch.arrival_rate_per_hour=1"},
       "--set segments.nosuch.arrival_rate_per_hour=1",
       "no item named 'nosuch' in 'segments' (items: jobs)"},
      {"bad --set value",
       kValid,
       {},
       {"venues.farm.servers=0"},
       "--set venues.farm.servers=0",
       "venues[0].servers: expected a positive integer, got 0"},
      {"missing required key",
       edited("    price_usd_per_pf_hour: 2.0\n", ""),
       {},
       {},
       "main.yaml:7:5",
       "venues[0]: missing required key 'price_usd_per_pf_hour'"},
      {"misspelt top-level sequence",
       edited("venues:", "venus:"),
       {},
       {},
       "main.yaml:6:1",
       "unknown key 'venus'; did you mean 'venues'?"},
      {"no horizon",
       edited("horizon: 2000h\n", ""),
       {},
       {},
       "main.yaml:1:1",
       "missing required key 'horizon' (a duration such as 2000h), or 'end'"},
      {"end before start",
       edited("horizon: 2000h", "end: 2025-12-31"),
       {},
       {},
       "main.yaml:3:6",
       "end: expected a date after start (2026-01-01), got 2025-12-31"},
      {"tick longer than horizon",
       edited("tick: 1h", "tick: 3000h"),
       {},
       {},
       "main.yaml:4:7",
       "tick: expected a duration no longer than the horizon (2000h), got 3000h"},
      {"unknown venue kind",
       edited("kind: fixed", "kind: fixd"),
       {},
       {},
       "main.yaml:8:11",
       "venues[0].kind: expected one of fixed, got 'fixd'; did you mean 'fixed'?"},
      {"lognormal without sigma",
       edited("{distribution: exponential, mean: 1h}", "{distribution: lognormal, median: 1h}"),
       {},
       {},
       "main.yaml:14:15",
       "segments[0].duration: missing required key 'sigma'"},
      {"duplicate segment name",
       kValid + "  - {name: jobs, arrival_rate_per_hour: 1, duration: {distribution: "
                "exponential, mean: 1h}}\n",
       {},
       {},
       "main.yaml:15:12",
       "segments[1].name: duplicate segment name 'jobs' (also segments[0].name)"},
      {"empty venues",
       edited("venues:\n  - name: farm\n    kind: fixed\n    servers: 3\n"
              "    price_usd_per_pf_hour: 2.0\n",
              "venues: []\n"),
       {},
       {},
       "main.yaml:6:9",
       "venues: expected a non-empty sequence, got an empty one"},
      {"infinite number",
       edited("2.7", ".inf"),
       {},
       {},
       "main.yaml:13:28",
       "segments[0].arrival_rate_per_hour: expected a finite number, got .inf"},
  };
}

TEST(ScenarioLoader, ReportsEachMalformedScenarioWithItsLocationAndCause) {
  const std::vector<BadScenario> cases = bad_scenarios();
  ASSERT_GE(cases.size(), 14u);
  for (const BadScenario& c : cases) {
    SCOPED_TRACE(c.what);
    ScratchDir dir;
    dir.write("main.yaml", c.main);
    for (const auto& [name, text] : c.others) dir.write(name, text);
    const std::string message = load_error(dir.path(c.load), c.overrides);
    const std::string location =
        c.location.rfind("--set", 0) == 0 ? c.location : dir.path(c.location);
    EXPECT_EQ(message.rfind(location + ": ", 0), 0u)
        << "expected location " << location << "\n  message: " << message;
    EXPECT_NE(message.find(c.phrase), std::string::npos)
        << "expected phrase " << c.phrase << "\n  message: " << message;
  }
}

}  // namespace
}  // namespace gpumarket
