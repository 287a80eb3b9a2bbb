// The `chains` section and the keys that name a chain: decoding, defaults, and every bad
// input reported at its location with the key and what was expected.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpumarket/io/scenario_loader.hpp"
#include "support/scenario_text.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using testing::load_error;
using testing::TempDir;

// A valid scenario with a chain; the bad-input cases edit it and refer to its lines.
const std::string kChained =
    "name: chained\n"                                                           // 1
    "start: 2026-01-01\n"                                                       // 2
    "horizon: 100h\n"                                                           // 3
    "routing: {settlement_chain: l2}\n"                                         // 4
    "venues:\n"                                                                 // 5
    "  - name: farm\n"                                                          // 6
    "    kind: fixed\n"                                                         // 7
    "    servers: 3\n"                                                          // 8
    "    price_usd_per_pf_hour: 2.0\n"                                          // 9
    "segments:\n"                                                               // 10
    "  - name: jobs\n"                                                          // 11
    "    arrival_rate_per_hour: 2.7\n"                                          // 12
    "bridges:\n"                                                                // 13
    "  - name: relay\n"                                                         // 14
    "    connects: [farm]\n"                                                    // 15
    "    chain: l1\n"                                                           // 16
    "chains:\n"                                                                 // 17
    "  - name: l2\n"                                                            // 18
    "    gas_limit_per_block: 30000000\n"                                       // 19
    "    elasticity_multiplier: 6\n"                                            // 20
    "    max_change_denominator: 250\n"                                         // 21
    "    gas: {settlement_gas: 52000}\n"                                        // 22
    "    background: {level_gas_per_block: 4000000, congestion_per_year: 6}\n"  // 23
    "  - name: l1\n"                                                            // 24
    "    block_interval: 12s\n"                                                 // 25
    "    elasticity_multiplier: 2\n"                                            // 26
    "    max_change_denominator: 8\n"                                           // 27
    "    initial_base_fee_wei: 1000000000\n";                                   // 28

std::string edited(const std::string& from, const std::string& to) {
  return testing::edited_text(kChained, from, to);
}

TEST(ChainLoader, DecodesChainsAndTheKeysThatNameThemWithDefaults) {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("main.yaml", kChained).string()).scenario;
  EXPECT_EQ(s.routing.settlement_chain, "l2");
  ASSERT_EQ(s.bridges.size(), 1u);
  EXPECT_EQ(s.bridges[0].chain, "l1");
  ASSERT_EQ(s.chains.size(), 2u);
  const ChainParams& l2 = s.chains[0];
  EXPECT_EQ(l2.name, "l2");
  EXPECT_EQ(l2.elasticity_multiplier, 6);
  EXPECT_EQ(l2.max_change_denominator, 250);
  EXPECT_EQ(l2.gas.settlement_gas, 52000);
  EXPECT_EQ(l2.gas.proof_verification_gas, GasCosts{}.proof_verification_gas);
  EXPECT_DOUBLE_EQ(l2.background.level_gas_per_block, 4e6);
  EXPECT_DOUBLE_EQ(l2.background.congestion_per_year, 6.0);
  EXPECT_EQ(l2.block_interval, Duration::seconds(2));
  const ChainParams& l1 = s.chains[1];
  EXPECT_EQ(l1.block_interval, Duration::seconds(12));
  EXPECT_EQ(l1.initial_base_fee_wei, 1'000'000'000);
  EXPECT_DOUBLE_EQ(l1.gas_token.annual_volatility, 0.65);
}

// A bridge without `open` is open throughout (scenarios/README.md), also when the run starts
// before 1970, BridgeParams' default date. Found by fuzz/scenario_loader_fuzzer: the loader
// warned at the unwritten key `open` and aborted on its internal check.
TEST(ChainLoader, ABridgeWithoutAnOpenDateIsOpenThroughoutWhateverTheStart) {
  for (const std::string start : {"2026-01-01", "1013-05-07"}) {
    SCOPED_TRACE(start);
    TempDir dir;
    const LoadedScenario loaded = load_scenario(
        dir.write("main.yaml", edited("start: 2026-01-01", "start: " + start)).string());
    EXPECT_EQ(loaded.scenario.bridges.at(0).open, loaded.scenario.start);
    for (const Warning& warning : loaded.warnings) {
      EXPECT_EQ(warning.message.find("opens on"), std::string::npos) << warning.to_string();
    }
  }
}

