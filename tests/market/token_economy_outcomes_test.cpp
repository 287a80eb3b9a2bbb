// Burn-and-mint through the whole model: a small scenario built in the test, run over seeds
// with common random numbers (the token's GBM draws are its own stream, so two arrival rates
// see the same GBM path and differ only through what users burn).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/market/market_model.hpp"
#include "support/statistics.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using testing::mean_and_error;
using testing::MeanAndError;

const std::string kScenario =
    "name: bme\n"
    "start: 2026-01-01\n"
    "horizon: 240h\n"
    "tick: 1h\n"
    "warmup: 10h\n"
    "venues:\n"
    "  - name: cloud\n"
    "    kind: fixed\n"
    "    servers: 1\n"
    "    price_usd_per_pf_hour: 50.0\n"
    "  - name: render\n"
    "    kind: marketplace\n"
    "    providers: {initial_count: 60}\n"
    "    token_model: bme\n"
    "    emission_tokens_per_day: 100\n"
    "    burn_and_mint: {initial_supply_tokens: 20000, price_impact: 1}\n"
    "    entry_exit: {base_entry_rate_per_day: 0}\n"
    "segments:\n"
    "  - name: jobs\n"
    "    arrival_rate_per_hour: 1\n"
    "    duration: {distribution: exponential, mean: 1h}\n";

struct Run {
  MemoryRecorder recorder;
};

std::unique_ptr<Run> run(const std::vector<std::string>& overrides, const std::string& text) {
  testing::TempDir dir;
  dir.write("bme.yaml", text);
  const LoadedScenario loaded = load_scenario((dir / "bme.yaml").string(), overrides);
  auto out = std::make_unique<Run>();
  RunInfo info;
  info.seed = loaded.scenario.seed;
  out->recorder.begin(info);
  MarketModel model(loaded.scenario);
  model.run(out->recorder);
  out->recorder.finish();
  return out;
}

double column_sum(const MemoryRecorder& r, const char* name, size_t column) {
  const MemoryRecorder::Series* s = r.find_series("tick", name);
  EXPECT_NE(s, nullptr) << name;
  if (s == nullptr) return NAN;
  double sum = 0.0;
  for (size_t row = 0; row < s->rows(); ++row) sum += s->at(row, column);
  return sum;
}

double last(const MemoryRecorder& r, const char* name, size_t column) {
  const MemoryRecorder::Series* s = r.find_series("tick", name);
  EXPECT_NE(s, nullptr) << name;
  return s == nullptr ? NAN : s->at(s->rows() - 1, column);
}

constexpr size_t kRender = 1;  // column of the marketplace

// More arrivals, more USD spent, more tokens burned; with the same GBM draws the token ends
// higher, since η > 0 turns the extra net burn into a higher price.
TEST(TokenEconomyOutcomes, BurnRisesWithArrivalsAndTheTokenRisesWithNetBurn) {
  std::vector<double> burn_change;
  std::vector<double> log_price_change;
  for (int seed = 1; seed <= 8; ++seed) {
    const std::string s = "seed=" + std::to_string(seed);
    const auto low = run({s}, kScenario);
    const auto high = run({s, "segments.jobs.arrival_rate_per_hour=2"}, kScenario);
    const double burn_low = column_sum(low->recorder, "tokens_burned", kRender);
    const double burn_high = column_sum(high->recorder, "tokens_burned", kRender);
    ASSERT_GT(burn_low, 0.0);
    burn_change.push_back(burn_high / burn_low - 1.0);
    log_price_change.push_back(std::log(last(high->recorder, "token_usd", kRender) /
                                        last(low->recorder, "token_usd", kRender)));
  }
  const MeanAndError burn = mean_and_error(burn_change);
  const MeanAndError price = mean_and_error(log_price_change);
  EXPECT_GT(burn.mean - 3.0 * burn.standard_error, 0.0)
      << "mean " << burn.mean << " se " << burn.standard_error;
  EXPECT_GT(price.mean - 3.0 * price.standard_error, 0.0)
      << "mean " << price.mean << " se " << price.standard_error;
}

