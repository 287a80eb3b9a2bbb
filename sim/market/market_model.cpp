#include "gpumarket/market/market_model.hpp"

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/random.hpp"
#include "gpumarket/engine/simulation.hpp"
#include "gpumarket/market/job_pool.hpp"
#include "gpumarket/market/venue.hpp"

namespace gpumarket {
namespace {

// Kinds of event, in the order they run when they share a time: capacity is freed
// before new work claims it, and the tick sees the state after all job events.
constexpr Priority kCompletion = 1;
constexpr Priority kAbandonment = 2;
constexpr Priority kArrival = 3;
constexpr Priority kTick = 4;
constexpr Priority kWarmupEnd = 5;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio_or_nan(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : kNaN;
}

// One segment's demand: Poisson arrivals and job sizes, each from its own stream.
struct SegmentRuntime {
  const Segment* params;
  RandomEngine arrivals;
  RandomEngine sizes;
  double next_arrival_h = 0;
};

// Time series handles of one venue-indexed quantity.
struct SeriesIds {
  SeriesId time_h, capacity_pf, utilisation, price, queue_length, jobs_waiting, arrivals,
      completed, abandoned, mean_wait_h;
};

}  // namespace

class MarketModel::Impl final : public EventHandler {
 public:
  explicit Impl(const Scenario& scenario) : scenario_(scenario) {
    for (const FixedVenue& v : scenario_.fixed_venues) {
      venues_.emplace_back(v.name, static_cast<double>(v.servers) * v.pf_per_server,
                           v.price_usd_per_pf_hour);
    }
    for (const Segment& s : scenario_.segments) {
      segments_.push_back(SegmentRuntime{&s, make_stream(scenario_.seed, "segment/" + s.name + "/arrivals"),
                                         make_stream(scenario_.seed, "segment/" + s.name + "/sizes"), 0});
      segments_.back().next_arrival_h = draw_interarrival_h(segments_.back());
    }
    handler_ = sim_.add_handler(*this);
    row_.resize(venues_.size());
  }

  RunTotals run(Recorder& recorder, const Progress& progress) {
    recorder_ = &recorder;
    declare_series();
    const SimTime horizon = SimTime::start() + scenario_.horizon;
    sim_.schedule_at(SimTime::start(), kTick, handler_, 0);
    if (scenario_.warmup > Duration()) {
      sim_.schedule_at(SimTime::start() + scenario_.warmup, kWarmupEnd, handler_, 0);
    }
    progress_ = &progress;
    sim_.run_until(horizon);
    close_interval(horizon);
    return finish_totals();
  }

  void handle(Simulation& sim, const Event& event) override {
    switch (event.priority()) {
      case kArrival: on_arrival(event.arg); break;
      case kCompletion: on_completion(event.arg); break;
      case kAbandonment: on_abandonment(event.arg); break;
      case kTick: on_tick(sim.now()); break;
      case kWarmupEnd: absorb(sim.now()); break;
      default: GPUMARKET_CHECK_MSG(false, "unknown event kind");
    }
  }

 private:
  double draw_interarrival_h(SegmentRuntime& segment) {
    boost::random::exponential_distribution<double> gap(segment.params->arrival_rate_per_hour);
    return gap(segment.arrivals);
  }

  Duration draw_service(SegmentRuntime& segment) {
    const DurationDistribution& d = segment.params->duration;
    if (d.shape == DurationDistribution::Shape::Exponential) {
      boost::random::exponential_distribution<double> service(1.0 / d.mean_h);
      return Duration::hours(service(segment.sizes));
    }
    boost::random::lognormal_distribution<double> service(std::log(d.median_h), d.sigma);
    return Duration::hours(service(segment.sizes));
  }

  // The cheapest venue whose capacity can ever hold the job.
  uint32_t choose_venue(double width_pf) const {
    uint32_t best = 0;
    double best_price = std::numeric_limits<double>::infinity();
    for (uint32_t v = 0; v < venues_.size(); ++v) {
      if (venues_[v].capacity_pf() >= width_pf && venues_[v].price_usd_per_pf_hour() < best_price) {
        best = v;
        best_price = venues_[v].price_usd_per_pf_hour();
      }
    }
    return best;
  }

