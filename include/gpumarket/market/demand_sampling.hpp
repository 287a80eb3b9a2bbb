// Samplers of a demand segment: job sizes (lognormal with a spliced Pareto tail,
// exponential or constant), submitting addresses (Zipf, alias method) and arrival times
// (non-homogeneous Poisson with diurnal, weekly and trend modulation). Each requires
// parameters for which validation_error (scenario/demand_validation.hpp) is empty.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/random.hpp"
#include "gpumarket/scenario/demand.hpp"

namespace gpumarket {

/// The weekday of a civil date (1970-01-01 was a Thursday).
constexpr Weekday weekday_of(Date date) {
  const int64_t days = date.days_since_epoch() + 3;  // + 3: Thursday is index 3
  return static_cast<Weekday>(((days % 7) + 7) % 7);
}

/// Draws from a SizeDistribution by inversion: each draw consumes exactly one uniform
/// and is a monotone function of it, so two runs that differ only in size parameters keep
/// their random streams aligned (common random numbers across a sweep).
///
/// Lognormal with tail (q, alpha): x_q = median·exp(sigma·Φ⁻¹(q)); for u < q the draw is the
/// lognormal's u-quantile (the lognormal conditioned on X < x_q, taken with probability q),
/// otherwise x_q·((1 − u)/(1 − q))^(−1/alpha) (a Pareto with scale x_q).
class SizeSampler {
 public:
  /// Requires validation_error(distribution) to be empty.
  explicit SizeSampler(const SizeDistribution& distribution);

  /// One draw, > 0.
  double draw(RandomEngine& engine) const;
  /// The p-quantile for p in (0, 1).
  double quantile(double p) const;
  /// The mean: +inf when the tail index is ≤ 1.
  ///   lognormal:            median·exp(sigma²/2)
  ///   lognormal with tail:  median·exp(sigma²/2)·Φ(Φ⁻¹(q) − sigma) + (1 − q)·alpha·x_q/(alpha − 1)
  ///   exponential:          mean
  ///   constant:             mean (every draw)
  double mean() const;
  /// x_q, where the tail starts (+inf without a tail).
  double tail_start() const { return tail_start_; }

 private:
  SizeDistribution distribution_;
  double tail_start_;
};

/// Address k in [0, n) with probability (k + 1)^(−s) / Σ_i (i + 1)^(−s), by Walker's alias
/// method (Vose's construction): O(n) to build, O(1) and one uniform per draw.
class ZipfSampler {
 public:
  /// Requires validation_error(params) to be empty.
  explicit ZipfSampler(const AddressPoolParams& params);

  int64_t draw(RandomEngine& engine) const;
  /// The exact probability of address k.
  double probability(int64_t k) const;
  int64_t size() const { return static_cast<int64_t>(acceptance_.size()); }

 private:
  double exponent_;
  double normaliser_ = 0.0;         // Σ_i (i + 1)^(−s)
  std::vector<double> acceptance_;  // per column: keep the column's own address when below
  std::vector<int64_t> alias_;      // per column: the other address
};

/// Arrival times of a non-homogeneous Poisson process with the rate of ArrivalParams:
///   λ(t) = base · exp(k·t) · c(t),  k = trend_per_year / 8760,
///   c(t) = diurnal[floor(t) mod 24] · weekly[(start_weekday + floor(t / 24)) mod 7],
/// t in hours since the scenario start (its start date's midnight).
///
/// Exact, with no thinning and no approximation of the trend: c is constant on each whole
/// hour, and on [a, b) inside one hour the cumulative rate Λ(a, t) = λ(a)·(exp(k(t − a)) − 1)/k
/// inverts in closed form, so a unit-rate exponential E becomes the arrival
/// t = a + log1p(k·E/λ(a))/k (t = a + E/λ(a) when k = 0). An E that outlasts the hour carries
/// its remainder E − Λ(a, b) into the next hour (memorylessness). With a constant rate
/// (flat profiles and no trend) the draws are plain exponential interarrivals 1/λ·Exp(1).
/// Windows are independent, so consecutive calls over [t0, t1), [t1, t2), ... sample one
/// process.
class ArrivalSampler {
 public:
  /// Requires validation_error(params) to be empty. `start_weekday` is the weekday of day 0.
  ArrivalSampler(const ArrivalParams& params, Weekday start_weekday);

  /// Appends the arrival times in [t0_h, t1_h), ascending, to `times_h`. Does not allocate
  /// when `times_h` has the capacity. Each arrival consumes one Exp(1) draw by inversion
  /// (−log of a uniform), plus one for the E that runs past t1_h.
  void sample(double t0_h, double t1_h, RandomEngine& engine, std::vector<double>& times_h) const;

  /// λ(t), jobs per hour.
  double rate_per_hour(double t_h) const;
  /// ∫ λ over [t0_h, t1_h): the expected number of arrivals.
  double expected_count(double t0_h, double t1_h) const;

 private:
  double factor(double hour_index) const;

  double base_rate_per_hour_;
  double trend_per_hour_;                  // k = g / 8760
  std::array<double, 168> week_factor_{};  // c on hour h of the week, h = 0 at day 0's midnight
  double week_mass_ = 0.0;                 // ∫ λ over the week [0, 168 h)
  bool constant_;
};

}  // namespace gpumarket
