// What a run reports: per-tick and per-day series and the summary indicators
// (include/gpumarket/market/indicators.hpp), with the accumulators behind them. The job
// flow tells it what happened through the on_* hooks; it reads venues and bridges when an
// interval closes. A new indicator is added here and in indicators.hpp, nowhere else.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "gpumarket/core/recorder.hpp"
#include "gpumarket/market/bridge.hpp"
#include "gpumarket/market/chain.hpp"
#include "gpumarket/market/daily_activity.hpp"
#include "gpumarket/market/hardware_market.hpp"
#include "gpumarket/market/indicators.hpp"
#include "gpumarket/market/licence_office.hpp"
#include "gpumarket/market/market_model.hpp"
#include "gpumarket/market/prover_pool.hpp"
#include "gpumarket/market/venue.hpp"
#include "venue_model.hpp"

namespace gpumarket {

/// Money, in USD at the time of payment: paid = received + fees, always. Paid by jobs, and by
/// addresses for their licences.
struct Ledger {
  double paid_usd = 0;             // by jobs
  double received_usd = 0;         // by venues (providers, pool, fixed venues)
  double platform_fees_usd = 0;    // marketplaces' take
  double bridge_fees_usd = 0;      // fixed + proportional
  double proof_costs_usd = 0;      // zero-knowledge provers
  double settlement_usd = 0;       // sovereign-settlement and FX spreads, transaction costs
  double compliance_fees_usd = 0;  // pool licences: fees and compliance, paid at approval

  double fees_usd() const {
    return platform_fees_usd + bridge_fees_usd + proof_costs_usd + settlement_usd +
           compliance_fees_usd;
  }
};

/// What one job paid when it started, USD, split by who receives it.
struct JobPayment {
  uint32_t venue = 0;
  uint32_t bridge = kNoBridge;
  bool public_chain = false;
  bool licensed = false;
  double work_pfh = 0;
  double bill_usd = 0;  // price × work, before the platform's take
  double platform_fee_usd = 0;
  double bridge_fee_usd = 0;
  double proof_usd = 0;
  double settlement_usd = 0;
  /// The amortised licence cost the job's route carried (not money paid now: the licence was
  /// paid at approval); counts in the cost of access only.
  double access_usd = 0;
};

class MarketMetrics {
 public:
  using Venues = std::vector<std::unique_ptr<VenueModel>>;

  /// `venues` and `bridges` are read (and the venues' integrals taken) when intervals close.
  MarketMetrics(const Scenario& scenario, Venues& venues, const std::vector<Bridge>& bridges,
                uint64_t address_count);

  /// The chains whose blocks the per-chain series and summary report; read when intervals
  /// close, after the chains have advanced to the interval's end. Call before
  /// declare_series; without it (or with none) there are no chain outputs.
  void attach_chains(const std::vector<Chain>& chains);

  /// Declares every series; call once, after recorder.begin().
  void declare_series(Recorder& recorder);

  // What happened, from the job flow.
  void on_venue_arrival(uint32_t venue, uint32_t address, SimTime now) {
    activity_.mark(venue, address, now.count_micros() / Duration::kMicrosPerDay);
  }
  void on_completion(bool public_chain, double work_pfh) {
    if (!public_chain) return;
    interval_flow_.completed_public_chain_pfh += work_pfh;
    largest_job_.public_chain_served_pfh = std::max(largest_job_.public_chain_served_pfh, work_pfh);
  }
  void on_priced_out(uint32_t segment) { interval_priced_out_[segment] += 1; }
  /// A job that the pool caught evading its ban (it is also priced out).
  void on_evasion_caught() { ++jobs_caught_evading_; }
  void on_bridge_entry(uint32_t bridge, double work_pfh) {
    interval_bridge_volume_pfh_[bridge] += work_pfh;
    largest_job_.bridge_pfh = std::max(largest_job_.bridge_pfh, work_pfh);
  }
  void on_payment(const JobPayment& payment);
  /// A licence granted to an address of `segment`, paid `cost_usd` (fee and compliance).
  void on_licence_granted(uint32_t segment, double cost_usd);
  /// The licences whose per-segment counts the licence series and summary report; read when
  /// intervals close. Call before declare_series.
  void attach_licences(const LicenceOffice& licences) { licences_ = &licences; }
  // Verified work (docs/model.md, "Verification"): every run of a job at a verifying venue,
  // copies and re-executions included; work accepted with a correct result; attempts
  // rejected.
  void on_delivered(uint32_t venue, double work_pfh) { interval_delivered_pfh_[venue] += work_pfh; }
  void on_verified(uint32_t venue, double work_pfh) { interval_verified_pfh_[venue] += work_pfh; }
  void on_rejected(uint32_t venue) { interval_rejected_[venue] += 1; }
  /// The prover pools, read (and their interval counts taken) when intervals close.
  void attach_provers(std::vector<ProverPool>& provers, std::vector<std::string> names);