  // Generates the arrivals of [t0, t1) and schedules them.
  void generate_arrivals(SimTime t0, SimTime t1) {
    const double end_h = t1.in_hours();
    for (uint32_t s = 0; s < segments_.size(); ++s) {
      SegmentRuntime& segment = segments_[s];
      while (segment.next_arrival_h < end_h) {
        const SimTime at = SimTime::start() + Duration::hours(segment.next_arrival_h);
        segment.next_arrival_h += draw_interarrival_h(segment);
        const uint32_t slot = jobs_.acquire();
        Job& job = jobs_[slot];
        job.arrival = at < t0 ? t0 : at;  // rounding hours to microseconds may land 1 us early
        job.width_pf = segment.params->width_pf;
        job.service = draw_service(segment);
        job.segment = s;
        job.venue = choose_venue(job.width_pf);
        job.state = JobState::Scheduled;
        sim_.schedule_at(job.arrival, kArrival, handler_, slot);
      }
    }
  }

  void on_arrival(uint32_t slot) {
    Job& job = jobs_[slot];
    Venue& venue = venues_[job.venue];
    venue.advance(sim_.now());
    ++venue.counts().arrived;
    ++totals_.jobs_arrived;
    if (venue.can_start_now(job.width_pf)) {
      start(slot);
      return;
    }
    job.state = JobState::Waiting;
    venue.join_line(slot);
    const Duration patience = segments_[job.segment].params->patience;
    if (!patience.is_infinite()) {
      job.abandonment = sim_.schedule_after(patience, kAbandonment, handler_, slot);
    }
  }

  void start(uint32_t slot) {
    Job& job = jobs_[slot];
    Venue& venue = venues_[job.venue];
    const double wait_h = (sim_.now() - job.arrival).in_hours();
    venue.start_service(job.width_pf);
    ++venue.counts().started;
    venue.counts().wait_hours += wait_h;
    job.state = JobState::InService;
    job.start = sim_.now();
    sim_.schedule_after(job.service, kCompletion, handler_, slot);
  }

  void on_completion(uint32_t slot) {
    Job& job = jobs_[slot];
    Venue& venue = venues_[job.venue];
    venue.advance(sim_.now());
    venue.end_service(job.width_pf);
    ++venue.counts().completed;
    venue.counts().served_pf_hours += job.width_pf * job.service.in_hours();
    venue.counts().sojourn_hours += (sim_.now() - job.arrival).in_hours();
    ++totals_.jobs_completed;
    const uint32_t v = job.venue;
    jobs_.release(slot);
    start_waiting_jobs(v);
  }

  void on_abandonment(uint32_t slot) {
    Job& job = jobs_[slot];
    GPUMARKET_CHECK(job.state == JobState::Waiting);
    Venue& venue = venues_[job.venue];
    venue.advance(sim_.now());
    venue.leave_line();
    ++venue.counts().abandoned;
    ++totals_.jobs_abandoned;
    job.state = JobState::Abandoned;  // its slot is freed when it reaches the head of the line
    start_waiting_jobs(job.venue);
  }

  // Starts jobs from the head of the line while they fit (strict FIFO: a job that does
  // not fit blocks those behind it).
  void start_waiting_jobs(uint32_t v) {
    Venue& venue = venues_[v];
    FifoRing& line = venue.line();
    while (!line.empty()) {
      const uint32_t slot = line.front();
      Job& job = jobs_[slot];
      if (job.state == JobState::Abandoned) {
        line.pop_front();
        jobs_.release(slot);
        continue;
      }
      if (!venue.fits(job.width_pf)) break;
      line.pop_front();
      venue.leave_line();
      if (job.abandonment.sequence != 0) sim_.cancel(job.abandonment);
      start(slot);
    }
  }

