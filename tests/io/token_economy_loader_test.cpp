// The marketplace's token-economy keys (ask_currency, token_reprice_share, payment_interval,
// token_model, burn_and_mint): decoded with their defaults, and each bad value reported at
// its location with what was expected.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "support/scenario_text.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using testing::TempDir;

// A marketplace with every token-economy key; the cases below edit it and name its lines.
const std::string kTokens =
    "name: tokens\n"                                                                 // 1
    "start: 2026-01-01\n"                                                            // 2
    "horizon: 200h\n"                                                                // 3
    "venues:\n"                                                                      // 4
    "  - name: golem\n"                                                              // 5
    "    kind: marketplace\n"                                                        // 6
    "    ask_currency: token\n"                                                      // 7
    "    token_reprice_share: 0.05\n"                                                // 8
    "    payment_interval: 12h\n"                                                    // 9
    "    token_model: bme\n"                                                         // 10
    "    burn_and_mint: {fee: 0.05, initial_supply_tokens: 1e6, price_impact: 2}\n"  // 11
    "segments:\n"                                                                    // 12
    "  - name: jobs\n"                                                               // 13
    "    arrival_rate_per_hour: 2\n"                                                 // 14
    "    duration: {distribution: exponential, mean: 1h}\n";                         // 15

std::string replaced(const std::string& from, const std::string& to) {
  return testing::edited_text(kTokens, from, to);
}

TEST(TokenEconomyLoader, DecodesEveryKey) {
  TempDir dir;
  const LoadedScenario loaded = load_scenario(dir.write("main.yaml", kTokens));
  const MarketplaceParams* m = loaded.scenario.venues[0].as<MarketplaceParams>();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->ask_currency, AskCurrency::Token);
  EXPECT_DOUBLE_EQ(m->token_reprice_share, 0.05);
  EXPECT_EQ(m->payment_interval, Duration::hours(12));
  EXPECT_EQ(m->token_model, TokenModel::BurnAndMint);
  EXPECT_DOUBLE_EQ(m->burn_and_mint.fee, 0.05);
  EXPECT_DOUBLE_EQ(m->burn_and_mint.initial_supply_tokens, 1e6);
  EXPECT_DOUBLE_EQ(m->burn_and_mint.price_impact, 2.0);
}

TEST(TokenEconomyLoader, DefaultsAreTodaysRule) {
  TempDir dir;
  std::string text = kTokens;
  const size_t from = text.find("    ask_currency");
  text.erase(from, text.find("segments:") - from);
  const LoadedScenario loaded = load_scenario(dir.write("main.yaml", text));
  const MarketplaceParams* m = loaded.scenario.venues[0].as<MarketplaceParams>();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->ask_currency, AskCurrency::Usd);
  EXPECT_EQ(m->payment_interval, Duration::micros(0));
  EXPECT_EQ(m->token_model, TokenModel::Gbm);
  EXPECT_DOUBLE_EQ(m->token_reprice_share, 1.0 / 168.0);
  EXPECT_DOUBLE_EQ(m->burn_and_mint.initial_supply_tokens, 536'870'910.0);
}

TEST(TokenEconomyLoader, ReportsEachBadValueWithItsLocation) {
  const std::vector<testing::BadCase> cases = {
      {"reprice share above 1", replaced("token_reprice_share: 0.05", "token_reprice_share: 1.5"),
       "main.yaml:8:26",
       "venues[0].token_reprice_share: expected a fraction between 0 and 1, got 1.5"},
      {"reprice share below 0", replaced("token_reprice_share: 0.05", "token_reprice_share: -0.1"),
       "main.yaml:8:26",
       "venues[0].token_reprice_share: expected a fraction between 0 and 1, got -0.1"},
      {"unknown ask currency", replaced("ask_currency: token", "ask_currency: glm"),
       "main.yaml:7:19", "venues[0].ask_currency: expected one of usd, token, got 'glm'"},
      {"unknown token model", replaced("token_model: bme", "token_model: bmx"), "main.yaml:10:18",
       "venues[0].token_model: expected one of gbm, bme, got 'bmx'"},
      {"negative payment interval", replaced("payment_interval: 12h", "payment_interval: -1h"),
       "main.yaml:9:23",
       "venues[0].payment_interval: expected a duration such as 15min, 6h or 30d, got '-1h'"},
      {"negative supply", replaced("initial_supply_tokens: 1e6", "initial_supply_tokens: -5"),
       "main.yaml:11:55",
       "venues[0].burn_and_mint.initial_supply_tokens: expected a positive number, got -5"},
      {"negative price impact", replaced("price_impact: 2", "price_impact: -1"), "main.yaml:11:74",
       "venues[0].burn_and_mint.price_impact: expected a non-negative number, got -1"},
      {"burn fee of 1", replaced("fee: 0.05", "fee: 1"), "main.yaml:11:26",
       "venues[0].burn_and_mint.fee: expected a fraction in [0, 1)"},
      {"unknown burn-and-mint key", replaced("price_impact: 2", "price_impakt: 2"),
       "main.yaml:11:60", "unknown key 'price_impakt'; did you mean 'price_impact'?"},
      {"payment lag under pay-as-bid",
       replaced("    ask_currency: token\n", "    ask_currency: token\n    pricing: pay_as_bid\n"),
       "main.yaml:10:23", "venues[0].payment_interval: expected 0 under pricing: pay_as_bid"},
  };
  testing::expect_bad_cases(cases);
}

}  // namespace
}  // namespace gpumarket
