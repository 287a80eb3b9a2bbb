// The market model's job flow: arrival, transit over a bridge, the venue's line,
// service, completion and abandonment; and the run loop that drives it.
#include "gpumarket/market/market_model.hpp"

#include <algorithm>

#include "gpumarket/core/check.hpp"
#include "gpumarket/market/research_grants.hpp"
#include "market_model_impl.hpp"

namespace gpumarket {

MarketModel::Impl::Impl(const Scenario& scenario)
    : scenario_(scenario),
      current_(&scenario_),
      routing_rng_(make_stream(scenario.seed, "routing")),
      hardware_(scenario_.hardware) {
  build_segments();
  venues_ = make_venue_models(
      scenario_, {scenario_.seed, scenario_.start, address_count_, &scenario_.hardware});
  for (uint32_t v = 0; v < venues_.size(); ++v) {
    if (venues_[v]->reserved_for_internal_work()) {
      internal_venue_ = v;
      break;
    }
  }
  build_licences();
  build_routes();
  build_verification();
  bridge_jobs_.resize(bridges_.size());
  for (const Route& route : routes_) {
    route_venue_.push_back(route.venue);
    route_bridge_.push_back(route.bridge);
  }
  venue_capacity_pf_.assign(venues_.size(), 0.0);
  bridge_added_pf_.assign(bridges_.size(), 0.0);
  bridge_detail_ = scenario_.reports_bridge_detail();
  metrics_ = std::make_unique<MarketMetrics>(scenario_, venues_, bridges_, address_count_);
  build_chains();
  metrics_->attach_chains(chains_);
  metrics_->attach_provers(provers_, prover_names_);
  metrics_->attach_licences(*licences_);
}

RunTotals MarketModel::Impl::run(Recorder& recorder, const Progress& progress) {
  begin(recorder, progress, false);
  return end();
}

void MarketModel::Impl::begin(Recorder& recorder, Progress progress, bool keep_rows) {
  progress_ = std::move(progress);
  rows_.attach(recorder);
  if (keep_rows) rows_.keep_rows();
  metrics_->declare_series(rows_);
  for (uint32_t step = 0; step < scenario_.timeline.size(); ++step) {
    sim_.schedule_at(scenario_.timeline[step].at, kTimelineChange, timeline_change_.id(), step);
  }
  sim_.schedule_at(SimTime::start(), kTick, tick_.id(), 0);
  sim_.schedule_at(SimTime::start() + Duration::days(1), kDayEnd, day_end_.id(), 0);
  if (scenario_.warmup > Duration()) {
    sim_.schedule_at(SimTime::start() + scenario_.warmup, kWarmupEnd, warmup_end_.id(), 0);
  }
  schedule_outages();
}

RunTotals MarketModel::Impl::end() {
  sim_.run_until(horizon());
  advance_chains(horizon());
  close_interval(horizon());
  return finish();
}

void MarketModel::Impl::on_day_end(uint32_t /*unused*/) {
  const SimTime now = sim_.now();
  metrics_->close_day(now);
  const SimTime next = now + Duration::days(1);
  if (next <= SimTime::start() + scenario_.horizon)
    sim_.schedule_at(next, kDayEnd, day_end_.id(), 0);
}

RunTotals MarketModel::Impl::finish() {
  totals_.jobs_in_transit = jobs_in_transit_;
  totals_.jobs_in_proof = jobs_in_proof_;
  totals_.events = sim_.events_processed();
  metrics_->write_summary(totals_, hardware_);
  return totals_;
}

void MarketModel::Impl::on_warmup_end(uint32_t /*unused*/) { metrics_->absorb(sim_.now()); }

void MarketModel::Impl::on_tick(uint32_t /*unused*/) {
  const SimTime now = sim_.now();
  const double interval_h = (now - last_tick_).in_hours();
  advance_chains(now);
  if (now > SimTime::start()) close_interval(now);
  last_tick_ = now;
  if (progress_) {
    progress_({now.in_hours() / scenario_.horizon.in_hours(), now, sim_.events_processed()});
  }
  update_supply(now, interval_h);
  refresh_route_table(now);
  open_source_value_factors(*current_, now.in_hours(), value_factor_);
  const SimTime next = now + scenario_.tick;
  plan_licences(now);
  grant_licences(std::min(next, SimTime::start() + scenario_.horizon));
  generate_arrivals(now, next);
  if (next < SimTime::start() + scenario_.horizon) sim_.schedule_at(next, kTick, tick_.id(), 0);
}

// The venues account the interval first (the pool's subsidy and load), then it is recorded.
void MarketModel::Impl::close_interval(SimTime now) {
  for (auto& venue : venues_) venue->close_interval(now);
  metrics_->close_interval(now, hardware_);
}

void MarketModel::Impl::on_timeline_change(uint32_t step) {
  current_ = scenario_.timeline[step].state.get();
  for (auto& venue : venues_) venue->set_params(current_->venues[venue->params_index()]);
  for (size_t b = 0; b < bridges_.size(); ++b) {
    bridges_[b].set_params(current_->bridges[b]);
    bridges_[b].set_open_at(midnight_of(current_->bridges[b].open, scenario_.start));
  }
  set_verification_params();
  // Segments keep their random streams; their samplers take the new parameters.
  for (size_t s = 0; s < segments_.size(); ++s) {
    SegmentRuntime& segment = segments_[s];
    segment.params = &current_->segments[s];
    const SegmentDemandParams& demand = segment.params->demand;
    segment.arrivals = ArrivalSampler(demand.arrivals, weekday_of(scenario_.start));
    segment.width = SizeSampler(demand.width_pf);
    segment.duration = SizeSampler(demand.duration_h);
  }
  for (size_t c = 0; c < chains_.size(); ++c) chains_[c].set_params(current_->chains[c]);
  resolve_chains();
}

// A job appears at its origin: it crosses its bridge, or travels to its venue.
void MarketModel::Impl::on_arrival(uint32_t slot) {
  Job& job = jobs_[slot];
  const Route& route = routes_[job.route];
  // A pool job also waits for its sovereign-currency settlement.
  Duration delay = venues_[job.venue]->latency() + venues_[job.venue]->settlement_delay();
  bool stranded = false;
  if (route.bridge != kNoBridge) {
    Bridge& bridge = bridges_[route.bridge];
    if (bridge.is_down() && reroutes(route.bridge)) {
      return_to_origin(slot);
      return;
    }
    const double work = job.work_pfh();
    const BridgeParams& p = bridge.params();
    // While the bridge is down its clock stands at the outage's start (Bridge::enter).
    stranded = bridge.is_down();
    const SimTime clock = stranded ? bridge.down_since() : sim_.now();
    const SimTime leaves = bridge.enter(sim_.now(), work);
    if (bridge_prover_[route.bridge] != kNoProver) {
      // The bridge's prover pool proves the job when it leaves the bridge's server.
      const SimTime proven = provers_[bridge_prover_[route.bridge]].enter(leaves, work).done;
      delay = (proven - clock) + p.latency + delay;
    } else {
      const double proof_h = p.proof_overhead * work / p.prover_pf;
      delay = (leaves - clock) + p.latency + Duration::hours(proof_h) + delay;
    }
    metrics_->on_bridge_entry(route.bridge, work);
    record_bridge_message(route.bridge);
  }
  if (delay <= Duration() && !stranded) {
    on_venue_arrival(slot);
    return;
  }
  job.state = JobState::InTransit;
  ++jobs_in_transit_;
  if (route.bridge != kNoBridge) {
    board_bridge(slot, route.bridge, delay);
    return;
  }
  sim_.schedule_after(delay, kVenueArrival, venue_arrival_.id(), slot);
}

void MarketModel::Impl::on_venue_arrival(uint32_t slot) {
  Job& job = jobs_[slot];
  if (job.route != kNoRoute && routes_[job.route].bridge != kNoBridge) {
    const uint32_t b = routes_[job.route].bridge;
    if (job.state == JobState::InTransit) leave_bridge(slot, b);
    bridges_[b].deliver(job.work_pfh());
    bridges_[b].count_transit((sim_.now() - job.arrival).in_hours());
    record_proof_verification(b);
  }
  if (job.state == JobState::InTransit) --jobs_in_transit_;
  Venue& venue = venues_[job.venue]->queue();
  venue.advance(sim_.now());
  ++venue.counts().arrived;
  ++totals_.jobs_arrived;
  job.arrival = sim_.now();
  metrics_->on_venue_arrival(job.venue, job.address, sim_.now());
  join_venue(slot);
}

void MarketModel::Impl::join_venue(uint32_t slot) {
  Job& job = jobs_[slot];
  Venue& venue = venues_[job.venue]->queue();
  VenueVerification& verification = verification_[job.venue];
  if (verification.active()) {
    const VerificationAttempt attempt = verification.draw();
    job.copies = attempt.copies;
    job.re_execution = attempt.re_executed;
    job.verdict = attempt.verdict;
  }
  const double width_pf = job.venue_width_pf();
  if (venue.can_start_now(width_pf)) {
    start(slot);
    return;
  }
  job.state = JobState::Waiting;
  venue.join_line(slot, width_pf, width_pf * job.service.in_hours());
  const Duration patience = segments_[job.segment].params->demand.patience;
  if (!patience.is_infinite()) {
    job.abandonment = sim_.schedule_after(patience, kAbandonment, abandonment_.id(), slot);
  }
}

void MarketModel::Impl::start(uint32_t slot) {
  Job& job = jobs_[slot];
  Venue& venue = venues_[job.venue]->queue();
  // Internal work (no route) is not billed; see charge().
  job.billed_usd_per_pf_hour = job.route == kNoRoute ? 0.0 : venue.price_usd_per_pf_hour();
  venue.start_service(job.venue_width_pf(), job.billed_usd_per_pf_hour);
  ++venue.counts().started;
  venue.counts().wait_h += (sim_.now() - job.arrival).in_hours();
  job.state = JobState::InService;
  charge(job);
  sim_.schedule_after(job.service, kCompletion, completion_.id(), slot);
}

void MarketModel::Impl::on_completion(uint32_t slot) {
  Job& job = jobs_[slot];
  Venue& venue = venues_[job.venue]->queue();
  if (verification_[job.venue].active()) {
    // Every run of the job counts as delivered work: its copies and its re-execution too.
    metrics_->on_delivered(job.venue, job.venue_width_pf() * job.service.in_hours());
    if (job.re_execution) {
      // A spot check re-executes the job on the capacity it holds, once its result is in.
      job.re_execution = false;
      sim_.schedule_after(job.service, kCompletion, completion_.id(), slot);
      return;
    }
  }
  venue.advance(sim_.now());
  venue.end_service(job.venue_width_pf(), job.billed_usd_per_pf_hour);
  const uint32_t v = job.venue;
  if (venue_prover_[v] != kNoProver) {
    // The capacity is free; the result waits for the venue's prover pool.
    const SimTime proven = provers_[venue_prover_[v]].enter(sim_.now(), job.work_pfh()).done;
    job.state = JobState::InProof;
    ++jobs_in_proof_;
    sim_.schedule_at(proven, kProofDone, proof_done_.id(), slot);
  } else if (verification_[v].active()) {
    finish_attempt(slot);
  } else {
    complete(slot);
  }
  start_waiting_jobs(v);
}

// The job leaves with its result.
void MarketModel::Impl::complete(uint32_t slot) {
  Job& job = jobs_[slot];
  Venue& venue = venues_[job.venue]->queue();
  const double work = job.work_pfh();
  ++venue.counts().completed;
  venue.counts().served_pfh += work;
  venue.counts().sojourn_h += (sim_.now() - job.arrival).in_hours();
  metrics_->on_completion(job.public_chain, work);
  ++totals_.jobs_completed;
  jobs_.release(slot);
}

void MarketModel::Impl::on_abandonment(uint32_t slot) {
  Job& job = jobs_[slot];
  GPUMARKET_CHECK(job.state == JobState::Waiting);
  Venue& venue = venues_[job.venue]->queue();
  venue.advance(sim_.now());
  venue.leave_line(job.venue_width_pf(), job.venue_width_pf() * job.service.in_hours());
  ++venue.counts().abandoned;
  ++totals_.jobs_abandoned;
  job.state = JobState::Abandoned;  // its slot is freed when it reaches the head of the line
  start_waiting_jobs(job.venue);
}

// Starts jobs from the head of the line while they fit (strict FIFO: a job that does
// not fit blocks those behind it).
void MarketModel::Impl::start_waiting_jobs(uint32_t v) {
  Venue& venue = venues_[v]->queue();
  FifoRing& line = venue.line();
  while (!line.empty()) {
    const uint32_t slot = line.front();
    Job& job = jobs_[slot];
    if (job.state == JobState::Abandoned) {
      line.pop_front();
      jobs_.release(slot);
      continue;
    }
    const double width_pf = job.venue_width_pf();
    if (!venue.fits(width_pf)) break;
    line.pop_front();
    venue.leave_line(width_pf, width_pf * job.service.in_hours());
    if (job.abandonment.sequence != 0) sim_.cancel(job.abandonment);
    start(slot);
  }
}

MarketModel::MarketModel(const Scenario& scenario) : impl_(std::make_unique<Impl>(scenario)) {}
MarketModel::~MarketModel() = default;

RunTotals MarketModel::run(Recorder& recorder, const Progress& progress) {
  return impl_->run(recorder, progress);
}

void MarketModel::begin(Recorder& recorder, Progress progress, bool keep_rows) {
  impl_->begin(recorder, std::move(progress), keep_rows);
}
void MarketModel::advance_to(SimTime until) { impl_->advance_to(until); }
SimTime MarketModel::now() const { return impl_->now(); }
RunTotals MarketModel::end() { return impl_->end(); }
std::string MarketModel::save_state() { return impl_->save_state(); }
void MarketModel::resume(Recorder& recorder, const std::string& state, Progress progress,
                         bool keep_rows) {
  impl_->resume(recorder, std::move(progress), state, keep_rows);
}

void MarketModel::observe_arrivals(ArrivalObserver observer) {
  impl_->observe_arrivals(std::move(observer));
}

}  // namespace gpumarket
