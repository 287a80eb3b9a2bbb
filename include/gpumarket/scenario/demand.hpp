// Demand parameters of one segment as plain structs: arrival rate and its calendar
// modulation, job width and duration distributions, the address pool, and what a job
// is worth. docs/demand.md gives the equations that use them.
//
// Sources: docs/sources.md. "calibration §n", or a bare "§n" next to one, is its
// calibration section n; ASSUMPTION marks a value with no source.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "gpumarket/core/time.hpp"

namespace gpumarket {

/// Day of the week; the numbering (Monday = 0) indexes ArrivalParams::weekly.
enum class Weekday { Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday };

/// Philly weekday profile, Mon..Sun, mean 1 (calibration §8, 3,034 multi-GPU jobs, 2017).
inline constexpr std::array<double, 7> kPhillyWeeklyProfile = {0.96, 1.14, 1.09, 1.27,
                                                               1.23, 0.80, 0.51};

namespace detail {
template <std::size_t N>
constexpr std::array<double, N> filled(double value) {
  std::array<double, N> a{};
  a.fill(value);
  return a;
}
}  // namespace detail

/// A non-homogeneous Poisson arrival rate:
///   λ(t) = base_rate_per_hour · exp(trend_per_year · t / 8760) · diurnal[hour of day]
///          · weekly[weekday],
/// with t in hours since the scenario start (midnight of its start date; a year is 365 d).
/// The factors are used as given: when each profile averages 1, base_rate_per_hour is the
/// long-run mean rate at t = 0. Calibration §8 (Philly): hour-of-day factors span 0.62–1.50,
/// weekdays as kPhillyWeeklyProfile (Sat 0.80, Sun 0.51).
struct ArrivalParams {
  double base_rate_per_hour = 1.0;  // jobs/h, ≥ 0; ASSUMPTION (scale set per scenario)
  double trend_per_year = 0.0;      // g, 1/yr: the rate is multiplied by exp(g·t_years)
  std::array<double, 24> diurnal = detail::filled<24>(1.0);  // per hour of day [0, 24), ≥ 0
  std::array<double, 7> weekly = detail::filled<7>(1.0);     // per weekday, Mon..Sun, ≥ 0
};

/// A Pareto tail spliced above the body's `quantile`: with probability 1 − quantile a draw
/// is x_q · U^(−1/alpha), x_q being the body's quantile-`quantile` point.
struct ParetoTail {
  double quantile = 0.95;  // q in (0, 1): where the tail starts (calibration §11: above p95)
  // Tail index > 0; the mean is finite only for alpha > 1. Calibration §8: Hill α ≈ 0.9 above
  // p95 and 1.45 above p99 in Philly; §11 baseline 1.2 (bull 1.4, bear 1.0).
  double alpha = 1.2;
};

/// The distribution of a positive job attribute (width in PF, duration in hours; the unit is
/// the field's that holds it).
struct SizeDistribution {
  enum class Shape {
    Lognormal,    // median · exp(sigma · Z), optionally with a Pareto tail
    Exponential,  // mean · Exp(1): the M/M/c ground truth
    Constant,     // always `mean` (a degenerate distribution: identical jobs)
  };
  Shape shape = Shape::Lognormal;
  double median = 1.0;             // lognormal: exp(mu), > 0
  double sigma = 1.0;              // lognormal: standard deviation of the log, > 0
  std::optional<ParetoTail> tail;  // lognormal only; none: pure lognormal
  double mean = 1.0;               // exponential: the mean; constant: the value; > 0

  static SizeDistribution lognormal(double median, double sigma,
                                    std::optional<ParetoTail> tail = std::nullopt) {
    SizeDistribution d;
    d.shape = Shape::Lognormal;
    d.median = median;
    d.sigma = sigma;
    d.tail = tail;
    return d;
  }
  static SizeDistribution exponential(double mean) {
    SizeDistribution d;
    d.shape = Shape::Exponential;
    d.mean = mean;
    return d;
  }
  static SizeDistribution constant(double value) {
    SizeDistribution d;
    d.shape = Shape::Constant;
    d.mean = value;
    return d;
  }
};

/// The addresses (wallets, accounts) that submit a segment's jobs: address k (0-based) submits
/// a job with probability ∝ (k + 1)^(−zipf_exponent), so daily active addresses can be counted.
struct AddressPoolParams {
  int64_t count = 10'000;      // ≥ 1; ASSUMPTION (not sourced: calibration §10)
  double zipf_exponent = 1.0;  // s ≥ 0 (0 = uniform); ASSUMPTION: Zipf's law, s = 1
};

/// Where a segment's jobs originate: it decides settlement spreads and which routes
/// (bridges, licences) apply (docs/market.md, "Routes and access").
enum class Origin { PublicChain, Sovereign };

/// One demand segment (docs/demand.md).
struct SegmentDemandParams {
  ArrivalParams arrivals;
  /// Job width in PF. ASSUMPTION fitted to Helios GPUs/job (mean 3.7, median 1; calibration
  /// §8) at 0.989 PF per H100 (FP16 dense, §2): median 0.989 PF, sigma = sqrt(2·ln 3.7).
  SizeDistribution width_pf = SizeDistribution::lognormal(0.989, 1.6176);
  /// Job duration in hours at full width. Philly lognormal fit (calibration §8: mu 6.85,
  /// sigma 2.18 in ln-seconds, so median e^6.85 s = 0.2622 h) with a Pareto tail of index 1.2
  /// above p95 (§11 baseline).
  SizeDistribution duration_h = SizeDistribution::lognormal(0.2622, 2.18, ParetoTail{});
  AddressPoolParams addresses;
  /// Willingness to pay, USD per PF·h of work: a job's value is this times its work, and it
  /// is priced out when every route costs more. ASSUMPTION: the hyperscaler H100 on-demand
  /// price, the outside option (calibration §1/§11: $4.00/GPU-h ÷ 0.989 PF/GPU ≈ $4.04/PF·h).
  double value_usd_per_pf_hour = 4.04;
  /// Delay cost, USD per PF·h of work per hour of delay (wait, latency, proving): a job of
  /// work W pays value_of_time · W per hour of delay. Scaling with work keeps the routing choice
  /// of jobs of different sizes comparable and lets one parameter cover a heavy-tailed size mix.
  /// ASSUMPTION: 0.04, i.e. a job loses about 1% of its value per hour of delay.
  double value_of_time_usd_per_pf_hour_per_hour = 0.04;
  /// Maximum wait in a venue's queue before the job abandons (docs/market.md, "Time and events").
  Duration patience = Duration::infinite();
  /// Share of the segment's addresses holding a licence for the alliance pool from the start,
  /// in [0, 1]: each address is drawn once (docs/model.md, "Licences and settlement").
  /// ASSUMPTION: 0
  /// (crypto-native segments are unlicensed unless a scenario says otherwise).
  double licensed_share = 0.0;
  Origin origin = Origin::PublicChain;
  /// Whether the segment's work runs on open-source models, whose value the pool's research
  /// grants raise (docs/model.md, "Research grants"). Default false: unaffected.
  bool uses_open_source_models = false;
};

}  // namespace gpumarket