  void on_tick(SimTime now) {
    if (now > SimTime::start()) close_interval(now);
    if (*progress_) (*progress_)(now.in_hours() / scenario_.horizon.in_hours());
    const SimTime next = now + scenario_.tick;
    generate_arrivals(now, next);
    if (next < SimTime::start() + scenario_.horizon) sim_.schedule_at(next, kTick, handler_, 0);
  }

  // Moves every venue's integrals and counts up to `now` into the current interval,
  // and into the run's totals when the warm-up is over.
  void absorb(SimTime now) {
    const bool measuring = last_absorb_ >= SimTime::start() + scenario_.warmup;
    for (size_t v = 0; v < venues_.size(); ++v) {
      venues_[v].advance(now);
      const VenueAreas areas = venues_[v].take_areas();
      const VenueCounts counts = venues_[v].take_counts();
      interval_areas_[v].add(areas);
      interval_counts_[v].add(counts);
      if (measuring) {
        window_areas_[v].add(areas);
        window_counts_[v].add(counts);
      }
    }
    if (measuring) window_hours_ += (now - last_absorb_).in_hours();
    last_absorb_ = now;
  }

  void declare_series() {
    interval_areas_.assign(venues_.size(), {});
    interval_counts_.assign(venues_.size(), {});
    window_areas_.assign(venues_.size(), {});
    window_counts_.assign(venues_.size(), {});
    std::vector<std::string> names;
    for (const Venue& v : venues_) names.push_back(v.name());
    auto venue_series = [&](const char* name, const char* unit, const char* description) {
      return recorder_->declare_series({"tick", name, unit, description, names});
    };
    ids_.time_h = recorder_->declare_series(
        {"tick", "time_h", "h", "end of each tick interval, hours since start", {}});
    ids_.capacity_pf = venue_series("capacity_pf", "PF", "capacity at the end of the tick");
    ids_.utilisation = venue_series("utilisation", "1", "time-average PF in use / PF of capacity");
    ids_.price = venue_series("price", "USD/(PF*h)", "price at the end of the tick");
    ids_.queue_length = venue_series("queue_length", "jobs", "time-average number of waiting jobs");
    ids_.jobs_waiting = venue_series("jobs_waiting", "jobs", "jobs waiting at the end of the tick");
    ids_.arrivals = venue_series("arrivals", "jobs", "jobs that arrived during the tick");
    ids_.completed = venue_series("completed", "jobs", "jobs that completed during the tick");
    ids_.abandoned = venue_series("abandoned", "jobs", "jobs that abandoned during the tick");
    ids_.mean_wait_h = venue_series("mean_wait_h", "h", "mean wait of jobs that started during the tick");
  }

  void close_interval(SimTime now) {
    absorb(now);
    const double hours = (now - interval_start_).in_hours();
    const double time_h = now.in_hours();
    recorder_->append(ids_.time_h, std::span<const double>(&time_h, 1));
    auto emit = [&](SeriesId id, auto value_of) {
      for (size_t v = 0; v < venues_.size(); ++v) row_[v] = value_of(v);
      recorder_->append(id, row_);
    };
    emit(ids_.capacity_pf, [&](size_t v) { return venues_[v].capacity_pf(); });
    emit(ids_.utilisation, [&](size_t v) {
      return ratio_or_nan(interval_areas_[v].in_use_pf_hours, interval_areas_[v].capacity_pf_hours);
    });
    emit(ids_.price, [&](size_t v) { return venues_[v].price_usd_per_pf_hour(); });
    emit(ids_.queue_length,
         [&](size_t v) { return ratio_or_nan(interval_areas_[v].waiting_job_hours, hours); });
    emit(ids_.jobs_waiting, [&](size_t v) { return static_cast<double>(venues_[v].waiting()); });
    emit(ids_.arrivals, [&](size_t v) { return static_cast<double>(interval_counts_[v].arrived); });
    emit(ids_.completed, [&](size_t v) { return static_cast<double>(interval_counts_[v].completed); });
    emit(ids_.abandoned, [&](size_t v) { return static_cast<double>(interval_counts_[v].abandoned); });
    emit(ids_.mean_wait_h, [&](size_t v) {
      return ratio_or_nan(interval_counts_[v].wait_hours, static_cast<double>(interval_counts_[v].started));
    });
    interval_areas_.assign(venues_.size(), {});
    interval_counts_.assign(venues_.size(), {});
    interval_start_ = now;
  }

