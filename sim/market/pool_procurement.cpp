// The pool's hardware orders: the ledger of the hardware budget, the orders in flight, the
// sanctions shocks and the two ordering rules (schedule, utilisation).
#include "gpumarket/market/pool_procurement.hpp"

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <cmath>

#include "gpumarket/core/check.hpp"
#include "gpumarket/market/supply_kernels.hpp"

namespace gpumarket {

double volume_discount(const VolumeDiscountParams& params, double pf) {
  if (!(params.max > 0.0) || !(pf > 0.0)) return 0.0;
  return params.max * pf / (pf + params.half_pf);
}

double order_unit_cost_usd_per_pf(double base_usd_per_pf, const VolumeDiscountParams& discount,
                                  double premium, double pf) {
  return base_usd_per_pf * (1.0 - volume_discount(discount, pf)) * (1.0 + premium);
}

double pf_bought_for_usd(double base_usd_per_pf, const VolumeDiscountParams& discount,
                         double premium, double usd) {
  const double k = base_usd_per_pf * (1.0 + premium);
  if (!(usd > 0.0)) return 0.0;
  if (!(discount.max > 0.0)) return usd / k;
  // usd = k q ((1 − m) q + h) / (q + h)  ⇔  k (1 − m) q² + (k h − usd) q − usd h = 0; the
  // root is taken in the form that does not cancel.
  const double a = k * (1.0 - discount.max);
  const double b = k * discount.half_pf - usd;
  const double c = usd * discount.half_pf;
  const double root = std::sqrt(b * b + 4.0 * a * c);
  return b <= 0.0 ? (root - b) / (2.0 * a) : 2.0 * c / (b + root);
}

PoolProcurement::PoolProcurement(const AlliancePoolParams& params, Date start, uint64_t seed,
                                 double index)
    : start_(start),
      budget_usd_(params.budget.usd(kHardwareBudget)),
      ramp_unit_cost_usd_per_pf_(params.capex_usd_per_pf * index),
      lead_rng_(make_stream(seed, "alliance/procurement")),
      shock_rng_(make_stream(seed, "alliance/sanctions")),
      next_shock_(SimTime::start() + Duration::infinite()),
      shock_ends_(SimTime::start()),
      next_review_(SimTime::start() + Duration::infinite()) {
  if (!params.procurement) return;
  const ProcurementParams& p = *params.procurement;
  in_flight_.reserve(64);
  draw_next_shock(p.sanctions, SimTime::start());
  if (p.rule == ProcurementParams::Rule::Utilisation) {
    next_review_ = SimTime::start() + p.review_interval;
  }
  // The initial capacity was bought before the start: paid, delivered, no lead time.
  const double base = params.capex_usd_per_pf * index;
  const double cost =
      p.initial_pf * order_unit_cost_usd_per_pf(base, p.volume_discount, 0.0, p.initial_pf);
  if (p.initial_pf > 0.0) {
    spend(std::min(cost, budget_usd_));
    installed_pf_ = p.initial_pf;
    interval_.ordered_pf = interval_.delivered_pf = p.initial_pf;
    interval_.orders = 1;
    totals_ = interval_;
  }
}

double PoolProcurement::in_flight_pf() const {
  double pf = 0;
  for (const Order& o : in_flight_) pf += o.pf;
  return pf;
}

ProcurementFlows PoolProcurement::take_interval() {
  const ProcurementFlows flows = interval_;
  interval_ = {};
  return flows;
}

// Never above the budget: the last order's cost is what was left.
double PoolProcurement::take_supply_factor() {
  const double factor = supply_factor_;
  supply_factor_ = 1.0;
  return factor;
}

void PoolProcurement::spend(double usd) {
  const double left = money_left_usd();
  const double paid = std::min(usd, left);
  totals_.spent_usd = usd >= left ? budget_usd_ : totals_.spent_usd + usd;
  interval_.spent_usd += paid;
}

void PoolProcurement::draw_next_shock(const SanctionsParams& sanctions, SimTime after) {
  if (!(sanctions.rate_per_year > 0.0)) {
    next_shock_ = SimTime::start() + Duration::infinite();
    return;
  }
  const double years =
      boost::random::exponential_distribution<double>(sanctions.rate_per_year)(shock_rng_);
  next_shock_ = after + Duration::hours(years * kHoursPerYear);
}

void PoolProcurement::deliver_until(SimTime t) {
  // Orders are few (one per review or tranche): a scan, erasing in place, keeps them
  // contiguous and allocates nothing.
  size_t kept = 0;
  for (const Order& o : in_flight_) {
    if (o.due <= t) {
      installed_pf_ += o.pf;
      interval_.delivered_pf += o.pf;
      totals_.delivered_pf += o.pf;
    } else {
      in_flight_[kept++] = o;
    }
  }
  in_flight_.resize(kept);
}

void PoolProcurement::apply_shock(const SanctionsParams& sanctions) {
  for (Order& o : in_flight_) {
    const double kept_pf = o.pf * sanctions.deliverable_share;
    const double kept_usd = o.usd * sanctions.deliverable_share;
    interval_.cancelled_pf += o.pf - kept_pf;
    totals_.cancelled_pf += o.pf - kept_pf;
    interval_.lost_usd += o.usd - kept_usd;
    totals_.lost_usd += o.usd - kept_usd;
    o.pf = kept_pf;
    o.usd = kept_usd;
  }
  interval_.shocks += 1;
  totals_.shocks += 1;
  supply_factor_ *= 1.0 - sanctions.supply_cut;
}

void PoolProcurement::place(const ProcurementParams& params, SimTime now, double pf, double usd) {
  if (!(pf > 0.0) || !(usd > 0.0)) return;
  const double median_h = params.lead_time.median.in_hours();
  const double lead_h = params.lead_time.log_sd > 0.0
                            ? boost::random::lognormal_distribution<double>(
                                  std::log(median_h), params.lead_time.log_sd)(lead_rng_)
                            : median_h;
  const Duration lead = Duration::hours(lead_h);
  const double paid = std::min(usd, money_left_usd());
  spend(usd);
  in_flight_.push_back({now + lead, pf, paid, lead.in_hours() / kHoursPerYear});
  interval_.ordered_pf += pf;
  totals_.ordered_pf += pf;
  interval_.orders += 1;
  totals_.orders += 1;
}

void PoolProcurement::order_pf(const AlliancePoolParams& params, SimTime now, double index,
                               double pf) {
  const ProcurementParams& p = *params.procurement;
  const double base = params.capex_usd_per_pf * index;
  const double cost = pf * order_unit_cost_usd_per_pf(base, p.volume_discount, premium_, pf);
  if (cost <= money_left_usd()) {
    place(p, now, pf, cost);
  } else {
    order_usd(params, now, index, money_left_usd());
  }
}

void PoolProcurement::order_usd(const AlliancePoolParams& params, SimTime now, double index,
                                double usd) {
  const ProcurementParams& p = *params.procurement;
  const double paid = std::min(usd, money_left_usd());
  const double base = params.capex_usd_per_pf * index;
  place(p, now, pf_bought_for_usd(base, p.volume_discount, premium_, paid), paid);
}

void PoolProcurement::observe_share(size_t share, double fraction, double in_use_pf,
                                    double waiting_work_pfh, double hours) {
  ShareLoad& load = shares_[share];
  load.fraction = fraction;
  if (fraction <= 0.0) return;  // a share with no capacity cannot be sized by its load
  load.served_pfh += in_use_pf * hours / fraction;
  load.waiting_now_pfh = waiting_work_pfh / fraction;
}

// The rule orders what brings installed plus in-flight capacity to the offered load it
// reviewed over the interval divided by the target utilisation. A share's offered load is the
// work it served plus the growth of the work waiting in its line: a saturated share shows its
// unmet demand, which the work in use alone (bounded by capacity) would hide. The capacity
// split is fixed, so the pool is sized to the share that needs the most.
void PoolProcurement::review(const AlliancePoolParams& params, SimTime now, double index) {
  const ProcurementParams& p = *params.procurement;
  const double window_h = p.review_interval.in_hours();
  double load_pf = 0.0;
  for (ShareLoad& share : shares_) {
    const double offered_pfh =
        share.served_pfh + share.waiting_now_pfh - share.waiting_at_review_pfh;
    load_pf = std::max(load_pf, offered_pfh / window_h);
    share.served_pfh = 0;
    share.waiting_at_review_pfh = share.waiting_now_pfh;
  }
  const double wanted = load_pf / p.target_utilisation - installed_pf_ - in_flight_pf();
  if (wanted > 0.0) order_pf(params, now, index, wanted);
}

void PoolProcurement::ramp_step(const AlliancePoolParams& params, SimTime now) {
  const double hours = now.in_hours();
  const double capacity = alliance_capacity_pf(params, start_, hours);
  // A rise buys at the initial unit cost; a fall retires hardware and buys nothing.
  const double bought = std::max(0.0, capacity - installed_pf_);
  if (bought > 0.0) {
    interval_.ordered_pf += bought;
    totals_.ordered_pf += bought;
    interval_.delivered_pf += bought;
    totals_.delivered_pf += bought;
    spend(bought * ramp_unit_cost_usd_per_pf_);
  }
  installed_pf_ = capacity;
  purchase_pf_per_year_ = alliance_purchase_rate_pf_per_year(params, start_, hours);
}

void PoolProcurement::step(const AlliancePoolParams& params, SimTime now, double index) {
  if (!params.procurement) {
    ramp_step(params, now);
    return;
  }
  const ProcurementParams& p = *params.procurement;
  while (next_shock_ <= now) {
    deliver_until(next_shock_);
    apply_shock(p.sanctions);
    shock_ends_ = std::max(shock_ends_, next_shock_ + p.sanctions.duration);
    draw_next_shock(p.sanctions, next_shock_);
  }
  deliver_until(now);
  premium_ = now < shock_ends_ ? p.sanctions.grey_premium : 0.0;

  if (p.rule == ProcurementParams::Rule::Utilisation) {
    if (now >= next_review_) {
      review(params, now, index);
      while (next_review_ <= now) next_review_ = next_review_ + p.review_interval;
    }
  } else {
    while (next_scheduled_ < p.schedule.size() &&
           midnight_of(p.schedule[next_scheduled_].date, start_) <= now) {
      const double tranches_left = static_cast<double>(p.schedule.size() - next_scheduled_);
      const double usd =
          p.equal_tranches ? money_left_usd() / tranches_left : p.schedule[next_scheduled_].usd;
      order_usd(params, now, index, usd);
      ++next_scheduled_;
    }
  }
  purchase_pf_per_year_ = 0;
  for (const Order& o : in_flight_) {
    if (o.lead_years > 0.0) purchase_pf_per_year_ += o.pf / o.lead_years;
  }
}

}  // namespace gpumarket
