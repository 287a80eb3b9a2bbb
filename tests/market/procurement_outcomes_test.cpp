// The pool's procurement and the hardware market through the whole model: a small scenario
// built here (one pool, sovereign labs and the alliance's own work), one parameter changed at a
// time over paired seeds (common random numbers: lead times and shocks have their own streams),
// signs beyond three standard errors; the ledger and the capacity accounts at the horizon.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>
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

// Labs offer ~6 PF of load (small jobs, so that a saturated pool runs near utilisation 1) to a pool
// that starts with 5 PF; the schedule spends the hardware budget in five tranches.
const std::string kScenario =
    "name: procurement\n"
    "start: 2026-01-01\n"
    "horizon: 365d\n"
    "tick: 6h\n"
    "venues:\n"
    "  - name: alliance\n"
    "    kind: pool\n"
    "    licence_fee_usd: 0\n"
    "    licence_delay: 0h\n"
    "    capacity: {target: {pf: 20000, by: 2026-12-01, precision: fp16_dense}}\n"
    "    procurement:\n"
    "      rule: schedule\n"
    "      initial_pf: 5\n"
    "      schedule: {from: 2026-02-01, to: 2026-10-01, interval: 60d}\n"
    "      lead_time: {median: 90d, sigma: 0.5}\n"
    "segments:\n"
    "  - name: labs\n"
    "    origin: sovereign\n"
    "    licensed_share: 1.0\n"
    "    arrival_rate_per_hour: 12\n"
    "    width_pf: 0.25\n"
    "    duration: {distribution: exponential, mean: 2h}\n"
    "    value_usd_per_pf_hour: 5\n"
    "    patience: 48h\n"
    "  - name: internal\n"
    "    origin: sovereign\n"
    "    internal: true\n"
    "    arrival_rate_per_hour: 2\n"
    "    width_pf: 0.25\n"
    "    duration: {distribution: exponential, mean: 2h}\n";

// The utilisation rule instead of the schedule, reviewing fortnightly toward u* = 0.7.
const std::vector<std::string> kUtilisationRule = {
    "venues.alliance.procurement={rule: utilisation, initial_pf: 5, target_utilisation: 0.7, "
    "review_interval: 14d, lead_time: {median: 14d, sigma: 0.3}}"};

struct PoolRun {
  MemoryRecorder recorder;
  RunTotals totals;

  double summary(const std::string& name) const {
    const std::optional<double> v = recorder.summary_value(name);
    EXPECT_TRUE(v.has_value()) << name;
    return v.value_or(NAN);
  }
  const MemoryRecorder::Series& series(const char* name) const {
    const MemoryRecorder::Series* s = recorder.find_series("tick", name);
    EXPECT_NE(s, nullptr) << name;
    if (s == nullptr) throw std::runtime_error(name);
    return *s;
  }
  size_t column(const char* name, const char* column) const {
    const auto& cols = series(name).spec.columns;
    return static_cast<size_t>(std::find(cols.begin(), cols.end(), column) - cols.begin());
  }
  double at(const char* name, const char* column, size_t row) const {
    return series(name).at(row, this->column(name, column));
  }
  double sum(const char* name) const {
    double total = 0;
    for (double v : series(name).values) total += v;
    return total;
  }
};

std::unique_ptr<PoolRun> run(const std::vector<std::string>& overrides) {
  testing::TempDir dir;
  dir.write("procurement.yaml", kScenario);
  const LoadedScenario loaded = load_scenario((dir / "procurement.yaml").string(), overrides);
  auto out = std::make_unique<PoolRun>();
  RunInfo info;
  info.seed = loaded.scenario.seed;
  out->recorder.begin(info);
  MarketModel model(loaded.scenario);
  out->totals = model.run(out->recorder);
  out->recorder.finish();
  return out;
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

constexpr int kSeeds = 6;

// measure(changed) − measure(base) over paired seeds.
template <class Measure>
MeanAndError paired(const std::vector<std::string>& base, const std::vector<std::string>& changed,
                    const Measure& measure) {
  std::vector<double> d;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const std::vector<std::string> s = {"seed=" + std::to_string(seed)};
    d.push_back(measure(*run(with(changed, s))) - measure(*run(with(base, s))));
  }
  return mean_and_error(d);
}

void expect_positive(const MeanAndError& d, const std::string& what) {
  EXPECT_GT(d.mean, 3.0 * d.standard_error) << what << ": " << d.mean << " ± " << d.standard_error;
}

// Installed capacity (units.precision) on 2026-09-01 (row = 6-hour ticks since the start).
double capacity_on_september_1(const PoolRun& r) {
  const size_t row = (31 + 28 + 31 + 30 + 31 + 30 + 31 + 31) * 4 - 1;
  return r.at("pool_capacity_pf", "fp16_dense", row);
}

double datacentre_index_mean(const PoolRun& r) {
  return r.summary("datacentre_hardware_index_mean");
}

TEST(ProcurementOutcomes, LargerHardwareBudgetRaisesPoolCapacityAndTheDatacentreIndex) {
  const std::vector<std::string> larger = {"venues.alliance.budget={total_usd: 24e9}"};
  expect_positive(paired({}, larger, capacity_on_september_1), "capacity on 2026-09-01, PF");
  expect_positive(paired({}, larger, datacentre_index_mean), "datacentre index mean");
}