  /// Moves every venue's integrals and counts up to `now` into the current interval, and
  /// into the window once the warm-up is over.
  void absorb(SimTime now);
  /// Records one row of every tick series for the interval that ends at `now`.
  void close_interval(SimTime now, const HardwareMarket& hardware);
  /// Records the day that ends at `now`.
  void close_day(SimTime now);
  /// Writes the summary; fills the parts of `totals` that metrics know.
  void write_summary(RunTotals& totals, const HardwareMarket& hardware);

  /// Per venue, the demand of the last closed interval (PF): time-average PF in use plus
  /// the width of the jobs waiting. The marketplaces form their price on it.
  const std::vector<double>& last_demand_pf() const { return last_demand_pf_; }

  /// Saves or loads the accumulators of the indicators (core/state_archive.hpp); what the
  /// constructor and declare_series set (the series, the readings, the names) is not state.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(subsidy_paid_usd_, activity_, interval_areas_, window_areas_, interval_counts_,
            window_counts_, interval_payments_usd_, last_demand_pf_, interval_bridge_volume_pfh_,
            interval_bridge_fees_usd_, window_bridge_volume_before_pfh_,
            window_bridge_volume_after_pfh_, interval_priced_out_, interval_flow_, window_flow_,
            largest_job_, window_largest_, daa_before_sum_, daa_after_sum_, daa_before_days_,
            daa_after_days_, price_index_sum_, price_index_ticks_, served_state_pfh_,
            served_decentralized_pfh_, served_other_pfh_, interval_start_, last_absorb_, window_h_,
            bridge_hours_before_, bridge_hours_after_, ledger_, bridge_marks_, chain_window_,
            interval_delivered_pfh_, interval_verified_pfh_, interval_rejected_,
            window_installed_pfh_, window_delivered_pfh_, window_verified_pfh_, interval_provers_,
            window_provers_, target_first_h_, hardware_index_sum_, hardware_ticks_,
            jobs_caught_evading_, applications_mark_, granted_mark_);
  }

  /// Handles of the series.
  struct SeriesIds {
    SeriesId time_h;
    // Per venue.
    SeriesId capacity_pf, capacity_gpu, utilisation, price, queue_length, jobs_waiting, mean_wait_h,
        served_pfh, arrivals, completed, abandoned, revenue_usd, provider_count, mean_margin,
        token_usd;
    // Market-wide.
    SeriesId fee_index, price_index, state_share, public_chain_served_pfh;
    // Per hardware segment.
    SeriesId hardware_index, hardware_demand, hardware_supply;
    // The pool's procurement (market-wide, one pool at most), and its capacity per reading.
    SeriesId pool_ordered_pf, pool_delivered_pf, pool_cancelled_pf, pool_spent_usd,
        pool_in_flight_pf, pool_grey_premium, pool_purchase_rate, pool_capacity_pf;
    // Per bridge.
    SeriesId bridge_volume_pfh, bridge_fees_usd, bridge_backlog_h, bridge_in_flight_pfh;
    // Per bridge, with Scenario::reports_bridge_detail().
    SeriesId bridge_added_capacity_pf, bridge_down, bridge_jobs_stranded, bridge_jobs_rerouted,
        bridge_stranded_job_h, bridge_mean_transit_h;
    // Per segment.
    SeriesId priced_out;
    // Per segment, when the pool takes licence applications.
    SeriesId licensed_address_share, licence_applications, licence_approvals, licence_queue_length;
    // Per day.
    SeriesId day_time_h, daa;
    // Per chain.
    SeriesId chain_base_fee_wei, chain_settlement_fee_usd, chain_gas_used, chain_gas_limit,
        chain_max_block_gas, chain_background_share, chain_model_transactions, chain_gas_token_usd;
    // Per venue, only when some marketplace uses opt-in price formation or a token mechanism.
    SeriesId provider_revenue_usd, entrants, tokens_burned, tokens_minted, token_supply;
    // Per venue: the pool's subsidy, load and research grants (kPoolSeries and the others).
    SeriesId subsidy_usd, pool_latency_h, pool_price_factor, research_grants_usd,
        open_source_grants_usd;
    // Per venue, when a venue verifies.
    SeriesId installed_pfh, delivered_pfh, verified_pfh, rejected;
    // Per prover pool.
    SeriesId prover_backlog_h, prover_queue_length, prover_proofs, prover_completed,
        prover_mean_wait_h, prover_mean_proof_h, prover_price, prover_gpu_hours;
  };

 private:
  /// Totals over one tick interval (series) or the measurement window (summary).
  struct FlowTotals {
    double public_chain_paid_usd = 0;  // all-in payments of public-chain jobs
    double public_chain_work_pfh = 0;  // their work
    double licensed_paid_usd = 0;      // the same, for licensed public-chain jobs
    double licensed_work_pfh = 0;
    // Cost of access by origin (public chain, sovereign): payments plus the amortised licence
    // costs the routes carried, and the work.
    double access_usd[2] = {0, 0};
    double access_work_pfh[2] = {0, 0};
    double priced_out = 0;
    double completed_public_chain_pfh = 0;  // adoption: public-chain work served
    template <class Archive>
    void serialize(Archive& archive) {
      archive(public_chain_paid_usd, public_chain_work_pfh, licensed_paid_usd, licensed_work_pfh,
              access_usd, access_work_pfh, priced_out, completed_public_chain_pfh);
    }
  };

  /// The largest contribution of one job in the current interval to each sum that a dominance
  /// share divides (docs/output.md, "Dominance"): a running maximum, reset with the interval.
  struct LargestJobs {
    double public_chain_paid_usd = 0, licensed_paid_usd = 0, access_usd = 0;
    double bridge_pfh = 0, public_chain_served_pfh = 0;
    template <class Archive>
    void serialize(Archive& archive) {
      archive(public_chain_paid_usd, licensed_paid_usd, access_usd, bridge_pfh,
              public_chain_served_pfh);
    }
  };

  /// The largest contributions to one window sum: of one job, of one tick (or day).
  struct Largest {
    double job = 0, tick = 0;
    void add_tick(double tick_sum, double largest_job) {
      tick = std::max(tick, tick_sum);
      job = std::max(job, largest_job);
    }
    template <class Archive>
    void serialize(Archive& archive) {
      archive(job, tick);
    }
  };

  /// Per headline indicator that sums over its window, the largest contributions to its sum.
  struct WindowLargest {
    Largest fee, licensed_fee, access, bridge_before, bridge_after, public_chain_served;
    double price_index_tick = 0;
    std::vector<double> daa_before_day, daa_after_day;  // per venue
    template <class Archive>
    void serialize(Archive& archive) {
      archive(fee, licensed_fee, access, bridge_before, bridge_after, public_chain_served,
              price_index_tick, daa_before_day, daa_after_day);
    }
  };

  /// Work served in an interval by sector, and the marketplaces' capacity-weighted price.
  struct SectorTotals {
    double state_pfh = 0, decentralized_pfh = 0, other_pfh = 0;
    double weighted_price = 0, marketplace_capacity = 0;
  };

  void scalar(SeriesId id, double value);
  template <class ValueOf>
  void per(SeriesId id, size_t count, const ValueOf& value_of);
  void write_venue_series(double hours);
  void accumulate_window(const SectorTotals& sectors, double price_index, double hours);
  void reset_interval(SimTime now, double hours);
  void put(const IndicatorDefinition& indicator, double value);
  void write_flow_summary(const RunTotals& totals, const VenueAreas& areas,
                          const VenueCounts& counts);
  void write_indicator_summary(const VenueCounts& counts);
  void write_dominance_summary(double bridge_before_pfh, double bridge_after_pfh);
  void write_money_summary(const RunTotals& totals);
  // The hardware market and the pool's procurement (procurement_metrics.cpp).
  void find_pool_procurement();
  void write_hardware_series(const HardwareMarket& hardware, bool measuring);
  void write_pool_series(double now_h);
  void write_hardware_summary(const HardwareMarket& hardware);
  void write_pool_summary();
  /// The pool's installed capacity (PF, units.precision) in reading r (readings_' order).
  double in_reading(double pf, size_t r) const { return pf * reading_factor_[r]; }
  void write_bridge_detail(SimTime now, double hours);
  void write_bridge_detail_summary();
  // The pool's operation: subsidy, load and research grants.
  void write_pool_operation_series();
  void write_pool_operation_summary();
  void write_chain_series(bool measuring);
  void write_chain_summary();

  /// One chain's totals over the measurement window.
  struct ChainWindow {
    double base_fee_wei_sum = 0, blocks = 0, blocks_above_target = 0;
    double settlement_fee_usd_sum = 0, ticks = 0, model_transactions = 0;
    template <class Archive>
    void serialize(Archive& archive) {
      archive(base_fee_wei_sum, blocks, blocks_above_target, settlement_fee_usd_sum, ticks,
              model_transactions);
    }
  };
  void write_verification_series(SimTime now, bool measuring);
  void write_verification_summary(const RunTotals& totals);
  void write_licence_series();
  void write_licence_summary();

  const Scenario& scenario_;
  Venues& venues_;
  const std::vector<Bridge>& bridges_;
  Recorder* recorder_ = nullptr;
  SeriesIds ids_{};
  bool marketplace_detail_ = false;  // kMarketplaceDetailSeries declared
  /// Which of the pool's series are declared.
  struct PoolReports {
    bool subsidy = false, load = false, grants = false;
  };
  PoolReports pool_reports_;
  double subsidy_paid_usd_ = 0;  // over the run, all pools
  DailyActivity activity_;
  std::vector<double> row_;
  std::vector<VenueAreas> interval_areas_, window_areas_;
  std::vector<VenueCounts> interval_counts_, window_counts_;
  std::vector<double> interval_payments_usd_;  // per venue: compute bills of jobs started
  std::vector<double> last_demand_pf_;
  std::vector<double> interval_bridge_volume_pfh_, interval_bridge_fees_usd_;
  std::vector<double> window_bridge_volume_before_pfh_, window_bridge_volume_after_pfh_;
  std::vector<double> interval_priced_out_;  // per segment
  FlowTotals interval_flow_, window_flow_;
  LargestJobs largest_job_;
  WindowLargest window_largest_;
  std::vector<double> daa_before_sum_, daa_after_sum_;
  double daa_before_days_ = 0, daa_after_days_ = 0;
  double price_index_sum_ = 0, price_index_ticks_ = 0;
  double served_state_pfh_ = 0, served_decentralized_pfh_ = 0, served_other_pfh_ = 0;
  SimTime interval_start_;
  SimTime last_absorb_;
  double window_h_ = 0;
  double bridge_hours_before_ = 0, bridge_hours_after_ = 0;
  Ledger ledger_;

  /// A bridge's cumulative counts at the last closed interval: the series are differences.
  struct BridgeMarks {
    double downtime_h = 0, stranded_job_h = 0, transit_h = 0;
    int64_t stranded = 0, rerouted = 0, delivered = 0;
    template <class Archive>
    void serialize(Archive& archive) {
      archive(downtime_h, stranded_job_h, transit_h, stranded, rerouted, delivered);
    }
  };
  bool bridge_detail_ = false;
  std::vector<BridgeMarks> bridge_marks_;
  const std::vector<Chain>* chains_ = nullptr;
  std::vector<ChainWindow> chain_window_;
  bool reports_verification_ = false;  // some venue has a verification block
  std::vector<double> interval_delivered_pfh_, interval_verified_pfh_, interval_rejected_;
  std::vector<double> window_installed_pfh_, window_delivered_pfh_, window_verified_pfh_;
  std::vector<ProverPool>* provers_ = nullptr;
  std::vector<std::string> prover_names_;
  std::vector<ProverInterval> interval_provers_, window_provers_;
  // The pool's procurement, if the scenario has a pool: its public share steps it.
  PoolProcurement* procurement_ = nullptr;
  std::string pool_name_;
  const AlliancePoolParams* pool_ = nullptr;  // the base scenario's: its capacity target
  std::vector<std::string> readings_;         // units.precision, then hpl_fp64
  std::vector<double> reading_factor_;        // PF in a reading per PF of units.precision
  std::vector<double> target_first_h_;        // per reading: first time the target was reached
  std::vector<double> hardware_index_sum_;
  double hardware_ticks_ = 0;
  const LicenceOffice* licences_ = nullptr;
  bool licence_detail_ = false;   // the licence series are declared
  bool evasion_checked_ = false;  // a pool enforces its ban by detection: evasion is reported
  uint64_t jobs_caught_evading_ = 0;
  // Per segment, the office's cumulative counts at the last closed interval.
  std::vector<uint64_t> applications_mark_, granted_mark_;
};

// In the header: the hardware and procurement series (procurement_metrics.cpp) use it too.
template <class ValueOf>
void MarketMetrics::per(SeriesId id, size_t count, const ValueOf& value_of) {
  if (count == 0) return;  // e.g. no bridges: the series was not declared
  row_.resize(count);
  for (size_t i = 0; i < count; ++i) row_[i] = value_of(i);
  recorder_->append(id, row_);
}

}  // namespace gpumarket
