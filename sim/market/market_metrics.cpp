// What the model reports: per-tick and per-day series, and the run's summary
// indicators (MODEL.md §5), all streamed through the Recorder.
#include <cmath>
#include <limits>

#include "gpumarket/core/check.hpp"
#include "market_model_impl.hpp"

namespace gpumarket {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio_or_nan(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : kNaN;
}

bool in_window(Date day, Date from, Date to) { return day >= from && day < to; }

}  // namespace

void MarketModel::Impl::declare_series() {
  const size_t n = venues_.size();
  interval_areas_.assign(n, {});
  interval_counts_.assign(n, {});
  window_areas_.assign(n, {});
  window_counts_.assign(n, {});
  interval_payments_usd_.assign(n, 0.0);
  last_demand_pf_.assign(n, 0.0);
  interval_bridge_volume_pfh_.assign(bridges_.size(), 0.0);
  interval_bridge_fees_usd_.assign(bridges_.size(), 0.0);
  window_bridge_volume_before_pfh_.assign(bridges_.size(), 0.0);
  window_bridge_volume_after_pfh_.assign(bridges_.size(), 0.0);
  interval_priced_out_.assign(segments_.size(), 0.0);
  daa_before_sum_.assign(n, 0.0);
  daa_after_sum_.assign(n, 0.0);
  row_.reserve(std::max({n, bridges_.size(), segments_.size(), size_t{1}}));

  std::vector<std::string> venue_names, bridge_names, segment_names;
  for (const VenueRuntime& v : venues_) venue_names.push_back(v.queue.name());
  for (const BridgeParams& b : scenario_.bridges) bridge_names.push_back(b.name);
  for (const Segment& s : scenario_.segments) segment_names.push_back(s.name);
  ModelSeriesIds& ids = ids_;
  auto declare = [&](const char* group, const char* name, const char* unit, const char* what,
                     const std::vector<std::string>& columns) {
    return recorder_->declare_series({group, name, unit, what, columns});
  };
  const std::vector<std::string> scalar;
  ids.time_h =
      declare("tick", "time_h", "h", "end of each tick interval, hours since start", scalar);
  ids.capacity_pf =
      declare("tick", "capacity_pf", "PF", "capacity at the end of the tick", venue_names);
  ids.capacity_gpu = declare("tick", "capacity_gpu", "GPU",
                             "capacity in GPU-equivalents (units.pf_per_gpu)", venue_names);
  ids.utilisation =
      declare("tick", "utilisation", "1", "time-average PF in use / PF of capacity", venue_names);
  ids.price = declare("tick", "price", "USD/(PF*h)", "price during the tick", venue_names);
  ids.queue_length =
      declare("tick", "queue_length", "jobs", "time-average number of waiting jobs", venue_names);
  ids.jobs_waiting =
      declare("tick", "jobs_waiting", "jobs", "jobs waiting at the end of the tick", venue_names);
  ids.mean_wait_h = declare("tick", "mean_wait_h", "h",
                            "mean wait of jobs that started during the tick", venue_names);
  ids.served_pfh =
      declare("tick", "served_pfh", "PF*h", "work of jobs completed during the tick", venue_names);
  ids.arrivals = declare("tick", "arrivals", "jobs",
                         "jobs that joined the venue's line during the tick", venue_names);
  ids.completed =
      declare("tick", "completed", "jobs", "jobs that completed during the tick", venue_names);
  ids.abandoned =
      declare("tick", "abandoned", "jobs", "jobs that abandoned during the tick", venue_names);
  ids.revenue_usd = declare("tick", "revenue_usd", "USD",
                            "compute bills of jobs that started during the tick", venue_names);
  ids.provider_count = declare("tick", "provider_count", "providers",
                               "marketplace providers after entry and exit", venue_names);
  ids.mean_margin = declare("tick", "mean_margin", "USD/(PF*h)",
                            "capacity-weighted rolling provider margin", venue_names);
  ids.token_usd =
      declare("tick", "token_usd", "USD", "price of the marketplace's token", venue_names);
  ids.hardware_index = declare("tick", "hardware_index", "1", "GPU hardware price index", scalar);
  ids.fee_index = declare(
      "tick", "fee_index", "USD/(PF*h)",
      "all-in cost per PF*h paid by public-chain jobs that started during the tick", scalar);
  ids.price_index = declare("tick", "decentralized_price_index", "USD/(PF*h)",
                            "capacity-weighted mean marketplace price", scalar);
  ids.state_share =
      declare("tick", "state_share", "1",
              "share of the tick's completed work served by the alliance pool", scalar);
  ids.public_chain_served_pfh =
      declare("tick", "public_chain_served_pfh", "PF*h",
              "work of public-chain jobs completed during the tick", scalar);
  if (!bridges_.empty()) {
    ids.bridge_volume_pfh = declare("tick", "bridge_volume_pfh", "PF*h",
                                    "work that entered the bridge during the tick", bridge_names);
    ids.bridge_fees_usd = declare("tick", "bridge_fees_usd", "USD",
                                  "bridge fees and proof costs paid during the tick", bridge_names);
    ids.bridge_backlog_h =
        declare("tick", "bridge_backlog_h", "h",
                "wait for the bridge's capacity at the end of the tick", bridge_names);
    ids.bridge_in_flight_pfh = declare("tick", "bridge_in_flight_pfh", "PF*h",
                                       "work in the bridge's queue or in transit", bridge_names);
  }
  ids.priced_out =
      declare("tick", "priced_out", "jobs",
              "jobs that did not submit: every option cost more than their value", segment_names);
  ids.day_time_h = declare("day", "time_h", "h", "end of each day, hours since start", scalar);
  ids.daa = declare("day", "daa", "addresses",
                    "daily active addresses: distinct addresses whose jobs arrived", venue_names);
}