// Shocks cut every order in flight to half and withdraw a tenth of the data-centre supply.
TEST(ProcurementOutcomes, SanctionsShocksDelayCapacityAndRaiseTheDatacentreIndex) {
  const std::vector<std::string> shocks = {
      "venues.alliance.procurement.sanctions={rate_per_year: 3, supply_cut: 0.1}"};
  expect_positive(paired(shocks, {}, capacity_on_september_1),
                  "capacity on 2026-09-01 without minus with shocks, PF");
  expect_positive(paired({}, shocks, datacentre_index_mean), "datacentre index mean");
}

TEST(ProcurementOutcomes, VolumeDiscountLowersThePoolsUnitCost) {
  const std::vector<std::string> discount = {
      "venues.alliance.procurement.volume_discount={max: 0.2, half_pf: 1000}"};
  expect_positive(
      paired(discount, {},
             [](const PoolRun& r) { return r.summary("alliance_mean_unit_cost_usd_per_pf"); }),
      "unit cost without minus with the discount, USD/PF");
}

// Mean over the second half of the run of |pool utilisation − 0.7|, the pool's two shares
// together.
double distance_from_target(const PoolRun& r) {
  const MemoryRecorder::Series& u = r.series("utilisation");
  const MemoryRecorder::Series& c = r.series("capacity_pf");
  double sum = 0;
  int count = 0;
  for (size_t row = u.rows() / 2; row < u.rows(); ++row) {
    double in_use = 0, capacity = 0;
    for (size_t col = 0; col < u.width(); ++col) {
      if (std::isnan(u.at(row, col))) continue;
      in_use += u.at(row, col) * c.at(row - 1, col);  // the capacity in force in the tick
      capacity += c.at(row - 1, col);
    }
    if (capacity <= 0) continue;
    sum += std::abs(in_use / capacity - 0.7);
    ++count;
  }
  return sum / count;
}

TEST(ProcurementOutcomes, UtilisationRuleKeepsUtilisationCloserToItsTargetThanNoOrders) {
  // No orders: the first review would come after the horizon.
  const std::vector<std::string> none =
      with(kUtilisationRule, {"venues.alliance.procurement.review_interval=3650d"});
  expect_positive(paired(kUtilisationRule, none, distance_from_target),
                  "|u - 0.7| without minus with the rule");
}

TEST(ProcurementOutcomes, LedgerAndCapacityAccountsBalanceAtTheHorizon) {
  for (int seed = 1; seed <= 3; ++seed) {
    const auto r = run({"seed=" + std::to_string(seed),
                        "venues.alliance.procurement.sanctions={rate_per_year: 4}"});
    const double budget = r->summary("alliance_hardware_budget_usd");
    EXPECT_DOUBLE_EQ(budget, 0.4 * 12e9);
    EXPECT_LE(r->summary("alliance_hardware_spent_usd"), budget);
    EXPECT_GT(r->summary("alliance_sanctions_shocks"), 0.0);
    const double ordered = r->summary("alliance_ordered_pf");
    const double cancelled = r->summary("alliance_cancelled_pf");
    EXPECT_GT(cancelled, 0.0);
    const double delivered = r->summary("alliance_delivered_pf");
    const double in_flight = r->summary("alliance_in_flight_pf_at_end");
    EXPECT_NEAR(delivered + in_flight, ordered - cancelled, 1e-9 * ordered);
    EXPECT_NEAR(r->sum("pool_delivered_pf"), delivered, 1e-9 * delivered);
    EXPECT_NEAR(r->sum("pool_cancelled_pf"), cancelled, 1e-9 * cancelled);
    EXPECT_NEAR(r->sum("pool_hardware_spent_usd"), r->summary("alliance_hardware_spent_usd"),
                1e-9 * budget);
    // Both readings: HPL-FP64 capacity is the FP16 capacity × 0.057 / 0.989 (same GPUs).
    const double fp16 = r->summary("alliance_fp16_dense_capacity_pf_at_end");
    EXPECT_NEAR(r->summary("alliance_hpl_fp64_capacity_pf_at_end"), fp16 * 0.057 / 0.989,
                1e-12 * fp16);
    EXPECT_NEAR(fp16, delivered, 1e-9 * delivered);
  }
}

// 20,000 PF by 2026-12-01: reached in the FP16 reading (the schedule buys ~90,000 PF), not in
// the HPL reading (about 5,000 PF); the first time is a tick of the run.
TEST(ProcurementOutcomes, TheTargetIsReportedInBothReadings) {
  const auto r = run({"seed=1"});
  EXPECT_EQ(r->summary("alliance_fp16_dense_target_reached"), 1.0);
  EXPECT_EQ(r->summary("alliance_hpl_fp64_target_reached"), 0.0);
  EXPECT_TRUE(std::isnan(r->summary("alliance_hpl_fp64_target_first_reached_h")));
  const double first = r->summary("alliance_fp16_dense_target_first_reached_h");
  EXPECT_GT(first, 0.0);
  EXPECT_EQ(std::fmod(first, 6.0), 0.0);
}

}  // namespace
}  // namespace gpumarket
