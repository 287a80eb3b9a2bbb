// Bridge outages at run time: random failures (exponential up and down times, one stream per
// bridge) and scheduled pauses take a bridge down; the jobs on it are stranded until it
// resumes or sent back to their origin to be routed again (docs/model.md, "Bridge outages").
// Also the capacity each bridge adds, refreshed with the route table.
#include <boost/random/exponential_distribution.hpp>

#include "gpumarket/core/check.hpp"
#include "gpumarket/market/bridge_reach.hpp"
#include "market_model_impl.hpp"

namespace gpumarket {
namespace {

// An exponential time with the given rate per hour, in microseconds (at least 1 µs, so
// that an outage always has a start and an end).
Duration exponential_hours(double rate_per_hour, RandomEngine& engine) {
  const double hours = boost::random::exponential_distribution<double>(rate_per_hour)(engine);
  return std::max(Duration::hours(hours), Duration::micros(1));
}

}  // namespace

void MarketModel::Impl::schedule_outages() {
  const SimTime horizon = SimTime::start() + scenario_.horizon;
  for (uint32_t b = 0; b < bridges_.size(); ++b) {
    const BridgeParams& params = scenario_.bridges[b];
    outage_rngs_.push_back(make_stream(scenario_.seed, "bridge/" + params.name + "/outages"));
    const BridgeOutageParams& outages = params.outages;
    // The failure process starts when the bridge first opens: a closed bridge cannot fail.
    if (outages.rate_per_year > 0.0) {
      const SimTime opens = std::max(SimTime::start(), bridges_[b].open_at());
      const SimTime first =
          opens + exponential_hours(outages.rate_per_year / kHoursPerYear, outage_rngs_[b]);
      if (first < horizon) sim_.schedule_at(first, kBridgeState, bridge_down_.id(), b);
    }
    for (const BridgePause& pause : outages.pauses) {
      const SimTime from = std::max(SimTime::start(), midnight_of(pause.from, scenario_.start));
      const SimTime to = midnight_of(pause.to, scenario_.start);
      if (to <= from || from >= horizon) continue;
      sim_.schedule_at(from, kBridgeState, bridge_down_.id(), b | kPauseBit);
      sim_.schedule_at(to, kBridgeState, bridge_up_.id(), b | kPauseBit);
    }
  }
}

void MarketModel::Impl::on_bridge_down(uint32_t arg) {
  const uint32_t b = arg & ~kPauseBit;
  const SimTime now = sim_.now();
  Bridge& bridge = bridges_[b];
  if ((arg & kPauseBit) == 0) {
    const BridgeOutageParams& outages = scenario_.bridges[b].outages;
    const double end_rate_per_hour = 1.0 / outages.mean_duration.in_hours();
    sim_.schedule_at(now + exponential_hours(end_rate_per_hour, outage_rngs_[b]), kBridgeState,
                     bridge_up_.id(), b);
  }
  if (!bridge.go_down(now)) return;  // already down for another reason
  std::vector<uint32_t>& on_bridge = bridge_jobs_[b];
  if (!reroutes(b)) {
    // Stranded: the pending arrivals are cancelled; each job keeps its due time, which
    // on_bridge_up moves on by the downtime.
    for (const uint32_t slot : on_bridge) {
      sim_.cancel(jobs_[slot].transit);
      jobs_[slot].transit = EventHandle{};
      bridge.strand(now);
    }
    return;
  }
  // Rerouted: every job on the bridge goes back to its origin, and the queue empties.
  for (const uint32_t slot : on_bridge) {
    Job& job = jobs_[slot];
    sim_.cancel(job.transit);
    job.transit = EventHandle{};
    bridge.withdraw(job.work_pfh());
    bridge.count_rerouted();
    returned_jobs_.push_back(slot);
  }
  on_bridge.clear();
  bridge.clear_queue(now);
}

void MarketModel::Impl::on_bridge_up(uint32_t arg) {
  const uint32_t b = arg & ~kPauseBit;
  const SimTime now = sim_.now();
  Bridge& bridge = bridges_[b];
  if ((arg & kPauseBit) == 0) {
    const double rate_per_hour = scenario_.bridges[b].outages.rate_per_year / kHoursPerYear;
    sim_.schedule_at(now + exponential_hours(rate_per_hour, outage_rngs_[b]), kBridgeState,
                     bridge_down_.id(), b);
  }
  if (!bridge.go_up(now)) return;  // still down for another reason
  if (reroutes(b)) return;         // nothing waited on it
  const Duration downtime = now - bridge.down_since();
  for (const uint32_t slot : bridge_jobs_[b]) {
    Job& job = jobs_[slot];
    job.reaches_venue = job.reaches_venue + downtime;
    job.transit = sim_.schedule_at(job.reaches_venue, kVenueArrival, venue_arrival_.id(), slot);
  }
  bridge.release_stranded(now);
}

// The job entered the bridge; `transit` is its time to the venue with the bridge up, counted
// from now, or from the outage's start while the bridge is down (then it is stranded).
void MarketModel::Impl::board_bridge(uint32_t slot, uint32_t b, Duration transit) {
  Job& job = jobs_[slot];
  Bridge& bridge = bridges_[b];
  job.in_flight_index = static_cast<uint32_t>(bridge_jobs_[b].size());
  bridge_jobs_[b].push_back(slot);
  if (bridge.is_down()) {
    job.reaches_venue = bridge.down_since() + transit;
    bridge.strand(sim_.now());
    return;
  }
  job.reaches_venue = sim_.now() + transit;
  job.transit = sim_.schedule_at(job.reaches_venue, kVenueArrival, venue_arrival_.id(), slot);
}

void MarketModel::Impl::leave_bridge(uint32_t slot, uint32_t b) {
  std::vector<uint32_t>& on_bridge = bridge_jobs_[b];
  const uint32_t index = jobs_[slot].in_flight_index;
  GPUMARKET_CHECK(index < on_bridge.size() && on_bridge[index] == slot);
  const uint32_t last = on_bridge.back();
  on_bridge[index] = last;
  jobs_[last].in_flight_index = index;
  on_bridge.pop_back();
}

// A job reaching a bridge that is down, with on_outage: reroute, goes back to its origin.
void MarketModel::Impl::return_to_origin(uint32_t slot) {
  Job& job = jobs_[slot];
  job.state = JobState::InTransit;
  ++jobs_in_transit_;
  bridges_[routes_[job.route].bridge].count_rerouted();
  returned_jobs_.push_back(slot);
}

// The jobs sent back since the last tick join this tick's batch, arriving now.
void MarketModel::Impl::take_returned_jobs(SimTime now) {
  for (const uint32_t slot : returned_jobs_) {
    Job& job = jobs_[slot];
    GPUMARKET_CHECK(job.state == JobState::InTransit);
    job.state = JobState::Scheduled;
    --jobs_in_transit_;
    job.arrival = now;
    batch_slots_.push_back(slot);
    batch_classes_.push_back(job_class(segments_[job.segment].params->demand.origin, job.licensed));
  }
  returned_jobs_.clear();
}

void MarketModel::Impl::update_bridge_reach() {
  for (uint32_t v = 0; v < venues_.size(); ++v) {
    venue_capacity_pf_[v] = venues_[v]->queue().capacity_pf();
  }
  bridge_added_capacity(route_table_, route_venue_, route_bridge_, venue_capacity_pf_,
                        bridge_added_pf_);
  for (uint32_t b = 0; b < bridges_.size(); ++b)
    bridges_[b].set_added_capacity_pf(bridge_added_pf_[b]);
}

}  // namespace gpumarket
