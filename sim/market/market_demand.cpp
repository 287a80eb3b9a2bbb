// The demand side at run time: each segment's arrivals of the next tick, routed in one
// batch over the routes open to them (venues directly or through bridges), and what a
// job pays when it starts.
#include <algorithm>
#include <cmath>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/interrupt.hpp"
#include "market_model_impl.hpp"

namespace gpumarket {
void MarketModel::Impl::build_segments() {
  const uint64_t seed = scenario_.seed;
  for (const Segment& s : scenario_.segments) {
    const SegmentDemandParams& d = s.demand;
    segments_.push_back(
        SegmentRuntime{&s, ArrivalSampler(d.arrivals, weekday_of(scenario_.start)),
                       SizeSampler(d.width_pf), SizeSampler(d.duration_h), ZipfSampler(d.addresses),
                       make_stream(seed, "segment/" + s.name + "/arrivals"),
                       make_stream(seed, "segment/" + s.name + "/sizes"), address_count_});
    address_count_ += static_cast<uint64_t>(d.addresses.count);
  }
}

void MarketModel::Impl::build_routes() {
  for (const BridgeParams& b : scenario_.bridges) {
    bridges_.emplace_back(b, midnight_of(b.open, scenario_.start));
  }
  // Direct routes: token-settled for every venue; a venue that settles in sovereign currency
  // (the pool) has a sovereign-currency route first.
  for (uint32_t v = 0; v < venues_.size(); ++v) {
    const VenueModel& venue = *venues_[v];
    if (venue.reserved_for_internal_work() || !venue.params().direct_access) continue;
    if (venue.has_sovereign_route()) {
      routes_.push_back(Route{v, kNoBridge, false});
    }
    routes_.push_back(Route{v, kNoBridge, true});
  }
  for (uint32_t b = 0; b < scenario_.bridges.size(); ++b) {
    for (const std::string& target : scenario_.bridges[b].connects) {
      for (uint32_t v = 0; v < venues_.size(); ++v) {
        if (!venues_[v]->reserved_for_internal_work() && venues_[v]->name() == target) {
          routes_.push_back(Route{v, b, true});
        }
      }
    }
  }
  route_table_ = RouteTable(static_cast<Eigen::Index>(routes_.size()));
}

// Prices, waits and access as they stand at the tick: the routing of the next interval's
// arrivals sees them.
void MarketModel::Impl::refresh_route_table(SimTime now) {
  const double settlement_tx = settlement_fee_usd();
  for (Eigen::Index r = 0; r < route_table_.size(); ++r) {
    const Route& route = routes_[r];
    const VenueModel& venue = *venues_[route.venue];
    const Venue& queue = venue.queue();
    route_table_.price_usd_per_pf_hour(r) = queue.price_usd_per_pf_hour();
    route_table_.fixed_fee_usd(r) = route.token_settled ? settlement_tx : 0.0;
    route_table_.proportional_fee(r) = 0.0;
    route_table_.settlement_spread(r) = venue.settlement_spread(route.token_settled);
    route_table_.proof_cost_usd_per_pf_hour(r) = 0.0;
    route_table_.proof_hours_per_pf_hour(r) = 0.0;
    route_table_.expected_wait_h(r) = queue.expected_wait_h();
    route_table_.latency_h(r) = venue.latency().in_hours() + venue.settlement_delay().in_hours();
    route_table_.max_width_pf(r) = queue.capacity_pf();
    route_table_.open(r) = queue.capacity_pf() > 0;
    route_table_.licence_gated(r) = venue.licensing() != nullptr ? 1.0 : 0.0;
    RouteKind kind{route.bridge != kNoBridge, route.token_settled, false, false};
    if (kind.bridged) {
      const Bridge& bridge = bridges_[route.bridge];
      const BridgeParams& b = bridge.params();
      route_table_.fixed_fee_usd(r) += b.fee_fixed_usd;
      route_table_.fixed_fee_usd(r) += bridge_gas_usd(route.bridge);
      route_table_.proportional_fee(r) = b.fee_proportional;
      route_table_.proof_cost_usd_per_pf_hour(r) =
          b.proof_overhead * b.prover_price_usd_per_pf_hour;
      route_table_.proof_hours_per_pf_hour(r) = b.proof_overhead / b.prover_pf;
      route_table_.expected_wait_h(r) += bridge.backlog_h(now);
      route_table_.latency_h(r) += b.latency.in_hours();
      route_table_.open(r) = route_table_.open(r) && bridge.is_open(now);
      kind.bridge_alliance_accepts = b.alliance_accepts;
      kind.bridge_proves = b.proves();
      if (bridge_prover_[route.bridge] != kNoProver) {
        // The pool proves jobs as they leave the bridge's server: its wait beyond the
        // bridge's own backlog is what a job joining now adds.
        const ProverPool& pool = provers_[bridge_prover_[route.bridge]];
        route_table_.proof_cost_usd_per_pf_hour(r) = pool.price_usd_per_pf_hour(now);
        route_table_.proof_hours_per_pf_hour(r) = pool.proof_hours_per_pf_hour(now);
        route_table_.expected_wait_h(r) +=
            std::max(0.0, pool.backlog_h(now) - bridge.backlog_h(now));
      }
    }
    const VenueVerification& verification = verification_[route.venue];
    if (verification.active()) {
      // Users pay for the capacity-time their job takes, copies and checks included, and a
      // job fits only if all its copies do.
      route_table_.price_usd_per_pf_hour(r) *= verification.expected_work_factor();
      route_table_.max_width_pf(r) /= static_cast<double>(verification.copies());
    }
    if (venue_prover_[route.venue] != kNoProver) {
      const ProverPool& pool = provers_[venue_prover_[route.venue]];
      route_table_.proof_cost_usd_per_pf_hour(r) += pool.price_usd_per_pf_hour(now);
      route_table_.proof_hours_per_pf_hour(r) += pool.proof_hours_per_pf_hour(now);
      route_table_.expected_wait_h(r) += pool.backlog_h(now);
    }
    route_table_.detection_probability(r) = venue.detection_probability(kind);
    for (const Origin origin : {Origin::PublicChain, Origin::Sovereign}) {
      for (const bool licensed : {false, true}) {
        // Bridges carry on-chain jobs; the venue has its own rules.
        const bool allowed = (!kind.bridged || origin == Origin::PublicChain) &&
                             venue.admits(origin, licensed, kind, now);
        route_table_.allowed(job_class(origin, licensed), r) = allowed;
      }
    }
  }
  if (bridge_detail_) update_bridge_reach();
}

// Generates the arrivals of [t0, t1), clipped to the horizon, and routes them.
void MarketModel::Impl::generate_arrivals(SimTime t0, SimTime t1) {
  t1 = std::min(t1, SimTime::start() + scenario_.horizon);
  batch_slots_.clear();
  take_returned_jobs(t0);
  for (uint32_t s = 0; s < segments_.size(); ++s) {
    SegmentRuntime& segment = segments_[s];
    const SegmentDemandParams& demand = segment.params->demand;
    arrival_times_h_.clear();
    segment.arrivals.sample(t0.in_hours(), t1.in_hours(), segment.arrival_rng, arrival_times_h_);
    totals_.jobs_generated += arrival_times_h_.size();
    for (size_t i = 0; i < arrival_times_h_.size(); ++i) {
      poll_interrupt(i, "drawing the jobs of a tick");
      const double time_h = arrival_times_h_[i];
      const uint32_t slot = jobs_.acquire();
      Job& job = jobs_[slot];
      const SimTime at = SimTime::start() + Duration::hours(time_h);
      job.arrival = at < t0 ? t0 : at;  // rounding hours to microseconds may land 1 us early
      job.width_pf = segment.width.draw(segment.size_rng);
      job.service = Duration::hours(segment.duration.draw(segment.size_rng));
      job.segment = s;
      job.address = static_cast<uint32_t>(
          segment.address_offset + static_cast<uint64_t>(segment.addresses.draw(segment.size_rng)));
      job.public_chain = demand.origin == Origin::PublicChain;
      job.state = JobState::Scheduled;
      if (segment.params->internal) {
        job.venue = internal_venue_;
        job.route = kNoRoute;
        sim_.schedule_at(job.arrival, kVenueArrival, venue_arrival_.id(), slot);
        continue;
      }
      // The address's licence as it stands at the job's arrival (grant_licences has settled
      // every approval before t1).
      job.licensed = licences_->holds(job.address, job.arrival);
      job.access_usd = job.licensed ? access_cost_usd(segment, job.address) : 0.0;
      if (arrival_observer_) arrival_observer_({s, job.address, job.arrival, job.licensed});
      batch_slots_.push_back(slot);
      batch_classes_.push_back(job_class(demand.origin, job.licensed));
    }
  }
  if (batch_slots_.empty()) return;
  // One batch for all segments: the cost matrix and the choice are whole-array kernels.
  const auto n = static_cast<Eigen::Index>(batch_slots_.size());
  batch_.resize(n);
  const double licence_at_risk = licence_at_risk_usd();
  for (Eigen::Index j = 0; j < n; ++j) {
    const Job& job = jobs_[batch_slots_[j]];
    const SegmentDemandParams& demand = segments_[job.segment].params->demand;
    batch_.work_pfh(j) = job.work_pfh();
    batch_.width_pf(j) = job.width_pf;
    batch_.value_usd_per_pf_hour(j) = demand.value_usd_per_pf_hour * value_factor_[job.segment];
    batch_.value_of_time_usd_per_pf_hour_per_hour(j) =
        demand.value_of_time_usd_per_pf_hour_per_hour;
    batch_.job_class(j) = batch_classes_[j];
    batch_.access_cost_usd(j) = job.access_usd;
    batch_.licence_at_risk_usd(j) = job.licensed ? licence_at_risk : 0.0;
  }
  batch_classes_.clear();
  route_jobs(route_table_, batch_, current_->routing.logit_scale, routing_rng_, routing_);
  for (Eigen::Index j = 0; j < n; ++j) {
    poll_interrupt(static_cast<uint64_t>(j), "routing the jobs of a tick");
    const uint32_t slot = batch_slots_[j];
    Job& job = jobs_[slot];
    const int route = routing_.route(j);
    // A job the pool refuses for evading its ban leaves unserved, as a priced-out one does.
    if (route < 0 || caught_evading(job, route)) {
      metrics_->on_priced_out(job.segment);
      ++totals_.jobs_priced_out;
      jobs_.release(slot);
      continue;
    }
    job.route = static_cast<uint32_t>(route);
    job.venue = routes_[route].venue;
    sim_.schedule_at(job.arrival, kArrival, arrival_.id(), slot);
  }
}

// The job pays when it starts: the compute bill at the venue's price now (the price it was
// billed at, Job::billed_usd_per_pf_hour), plus its
// route's fees, proof and settlement costs, plus what its venue charges beside the bill.
// Internal work is not charged.
void MarketModel::Impl::charge(Job& job) {
  if (job.route == kNoRoute) return;
  const Route& route = routes_[job.route];
  VenueModel& venue = *venues_[job.venue];
  JobPayment payment;
  payment.venue = job.venue;
  payment.public_chain = job.public_chain;
  payment.licensed = job.licensed;
  payment.work_pfh = job.work_pfh();
  payment.bill_usd = job.billed_usd_per_pf_hour * payment.work_pfh * job.runs();
  const VenueCharges charges = venue.charge(route.token_settled, payment.bill_usd);
  payment.platform_fee_usd = charges.platform_fee_usd;
  payment.settlement_usd = route.token_settled ? settlement_fee_usd() : 0.0;
  payment.settlement_usd += charges.settlement_usd;
  if (route.token_settled) record_settlement();
  // The amortised licence cost the job's route carried: not money paid now (the fee was paid
  // at approval), but part of its cost of access.
  payment.access_usd = venue.licensing() != nullptr ? job.access_usd : 0.0;
  if (route.bridge != kNoBridge) {
    const BridgeParams& b = bridges_[route.bridge].params();
    payment.bridge = route.bridge;
    payment.bridge_fee_usd = b.fee_fixed_usd + b.fee_proportional * payment.bill_usd;
    payment.proof_usd = b.proof_overhead * b.prover_price_usd_per_pf_hour * payment.work_pfh;
    // Its bridge message and proof verification, as transaction costs on the bridge's chain.
    payment.settlement_usd += bridge_gas_usd(route.bridge);
    if (bridge_prover_[route.bridge] != kNoProver) {
      payment.proof_usd = provers_[bridge_prover_[route.bridge]].price_usd_per_pf_hour(sim_.now()) *
                          payment.work_pfh;
    }
  }
  if (venue_prover_[job.venue] != kNoProver) {
    payment.proof_usd +=
        provers_[venue_prover_[job.venue]].price_usd_per_pf_hour(sim_.now()) * payment.work_pfh;
  }
  metrics_->on_payment(payment);
}

}  // namespace gpumarket
