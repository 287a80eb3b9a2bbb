// What the run reports of the hardware market (per segment) and of the pool's procurement:
// orders, deliveries, cancellations, money, and the installed capacity in both precision
// readings against the capacity target (docs/model.md, "Procurement", "Hardware markets").
#include <cmath>
#include <limits>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/market/pool_procurement.hpp"
#include "market_metrics.hpp"

namespace gpumarket {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kHplReading = "hpl_fp64";

}  // namespace

void MarketMetrics::find_pool_procurement() {
  hardware_index_sum_.assign(scenario_.hardware.segments.size(), 0.0);
  for (const auto& venue : venues_) {
    if (venue->pool_procurement() == nullptr) continue;
    procurement_ = venue->pool_procurement();
    pool_name_ = venue->name();
    pool_ = scenario_.venues[venue->params_index()].as<AlliancePoolParams>();
  }
  if (procurement_ == nullptr) return;
  readings_ = {scenario_.precision, kHplReading};
  reading_factor_ = {1.0, scenario_.hpl_fp64_pf_per_gpu / scenario_.pf_per_gpu};
  target_first_h_.assign(readings_.size(), kNaN);
}

void MarketMetrics::write_hardware_series(const HardwareMarket& hardware, bool measuring) {
  const auto& segments = hardware.segments();
  const size_t n = segments.size();
  per(ids_.hardware_index, n, [&](size_t s) { return segments[s].index; });
  per(ids_.hardware_demand, n, [&](size_t s) { return segments[s].demand_pf_per_year; });
  per(ids_.hardware_supply, n, [&](size_t s) { return segments[s].supply_pf_per_year; });
  if (!measuring) return;
  for (size_t s = 0; s < n; ++s) hardware_index_sum_[s] += segments[s].index;
  hardware_ticks_ += 1;
}

// The capacity recorded is the installed capacity in force at the end of the tick, the one
// the venues' capacity series show (set at the previous supply update).
void MarketMetrics::write_pool_series(double now_h) {
  if (procurement_ == nullptr) return;
  const ProcurementFlows flows = procurement_->take_interval();
  const double installed = procurement_->installed_pf();
  per(ids_.pool_capacity_pf, readings_.size(), [&](size_t r) { return in_reading(installed, r); });
  scalar(ids_.pool_ordered_pf, flows.ordered_pf);
  scalar(ids_.pool_delivered_pf, flows.delivered_pf);
  scalar(ids_.pool_cancelled_pf, flows.cancelled_pf);
  scalar(ids_.pool_spent_usd, flows.spent_usd);
  scalar(ids_.pool_in_flight_pf, procurement_->in_flight_pf());
  scalar(ids_.pool_grey_premium, procurement_->grey_premium());
  scalar(ids_.pool_purchase_rate, procurement_->purchase_pf_per_year());
  if (!pool_->capacity_target) return;
  for (size_t r = 0; r < readings_.size(); ++r) {
    if (std::isnan(target_first_h_[r]) && in_reading(installed, r) >= pool_->capacity_target->pf) {
      target_first_h_[r] = now_h;
    }
  }
}

void MarketMetrics::write_hardware_summary(const HardwareMarket& hardware) {
  using namespace indicator;
  const auto& segments = hardware.segments();
  for (size_t s = 0; s < segments.size(); ++s) {
    const std::string& name = scenario_.hardware.segments[s].name;
    put({for_venue(name, kHardwareIndexEnd), kHardwareIndexEnd.unit, kHardwareIndexEnd.description},
        segments[s].index);
    put({for_venue(name, kHardwareIndexMean), kHardwareIndexMean.unit,
         kHardwareIndexMean.description},
        hardware_ticks_ > 0 ? hardware_index_sum_[s] / hardware_ticks_ : kNaN);
  }
}

void MarketMetrics::write_pool_summary() {
  using namespace indicator;
  if (procurement_ == nullptr) return;
  const ProcurementFlows& t = procurement_->totals();
  auto pool_put = [&](const IndicatorDefinition& suffix, double value) {
    put({for_venue(pool_name_, suffix), suffix.unit, suffix.description}, value);
  };
  pool_put(kPoolHardwareBudget, procurement_->hardware_budget_usd());
  pool_put(kPoolHardwareSpent, t.spent_usd);
  pool_put(kPoolHardwareLost, t.lost_usd);
  pool_put(kPoolOrdered, t.ordered_pf);
  pool_put(kPoolDelivered, t.delivered_pf);
  pool_put(kPoolCancelled, t.cancelled_pf);
  pool_put(kPoolInFlightAtEnd, procurement_->in_flight_pf());
  pool_put(kPoolShocks, t.shocks);
  pool_put(kPoolMeanUnitCost, t.ordered_pf > 0 ? t.spent_usd / t.ordered_pf : kNaN);
  for (size_t r = 0; r < readings_.size(); ++r) {
    const std::string reading = pool_name_ + "_" + readings_[r];
    put({for_venue(reading, kPoolCapacityEnd), kPoolCapacityEnd.unit, kPoolCapacityEnd.description},
        in_reading(procurement_->installed_pf(), r));
    if (!pool_->capacity_target) continue;
    const double by_h = midnight_of(pool_->capacity_target->by, scenario_.start).in_hours();
    const bool reached = !std::isnan(target_first_h_[r]) && target_first_h_[r] <= by_h;
    put({for_venue(reading, kPoolTargetReached), kPoolTargetReached.unit,
         kPoolTargetReached.description},
        reached ? 1.0 : 0.0);
    put({for_venue(reading, kPoolTargetFirstReached), kPoolTargetFirstReached.unit,
         kPoolTargetFirstReached.description},
        target_first_h_[r]);
  }
}

}  // namespace gpumarket