  RunTotals finish_totals() {
    VenueAreas areas;
    VenueCounts counts;
    for (size_t v = 0; v < venues_.size(); ++v) {
      areas.add(window_areas_[v]);
      counts.add(window_counts_[v]);
      totals_.jobs_waiting += static_cast<uint64_t>(venues_[v].waiting());
      totals_.jobs_in_service += static_cast<uint64_t>(venues_[v].in_service());
    }
    totals_.events = sim_.events_processed();
    auto put = [&](const std::string& name, double value, const char* unit, const char* description) {
      recorder_->add_summary({name, value, unit, description});
    };
    const double hours = window_hours_;
    put("jobs_arrived", static_cast<double>(totals_.jobs_arrived), "jobs", "jobs that arrived at a venue");
    put("jobs_completed", static_cast<double>(totals_.jobs_completed), "jobs", "jobs that finished service");
    put("jobs_abandoned", static_cast<double>(totals_.jobs_abandoned), "jobs", "jobs that left after waiting past their patience");
    put("jobs_priced_out", static_cast<double>(totals_.jobs_priced_out), "jobs", "jobs that did not submit because every option cost more than their value");
    put("jobs_waiting_at_end", static_cast<double>(totals_.jobs_waiting), "jobs", "jobs waiting at the horizon");
    put("jobs_in_service_at_end", static_cast<double>(totals_.jobs_in_service), "jobs", "jobs in service at the horizon");
    put("measured_hours", hours, "h", "length of the measurement window (horizon minus warm-up)");
    put("arrival_rate_per_hour", static_cast<double>(counts.arrived) / hours, "1/h", "arrivals per hour in the window");
    put("mean_wait_h", ratio_or_nan(counts.wait_hours, static_cast<double>(counts.started)), "h", "mean wait of jobs that started service in the window");
    put("mean_sojourn_h", ratio_or_nan(counts.sojourn_hours, static_cast<double>(counts.completed)), "h", "mean time in system of jobs that completed in the window");
    put("mean_queue_length", areas.waiting_job_hours / hours, "jobs", "time-average number of waiting jobs");
    put("mean_in_system", areas.in_system_job_hours / hours, "jobs", "time-average number of jobs waiting or in service");
    put("utilisation", ratio_or_nan(areas.in_use_pf_hours, areas.capacity_pf_hours), "1", "PF·h in use / PF·h of capacity");
    put("served_pf_hours", counts.served_pf_hours, "PF*h", "work of jobs completed in the window");
    put("events", static_cast<double>(totals_.events), "events", "events the engine processed");
    return totals_;
  }

  const Scenario scenario_;  // a copy: callers may pass a temporary
  Simulation sim_;
  HandlerId handler_ = 0;
  JobPool jobs_;
  std::vector<Venue> venues_;
  std::vector<SegmentRuntime> segments_;
  Recorder* recorder_ = nullptr;
  const Progress* progress_ = nullptr;
  SeriesIds ids_{};
  std::vector<double> row_;
  std::vector<VenueAreas> interval_areas_, window_areas_;
  std::vector<VenueCounts> interval_counts_, window_counts_;
  SimTime interval_start_;
  SimTime last_absorb_;
  double window_hours_ = 0;
  RunTotals totals_;
};

MarketModel::MarketModel(const Scenario& scenario) : impl_(std::make_unique<Impl>(scenario)) {}
MarketModel::~MarketModel() = default;

RunTotals MarketModel::run(Recorder& recorder, const Progress& progress) {
  return impl_->run(recorder, progress);
}

}  // namespace gpumarket
