// The alliance pool's capacity as its hardware budget, spent (docs/model.md, "Procurement"):
// tranches ordered on a schedule or by a utilisation rule, each delivered after a random lead
// time, at a unit cost that follows the data-centre hardware index, falls with the order's
// size (joint procurement) and rises while a sanctions shock lasts; a shock also cancels part
// of every order in flight. Without `procurement` the pool's capacity is its ramp, accounted
// at the initial unit cost.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/random.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/scenario/supply.hpp"

namespace gpumarket {

/// d(q) = max · q / (q + half_pf), the discount on an order of q PF.
double volume_discount(const VolumeDiscountParams& params, double pf);

/// USD per PF of an order of q PF: base · (1 − d(q)) · (1 + premium), base = capex × index.
double order_unit_cost_usd_per_pf(double base_usd_per_pf, const VolumeDiscountParams& discount,
                                  double premium, double pf);

/// The q PF whose cost q · unit cost(q) is `usd` (the positive root of a quadratic in q; the
/// cost rises strictly with q because max < 1).
double pf_bought_for_usd(double base_usd_per_pf, const VolumeDiscountParams& discount,
                         double premium, double usd);

/// What procurement did over a period: PF ordered, delivered and cancelled by shocks, USD
/// spent at ordering and USD lost with cancelled PF, orders placed, shocks.
struct ProcurementFlows {
  double ordered_pf = 0;
  double delivered_pf = 0;
  double cancelled_pf = 0;
  double spent_usd = 0;
  double lost_usd = 0;
  double orders = 0;
  double shocks = 0;
};

class PoolProcurement {
 public:
  /// `index` is the pool's hardware index at time 0, at which the initial capacity (or the
  /// ramp) is paid for. Streams: "alliance/procurement" (lead times), "alliance/sanctions".
  PoolProcurement(const AlliancePoolParams& params, Date start, uint64_t seed, double index);

  /// One share of the pool over the last `hours` (share 0 the public one, 1 the reserved one;
  /// `fraction` its part of the installed capacity): the PF in use on it and the work waiting
  /// in its line now. The utilisation rule sizes the pool to the share whose offered load
  /// needs the most installed capacity.
  void observe_share(size_t share, double fraction, double in_use_pf, double waiting_work_pfh,
                     double hours);

  /// Everything up to `now`, in time order: deliveries, shocks, then the orders due at `now`
  /// at the pool's hardware index `index`.
  void step(const AlliancePoolParams& params, SimTime now, double index);

  double installed_pf() const { return installed_pf_; }
  double in_flight_pf() const;
  /// The pool's demand on the hardware market, PF/year: each order in flight is produced
  /// over its lead time (q / L), or the ramp's slope.
  double purchase_pf_per_year() const { return purchase_pf_per_year_; }
  /// The grey-market premium on orders placed now (0 outside shocks).
  double grey_premium() const { return premium_; }
  double hardware_budget_usd() const { return budget_usd_; }
  double money_left_usd() const { return budget_usd_ - totals_.spent_usd; }
  const ProcurementFlows& totals() const { return totals_; }
  /// The flows since the last call.
  ProcurementFlows take_interval();
  /// The factor Π (1 − supply_cut) of the shocks since the last call, by which the pool's
  /// hardware segment loses supply (1: none).
  double take_supply_factor();

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(budget_usd_, ramp_unit_cost_usd_per_pf_, installed_pf_, purchase_pf_per_year_, premium_,
            in_flight_, lead_rng_, shock_rng_, next_shock_, shock_ends_, next_review_,
            next_scheduled_, shares_, supply_factor_, totals_, interval_);
  }

 private:
  void deliver_until(SimTime t);
  void apply_shock(const SanctionsParams& sanctions);
  void order_pf(const AlliancePoolParams& params, SimTime now, double index, double pf);
  void order_usd(const AlliancePoolParams& params, SimTime now, double index, double usd);
  void place(const ProcurementParams& params, SimTime now, double pf, double usd);
  void spend(double usd);
  void ramp_step(const AlliancePoolParams& params, SimTime now);
  void review(const AlliancePoolParams& params, SimTime now, double index);
  void draw_next_shock(const SanctionsParams& sanctions, SimTime after);

  struct Order {
    SimTime due;
    double pf = 0;
    double usd = 0;
    double lead_years = 0;
    template <class Archive>
    void serialize(Archive& archive) {
      archive(due, pf, usd, lead_years);
    }
  };

  Date start_;
  double budget_usd_;
  double ramp_unit_cost_usd_per_pf_;  // the ramp's money: capex × the index at time 0
  double installed_pf_ = 0;
  double purchase_pf_per_year_ = 0;
  double premium_ = 0;
  std::vector<Order> in_flight_;
  RandomEngine lead_rng_;
  RandomEngine shock_rng_;
  SimTime next_shock_;
  SimTime shock_ends_;
  SimTime next_review_;
  size_t next_scheduled_ = 0;
  // Per share since the last review, in PF·h of installed capacity (divided by the share's
  // fraction): the work served, and the work waiting at the last review and now.
  struct ShareLoad {
    double fraction = 0;
    double served_pfh = 0;
    double waiting_at_review_pfh = 0;
    double waiting_now_pfh = 0;
    template <class Archive>
    void serialize(Archive& archive) {
      archive(fraction, served_pfh, waiting_at_review_pfh, waiting_now_pfh);
    }
  };
  std::array<ShareLoad, 2> shares_{};
  double supply_factor_ = 1.0;
  ProcurementFlows totals_, interval_;
};

}  // namespace gpumarket
