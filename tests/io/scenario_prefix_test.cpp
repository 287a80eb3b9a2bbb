#include "gpumarket/io/scenario_prefix.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gpumarket {
namespace {

const std::string kBase = R"(name: s
start: 2026-01-01
horizon: 60d
venues:
  - {name: farm, kind: fixed, servers: 3, price_usd_per_pf_hour: 2.0}
)";

uint64_t digest(const std::string& text, uint64_t seed = 1, const char* at = "2026-02-01") {
  const Date start = *parse_date("2026-01-01");
  return scenario_prefix_hash(parse_config_text(text, "s.yaml"), seed, start,
                              midnight_of(*parse_date(at), start));
}

std::string with_step(const std::string& date, int servers) {
  return kBase + "timeline:\n  - {date: " + date +
         ", set: {venues.farm.servers: " + std::to_string(servers) + "}}\n";
}

TEST(ScenarioPrefix, StepsFromTheDateOnDoNotCount) {
  const uint64_t base = digest(kBase);
  EXPECT_EQ(digest(with_step("2026-02-01", 4)), base);  // at the date: after the checkpoint
  EXPECT_EQ(digest(with_step("2026-02-20", 5)), base);
  EXPECT_NE(digest(with_step("2026-01-31", 4)), base);  // the day before: part of the history
  EXPECT_NE(digest(with_step("2026-01-31", 4)), digest(with_step("2026-01-31", 5)));
}

TEST(ScenarioPrefix, TheSeedAndEveryBaseValueCount) {
  const uint64_t base = digest(kBase);
  EXPECT_NE(digest(kBase, 2), base);
  std::string other = kBase;
  other.replace(other.find("servers: 3"), 10, "servers: 4");
  EXPECT_NE(digest(other), base);
  EXPECT_NE(digest(kBase + "tick: 2h\n"), base);
  // The same text with other locations (comments, spacing) is the same scenario.
  EXPECT_EQ(digest("# a comment\n\n" + kBase), base);
}

}  // namespace
}  // namespace gpumarket