// Moves every venue's integrals and counts up to `now` into the current interval, and
// into the run's totals once the warm-up is over.
void MarketModel::Impl::absorb(SimTime now) {
  const bool measuring = last_absorb_ >= SimTime::start() + scenario_.warmup;
  for (size_t v = 0; v < venues_.size(); ++v) {
    venues_[v].queue.advance(now);
    const VenueAreas areas = venues_[v].queue.take_areas();
    const VenueCounts counts = venues_[v].queue.take_counts();
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

void MarketModel::Impl::close_interval(SimTime now) {
  const bool measuring = interval_start_ >= SimTime::start() + scenario_.warmup;
  absorb(now);
  const double hours = (now - interval_start_).in_hours();
  const ModelSeriesIds& ids = ids_;
  auto scalar = [&](SeriesId id, double value) {
    recorder_->append(id, std::span<const double>(&value, 1));
  };
  auto per = [&](SeriesId id, size_t count, auto value_of) {
    if (count == 0) return;  // e.g. no bridges: the series was not declared
    row_.resize(count);
    for (size_t i = 0; i < count; ++i) row_[i] = value_of(i);
    recorder_->append(id, row_);
  };
  const size_t n = venues_.size();
  scalar(ids.time_h, now.in_hours());
  per(ids.capacity_pf, n, [&](size_t v) { return venues_[v].queue.capacity_pf(); });
  per(ids.capacity_gpu, n,
      [&](size_t v) { return venues_[v].queue.capacity_pf() / scenario_.pf_per_gpu; });
  per(ids.utilisation, n, [&](size_t v) {
    return ratio_or_nan(interval_areas_[v].in_use_pf_hours, interval_areas_[v].capacity_pf_hours);
  });
  per(ids.price, n, [&](size_t v) { return venues_[v].queue.price_usd_per_pf_hour(); });
  per(ids.queue_length, n,
      [&](size_t v) { return ratio_or_nan(interval_areas_[v].waiting_job_hours, hours); });
  per(ids.jobs_waiting, n,
      [&](size_t v) { return static_cast<double>(venues_[v].queue.waiting()); });
  per(ids.mean_wait_h, n, [&](size_t v) {
    return ratio_or_nan(interval_counts_[v].wait_hours,
                        static_cast<double>(interval_counts_[v].started));
  });
  per(ids.served_pfh, n, [&](size_t v) { return interval_counts_[v].served_pf_hours; });
  per(ids.arrivals, n, [&](size_t v) { return static_cast<double>(interval_counts_[v].arrived); });
  per(ids.completed, n,
      [&](size_t v) { return static_cast<double>(interval_counts_[v].completed); });
  per(ids.abandoned, n,
      [&](size_t v) { return static_cast<double>(interval_counts_[v].abandoned); });
  per(ids.revenue_usd, n, [&](size_t v) { return interval_payments_usd_[v]; });
  per(ids.provider_count, n, [&](size_t v) {
    return venues_[v].marketplace ? static_cast<double>(venues_[v].marketplace->providers.size())
                                  : kNaN;
  });
  per(ids.mean_margin, n, [&](size_t v) {
    return venues_[v].marketplace ? venues_[v].last_tick.mean_margin_usd_per_pf_hour : kNaN;
  });
  per(ids.token_usd, n,
      [&](size_t v) { return venues_[v].marketplace ? venues_[v].token_usd : kNaN; });

  // Market-wide.
  double weighted_price = 0, marketplace_capacity = 0, state_pfh = 0, decentralized_pfh = 0,
         other_pfh = 0;
  for (size_t v = 0; v < n; ++v) {
    const VenueRuntime& venue = venues_[v];
    const double served = interval_counts_[v].served_pf_hours;
    switch (venue.kind) {
      case VenueParams::Kind::Pool:
        state_pfh += served;
        break;
      case VenueParams::Kind::Marketplace:
        decentralized_pfh += served;
        weighted_price += venue.queue.capacity_pf() * venue.queue.price_usd_per_pf_hour();
        marketplace_capacity += venue.queue.capacity_pf();
        break;
      case VenueParams::Kind::Fixed:
        other_pfh += served;
        break;
    }
  }
  const double price_index = ratio_or_nan(weighted_price, marketplace_capacity);
  scalar(ids.hardware_index, hardware_index_);
  scalar(ids.fee_index,
         ratio_or_nan(interval_flow_.public_chain_paid_usd, interval_flow_.public_chain_work_pfh));
  scalar(ids.price_index, price_index);
  scalar(ids.state_share, ratio_or_nan(state_pfh, state_pfh + decentralized_pfh + other_pfh));
  scalar(ids.public_chain_served_pfh, interval_flow_.completed_public_chain_pfh);
  per(ids.bridge_volume_pfh, bridges_.size(),
      [&](size_t b) { return interval_bridge_volume_pfh_[b]; });
  per(ids.bridge_fees_usd, bridges_.size(), [&](size_t b) { return interval_bridge_fees_usd_[b]; });
  per(ids.bridge_backlog_h, bridges_.size(),
      [&](size_t b) { return bridges_[b].backlog_hours(now); });
  per(ids.bridge_in_flight_pfh, bridges_.size(),
      [&](size_t b) { return bridges_[b].in_flight_pf_hours(); });
  per(ids.priced_out, segments_.size(), [&](size_t s) { return interval_priced_out_[s]; });

  if (measuring) {
    if (!std::isnan(price_index)) {
      price_index_sum_ += price_index;
      price_index_ticks_ += 1;
    }
    served_state_pfh_ += state_pfh;
    served_decentralized_pfh_ += decentralized_pfh;
    served_other_pfh_ += other_pfh;
    window_flow_.public_chain_paid_usd += interval_flow_.public_chain_paid_usd;
    window_flow_.public_chain_work_pfh += interval_flow_.public_chain_work_pfh;
    window_flow_.licensed_paid_usd += interval_flow_.licensed_paid_usd;
    window_flow_.licensed_work_pfh += interval_flow_.licensed_work_pfh;
    window_flow_.completed_public_chain_pfh += interval_flow_.completed_public_chain_pfh;
    for (double p : interval_priced_out_) window_flow_.priced_out += p;
    const bool after_split =
        interval_start_ >= midnight_of(scenario_.indicators.bridge_split, scenario_.start);
    for (size_t b = 0; b < bridges_.size(); ++b) {
      (after_split ? window_bridge_volume_after_pfh_ : window_bridge_volume_before_pfh_)[b] +=
          interval_bridge_volume_pfh_[b];
    }
    (after_split ? bridge_hours_after_ : bridge_hours_before_) += hours;
  }

  for (size_t v = 0; v < n; ++v) {
    last_demand_pf_[v] =
        hours > 0
            ? (interval_areas_[v].in_use_pf_hours + interval_areas_[v].waiting_pf_hours) / hours
            : 0.0;
  }
  interval_areas_.assign(n, {});
  interval_counts_.assign(n, {});
  std::fill(interval_payments_usd_.begin(), interval_payments_usd_.end(), 0.0);
  std::fill(interval_bridge_volume_pfh_.begin(), interval_bridge_volume_pfh_.end(), 0.0);
  std::fill(interval_bridge_fees_usd_.begin(), interval_bridge_fees_usd_.end(), 0.0);
  std::fill(interval_priced_out_.begin(), interval_priced_out_.end(), 0.0);
  interval_flow_ = {};
  interval_start_ = now;
}

void MarketModel::Impl::on_day_end(SimTime now) {
  const int64_t day = now.count_micros() / Duration::kMicrosPerDay - 1;
  const Date date = Date::from_days(scenario_.start.days_since_epoch() + day);
  activity_.take_counts(row_);
  const double time_h = now.in_hours();
  recorder_->append(ids_.day_time_h, std::span<const double>(&time_h, 1));
  recorder_->append(ids_.daa, row_);
  const IndicatorParams& ind = scenario_.indicators;
  if (in_window(date, ind.daa_before_from, ind.daa_before_to)) {
    for (size_t v = 0; v < row_.size(); ++v) daa_before_sum_[v] += row_[v];
    daa_before_days_ += 1;
  }
  if (in_window(date, ind.daa_after_from, ind.daa_after_to)) {
    for (size_t v = 0; v < row_.size(); ++v) daa_after_sum_[v] += row_[v];
    daa_after_days_ += 1;
  }
  const SimTime next = now + Duration::days(1);
  if (next <= SimTime::start() + scenario_.horizon) sim_.schedule_at(next, kDayEnd, handler_, 0);
}

RunTotals MarketModel::Impl::finish_summary() {
  VenueAreas areas;
  VenueCounts counts;
  for (size_t v = 0; v < venues_.size(); ++v) {
    areas.add(window_areas_[v]);
    counts.add(window_counts_[v]);
    totals_.jobs_waiting += static_cast<uint64_t>(venues_[v].queue.waiting());
    totals_.jobs_in_service += static_cast<uint64_t>(venues_[v].queue.in_service());
  }
  totals_.jobs_in_transit = jobs_in_transit_;
  totals_.events = sim_.events_processed();
  totals_.money_paid_usd = ledger_.paid_usd;
  totals_.money_received_usd = ledger_.received_usd;
  totals_.money_fees_usd = ledger_.fees_usd();
  for (const Bridge& b : bridges_) {
    totals_.bridge_volume_pfh += b.volume_pf_hours();
    totals_.bridge_delivered_pfh += b.delivered_pf_hours();
    totals_.bridge_in_flight_pfh += b.in_flight_pf_hours();
  }

  auto put = [&](const std::string& name, double value, const char* unit, const char* description) {
    recorder_->add_summary({name, value, unit, description});
  };
  const double hours = window_hours_;
  put("jobs_generated", static_cast<double>(totals_.jobs_generated), "jobs",
      "jobs the demand segments generated");
  put("jobs_arrived", static_cast<double>(totals_.jobs_arrived), "jobs",
      "jobs that joined a venue's line");
  put("jobs_completed", static_cast<double>(totals_.jobs_completed), "jobs",
      "jobs that finished service");
  put("jobs_abandoned", static_cast<double>(totals_.jobs_abandoned), "jobs",
      "jobs that left after waiting past their patience");
  put("jobs_priced_out", static_cast<double>(totals_.jobs_priced_out), "jobs",
      "jobs that did not submit because every option cost more than their value");
  put("jobs_waiting_at_end", static_cast<double>(totals_.jobs_waiting), "jobs",
      "jobs waiting at the horizon");
  put("jobs_in_service_at_end", static_cast<double>(totals_.jobs_in_service), "jobs",
      "jobs in service at the horizon");
  put("jobs_in_transit_at_end", static_cast<double>(totals_.jobs_in_transit), "jobs",
      "jobs on a bridge or travelling to their venue at the horizon");
  put("measured_hours", hours, "h", "length of the measurement window (horizon minus warm-up)");
  put("arrival_rate_per_hour", static_cast<double>(counts.arrived) / hours, "1/h",
      "arrivals at venues per hour in the window");
  put("mean_wait_h", ratio_or_nan(counts.wait_hours, static_cast<double>(counts.started)), "h",
      "mean wait of jobs that started service in the window");
  put("mean_sojourn_h", ratio_or_nan(counts.sojourn_hours, static_cast<double>(counts.completed)),
      "h", "mean time in system of jobs that completed in the window");
  put("mean_queue_length", areas.waiting_job_hours / hours, "jobs",
      "time-average number of waiting jobs");
  put("mean_in_system", areas.in_system_job_hours / hours, "jobs",
      "time-average number of jobs waiting or in service");
  put("utilisation", ratio_or_nan(areas.in_use_pf_hours, areas.capacity_pf_hours), "1",
      "PF*h in use / PF*h of capacity");
  put("served_pfh", counts.served_pf_hours, "PF*h", "work of jobs completed in the window");
  put("public_chain_served_pfh", window_flow_.completed_public_chain_pfh, "PF*h",
      "adoption: work of public-chain jobs completed in the window");
  put("priced_out_share",
      ratio_or_nan(window_flow_.priced_out,
                   window_flow_.priced_out + static_cast<double>(counts.arrived)),
      "1", "priced-out jobs / (priced out + arrived) in the window");
  put("fee_index_usd_per_pfh",
      ratio_or_nan(window_flow_.public_chain_paid_usd, window_flow_.public_chain_work_pfh),
      "USD/(PF*h)", "all-in cost per PF*h paid by public-chain jobs");
  put("licensed_fee_index_usd_per_pfh",
      ratio_or_nan(window_flow_.licensed_paid_usd, window_flow_.licensed_work_pfh), "USD/(PF*h)",
      "all-in cost per PF*h paid by licensed public-chain jobs");
  put("decentralized_price_index_usd_per_pfh", ratio_or_nan(price_index_sum_, price_index_ticks_),
      "USD/(PF*h)", "mean over ticks of the capacity-weighted marketplace price");
  const double served_total = served_state_pfh_ + served_decentralized_pfh_ + served_other_pfh_;
  put("state_share", ratio_or_nan(served_state_pfh_, served_total), "1",
      "share of completed work served by the alliance pool");
  put("decentralized_share", ratio_or_nan(served_decentralized_pfh_, served_total), "1",
      "share of completed work served by marketplaces");
  for (size_t v = 0; v < venues_.size(); ++v) {
    if (venues_[v].queue.name() != scenario_.indicators.daa_venue) continue;
    const double before = ratio_or_nan(daa_before_sum_[v], daa_before_days_);
    const double after = ratio_or_nan(daa_after_sum_[v], daa_after_days_);
    const std::string& name = venues_[v].queue.name();
    put(name + "_daa_before", before, "addresses",
        "mean daily active addresses in the 'before' window (indicators.daa_before)");
    put(name + "_daa_after", after, "addresses",
        "mean daily active addresses in the 'after' window (indicators.daa_after)");
    put(name + "_daa_change", after / before - 1.0, "1",
        "relative change of daily active addresses, after vs before");
  }
  double before = 0, after = 0;
  for (size_t b = 0; b < bridges_.size(); ++b) {
    before += window_bridge_volume_before_pfh_[b];
    after += window_bridge_volume_after_pfh_[b];
  }
  const double per_day_before = ratio_or_nan(24.0 * before, bridge_hours_before_);
  const double per_day_after = ratio_or_nan(24.0 * after, bridge_hours_after_);
  put("bridge_volume_before_pfh_per_day", per_day_before, "PF*h/day",
      "bridge volume per day before indicators.bridge_split");
  put("bridge_volume_after_pfh_per_day", per_day_after, "PF*h/day",
      "bridge volume per day from indicators.bridge_split on");
  put("bridge_volume_pfh", totals_.bridge_volume_pfh, "PF*h", "work that entered any bridge");
  put("bridge_delivered_pfh", totals_.bridge_delivered_pfh, "PF*h",
      "work bridges delivered to venues");
  put("bridge_in_flight_pfh", totals_.bridge_in_flight_pfh, "PF*h",
      "work on bridges at the horizon");
  put("money_paid_usd", ledger_.paid_usd, "USD", "paid by jobs");
  put("money_received_usd", ledger_.received_usd, "USD", "received by venues");
  put("money_fees_usd", ledger_.fees_usd(), "USD",
      "platform and bridge fees, proofs, settlement, licences");
  put("money_platform_fees_usd", ledger_.platform_fees_usd, "USD", "marketplaces' take");
  put("money_bridge_fees_usd", ledger_.bridge_fees_usd, "USD",
      "bridge fixed and proportional fees");
  put("money_proof_costs_usd", ledger_.proof_costs_usd, "USD",
      "zero-knowledge proving paid by bridged jobs");
  put("money_settlement_usd", ledger_.settlement_usd, "USD",
      "settlement transactions and sovereign-settlement spreads");
  put("money_licence_fees_usd", ledger_.compliance_fees_usd, "USD",
      "pool licence fees, once per licensed address");
  put("hardware_index_end", hardware_index_, "1", "GPU hardware price index at the horizon");
  put("events", static_cast<double>(totals_.events), "events", "events the engine processed");
  return totals_;
}

}  // namespace gpumarket
