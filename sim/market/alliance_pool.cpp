// The alliance's pool: installed capacity bought from its hardware budget (or on a ramp), an
// administered, subsidised price, licence-gated access and sovereign-currency settlement.
// Its capacity is split into a public share, open to licensed users, and a reserved share
// kept for the alliance's own work; they are two venues with two queues.
#include <vector>

#include "gpumarket/market/pool_procurement.hpp"
#include "gpumarket/market/research_grants.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "market_state_archive.hpp"
#include "pool_operation_state.hpp"
#include "venue_model.hpp"

namespace gpumarket {
namespace {

class PoolShare : public VenueModel {
 public:
  PoolShare(std::string name, const VenueParams& params, size_t params_index, Date start,
            size_t hardware_segment, bool reserved)
      : VenueModel(std::move(name), params, params_index),
        start_(start),
        hardware_segment_(hardware_segment),
        reserved_(reserved) {}

  Sector sector() const override { return Sector::State; }
  bool reserved_for_internal_work() const override { return reserved_; }

  void update_supply(const SupplyTick& tick, double /*demand_pf*/) override {
    const AlliancePoolParams& p = pool();
    const double index = tick.hardware_index[hardware_segment_];
    const double share = reserved_ ? p.reserved_share : 1.0 - p.reserved_share;
    procurement().observe_share(reserved_ ? 1 : 0, share, queue().in_use_pf(),
                                queue().waiting_work_pfh(), tick.interval_h);
    if (!reserved_) procurement().step(p, tick.now, index);
    const double installed = procurement().installed_pf();
    queue().advance(tick.now);
    queue().set_capacity_pf(installed * share);
    queue().set_price(operation_.price_usd_per_pf_hour(p, index));
  }

  void close_interval(SimTime now) override {
    queue().advance(now);
    operation_.close_interval(pool(), now, queue().take_billing(), queue().capacity_pf());
  }

  Duration latency() const override { return operation_.latency(params(), pool()); }

  VenueSupplyState supply_state() const override {
    VenueSupplyState state;
    state.subsidy_usd = operation_.subsidy().last_tick_usd;
    if (reserved_) return state;  // internal work: no route, no price to report
    state.latency_h = latency().in_hours();
    state.price_factor = operation_.price_factor();
    const double hours = operation_.last_close().in_hours();
    state.research_grants_usd = research_grants_disbursed_usd(pool(), start_, hours);
    state.open_source_grants_usd = open_source_grants_usd(pool(), start_, hours);
    return state;
  }

  void save_state(StateWriter& archive) const override {
    VenueModel::save_state(archive);
    archive(operation_);
  }
  void load_state(StateReader& archive) override {
    VenueModel::load_state(archive);
    archive(operation_);
  }

 protected:
  const AlliancePoolParams& pool() const { return *params().as<AlliancePoolParams>(); }
  virtual PoolProcurement& procurement() = 0;

 private:
  Date start_;
  size_t hardware_segment_;
  bool reserved_;
  PoolOperationState operation_;
};

// The public share carries what belongs to the whole pool: its purchases of hardware, its
// licences and its settlement rules. It steps the purchases before the reserved share reads
// the installed capacity (it comes first in the venue list).
class PublicPoolShare final : public PoolShare {
 public:
  PublicPoolShare(const VenueParams& params, size_t params_index, const VenueBuildContext& context,
                  size_t hardware_segment)
      : PoolShare(params.name, params, params_index, context.start, hardware_segment, false),
        procurement_(pool(), context.start, context.seed,
                     context.hardware->segments[hardware_segment].initial) {}

  bool has_sovereign_route() const override { return true; }

  double hardware_purchase_pf_per_year() const override {
    return procurement_.purchase_pf_per_year();
  }
  PoolProcurement* pool_procurement() override { return &procurement_; }

  // Licence-gated; public-chain jobs come in over a bridge the alliance accepts (under the
  // ban, only if it proves their work and the pool takes ZK-verified work), or directly on
  // the token route when tokenized access is not banned, or when the ban is enforced by
  // detection and the job may try to evade it.
  bool admits(Origin origin, bool licensed, const RouteKind& route,
              SimTime /*now*/) const override {
    if (!licensed) return false;
    const LicensingParams& l = pool().licensing;
    const bool public_chain = origin == Origin::PublicChain;
    if (route.bridged) {
      return route.bridge_alliance_accepts &&
             (!l.ban_tokenized_access || (l.accepts_zk_bridged_work && route.bridge_proves));
    }
    if (route.token_settled) {
      return public_chain && (!l.ban_tokenized_access || l.ban_detection_probability);
    }
    return !public_chain;
  }

  // The direct token route under the ban is open only to evasion, which is detected with
  // the ban's probability.
  double detection_probability(const RouteKind& route) const override {
    const LicensingParams& l = pool().licensing;
    const bool evading = l.ban_tokenized_access && route.token_settled && !route.bridged;
    return evading ? l.ban_detection_probability.value_or(0.0) : 0.0;
  }

  // Every job is paid in sovereign currency here: the FX spread; a token-settled one converts
  // from the chain first.
  double settlement_spread(bool token_settled) const override {
    const LicensingParams& l = pool().licensing;
    return l.fx_spread + (token_settled ? l.settlement_spread : 0.0);
  }

  Duration settlement_delay() const override { return pool().licensing.settlement_delay; }

  VenueCharges charge(bool token_settled, double bill_usd) override {
    VenueCharges charges;
    charges.settlement_usd = settlement_spread(token_settled) * bill_usd;
    return charges;
  }

  const LicensingParams* licensing() const override { return &pool().licensing; }

  // The pool's purchases belong to the public share: the reserved share only reads them.
  void save_state(StateWriter& archive) const override {
    PoolShare::save_state(archive);
    archive(procurement_);
  }
  void load_state(StateReader& archive) override {
    PoolShare::load_state(archive);
    archive(procurement_);
  }

 protected:
  PoolProcurement& procurement() override { return procurement_; }

 private:
  PoolProcurement procurement_;
};

// The reserved share's capacity is its share of what the public share bought.
class ReservedPoolShare final : public PoolShare {
 public:
  ReservedPoolShare(const VenueParams& params, size_t params_index, Date start,
                    size_t hardware_segment, PoolProcurement& procurement)
      : PoolShare(params.name + "_reserved", params, params_index, start, hardware_segment, true),
        procurement_(&procurement) {}

 protected:
  PoolProcurement& procurement() override { return *procurement_; }

 private:
  PoolProcurement* procurement_;
};

}  // namespace

void add_alliance_pool(const VenueParams& params, size_t params_index,
                       const VenueBuildContext& context,
                       std::vector<std::unique_ptr<VenueModel>>& venues) {
  const size_t segment =
      context.hardware->position(params.as<AlliancePoolParams>()->hardware_segment);
  auto public_share = std::make_unique<PublicPoolShare>(params, params_index, context, segment);
  PoolProcurement& procurement = *public_share->pool_procurement();
  venues.push_back(std::move(public_share));
  venues.push_back(std::make_unique<ReservedPoolShare>(params, params_index, context.start, segment,
                                                       procurement));
}

}  // namespace gpumarket