// Q_end = Q_0 − Σ burn + Σ mint, from the reported series (relative 1e-12: sums of a few
// hundred terms); the fixed venue has no token, its columns are NaN.
TEST(TokenEconomyOutcomes, TokenSupplyReconcilesWithBurnAndMintSeries) {
  const auto r = run({"seed=3"}, kScenario);
  const double burned = column_sum(r->recorder, "tokens_burned", kRender);
  const double minted = column_sum(r->recorder, "tokens_minted", kRender);
  const double supply = last(r->recorder, "token_supply", kRender);
  EXPECT_GT(minted, 0.0);
  EXPECT_NEAR(supply, 20000.0 - burned + minted, 1e-12 * 20000.0);
  EXPECT_TRUE(std::isnan(last(r->recorder, "tokens_burned", 0)));
  EXPECT_TRUE(std::isnan(last(r->recorder, "provider_revenue_usd", 0)));
  EXPECT_GT(column_sum(r->recorder, "provider_revenue_usd", kRender), 0.0);
}

TEST(TokenEconomyOutcomes, TokenSeriesAreReportedOnlyWhenAMarketplaceOptsIn) {
  std::string plain = kScenario;
  plain.replace(plain.find("    token_model: bme\n"), std::string("    token_model: bme\n").size(),
                "");
  plain.replace(plain.find("    burn_and_mint"),
                plain.find("    entry_exit") - plain.find("    burn_and_mint"), "");
  const auto r = run({"seed=1"}, plain);
  EXPECT_EQ(r->recorder.find_series("tick", "tokens_burned"), nullptr);
  EXPECT_EQ(r->recorder.find_series("tick", "provider_revenue_usd"), nullptr);
  EXPECT_NE(r->recorder.find_series("tick", "token_usd"), nullptr);
}

// The shipped baseline with every token mechanism switched on (Golem: asks in GLM, paid every
// 12 h; Render: burn-and-mint): Golem's providers are paid at payment ticks (and on exit), Render's
// supply reconciles with its burns and mints, and the job ledger still balances.
TEST(TokenEconomyOutcomes, BaselineRunsWithEveryTokenMechanismAndItsBooksBalance) {
  const LoadedScenario loaded =
      load_scenario(std::string(GPUMARKET_SOURCE_DIR) + "/scenarios/baseline.yaml",
                    {"end=2026-07-01", "venues.golem.ask_currency=token",
                     "venues.golem.payment_interval=12h", "venues.render.token_model=bme"});
  MemoryRecorder recorder;
  RunInfo info;
  info.seed = loaded.scenario.seed;
  recorder.begin(info);
  MarketModel model(loaded.scenario);
  const RunTotals totals = model.run(recorder);
  recorder.finish();
  const MemoryRecorder::Series* names = recorder.find_series("tick", "provider_revenue_usd");
  ASSERT_NE(names, nullptr);
  const auto column = [&](const char* venue) {
    const auto& cols = names->spec.columns;
    return static_cast<size_t>(std::find(cols.begin(), cols.end(), venue) - cols.begin());
  };
  const size_t golem = column("golem");
  const size_t render = column("render");
  ASSERT_LT(golem, names->spec.columns.size());
  ASSERT_LT(render, names->spec.columns.size());
  // Row r reports the tick that ran at the start of interval r, i.e. tick r (from 1), which
  // pays when r is a multiple of 12. Between payments only exiting providers are paid (their
  // balance at exit), so rows where the provider count stood still pay nothing.
  const MemoryRecorder::Series* count = recorder.find_series("tick", "provider_count");
  ASSERT_NE(count, nullptr);
  double paid_between = 0.0;
  double paid_at = 0.0;
  for (size_t row = 2; row < names->rows(); ++row) {
    if (row % 12 == 0) {
      paid_at += names->at(row, golem);
    } else if (count->at(row, golem) == count->at(row - 1, golem)) {
      paid_between += names->at(row, golem);
    }
  }
  EXPECT_GT(paid_at, 0.0);
  EXPECT_EQ(paid_between, 0.0);
  const double q0 = BurnAndMintParams{}.initial_supply_tokens;
  const double burned = column_sum(recorder, "tokens_burned", render);
  const double minted = column_sum(recorder, "tokens_minted", render);
  EXPECT_GT(burned, 0.0);
  EXPECT_NEAR(last(recorder, "token_supply", render), q0 - burned + minted, 1e-12 * q0);
  EXPECT_NEAR(totals.money_paid_usd, totals.money_received_usd + totals.money_fees_usd,
              1e-9 * totals.money_paid_usd);
}

}  // namespace
}  // namespace gpumarket