TEST(ChainLoader, WithoutChainsSettlementKeepsItsFixedCost) {
  TempDir dir;
  const std::string text = kChained.substr(0, kChained.find("chains:\n"));
  const std::string plain =
      text.substr(0, text.find("routing:")) +
      text.substr(text.find("venues:"), text.find("bridges:") - text.find("venues:"));
  const Scenario s = load_scenario(dir.write("main.yaml", plain).string()).scenario;
  EXPECT_TRUE(s.chains.empty());
  EXPECT_TRUE(s.routing.settlement_chain.empty());
  EXPECT_DOUBLE_EQ(s.routing.settlement_tx_usd, RoutingParams{}.settlement_tx_usd);
}

TEST(ChainLoader, ATimelineStepChangesAChainsValues) {
  TempDir dir;
  const std::string text = kChained + std::string(
                                          "timeline:\n"
                                          "  - date: 2026-01-03\n"
                                          "    set: {chains.l2.background.congestion_per_year: "
                                          "12, routing.settlement_chain: l1}\n");
  const Scenario s = load_scenario(dir.write("main.yaml", text).string()).scenario;
  ASSERT_EQ(s.timeline.size(), 1u);
  EXPECT_DOUBLE_EQ(s.timeline[0].state->chains[0].background.congestion_per_year, 12.0);
  EXPECT_EQ(s.timeline[0].state->routing.settlement_chain, "l1");
  EXPECT_DOUBLE_EQ(s.chains[0].background.congestion_per_year, 6.0);
}

struct BadChain {
  std::string what;
  std::string main;
  std::string location;  // "main.yaml:line:col"
  std::string phrase;
};

TEST(ChainLoader, ReportsEachBadChainWithItsLocationAndCause) {
  const std::vector<BadChain> cases = {
      {"negative gas", edited("settlement_gas: 52000", "settlement_gas: -5"), "main.yaml:22:27",
       "chains[0].gas.settlement_gas: expected a non-negative integer, got -5"},
      {"negative background gas", edited("level_gas_per_block: 4000000", "level_gas_per_block: -1"),
       "main.yaml:23:39",
       "chains[0].background.level_gas_per_block: expected a non-negative number, got -1"},
      {"limit below the target's divisor",
       edited("gas_limit_per_block: 30000000", "gas_limit_per_block: 5"), "main.yaml:19:26",
       "chains[0].gas_limit_per_block: expected a limit no lower than its target's divisor "
       "elasticity_multiplier (6)"},
      {"denominator below 1", edited("max_change_denominator: 250", "max_change_denominator: 0"),
       "main.yaml:21:29", "chains[0].max_change_denominator: expected an integer ≥ 1, got 0"},
      {"elasticity below 1", edited("elasticity_multiplier: 2", "elasticity_multiplier: 0"),
       "main.yaml:26:28", "chains[1].elasticity_multiplier: expected an integer ≥ 1, got 0"},
      {"a zero base fee", edited("initial_base_fee_wei: 1000000000", "initial_base_fee_wei: 0"),
       "main.yaml:28:27", "chains[1].initial_base_fee_wei: expected a positive integer, got 0"},
      {"routing names an unknown chain", edited("settlement_chain: l2", "settlement_chain: l3"),
       "main.yaml:4:29", "routing.settlement_chain: there is no chain named 'l3' (chains: l2, l1)"},
      {"a bridge names an unknown chain", edited("    chain: l1\n", "    chain: base\n"),
       "main.yaml:16:12",
       "bridges[0].chain: bridge 'relay' names no chain: there is no chain named 'base'"},
      {"duplicate chain names", edited("  - name: l1\n", "  - name: l2\n"), "main.yaml:24:11",
       "chains[1].name: duplicate chain name 'l2'"},
      {"a misspelt chain key", edited("block_interval: 12s", "block_intervall: 12s"),
       "main.yaml:25:5", "unknown key 'block_intervall'; did you mean 'block_interval'?"},
  };
  for (const BadChain& c : cases) {
    SCOPED_TRACE(c.what);
    TempDir dir;
    const std::string message = load_error(dir.write("main.yaml", c.main).string());
    const std::string location = (dir / c.location).string();
    testing::expect_located_error(message, location, c.phrase);
  }
}

}  // namespace
}  // namespace gpumarket
