#include "gpumarket/market/demand_sampling.hpp"

#include <algorithm>
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/interrupt.hpp"
#include "gpumarket/scenario/demand_validation.hpp"

namespace gpumarket {
namespace {

// Boost.Math promotes double to long double by default, whose width differs between
// platforms (80-bit on x86-64, 128-bit on AArch64); computing in double keeps the bits
// a property of the build alone.
using DoublePolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

constexpr double kSqrt2 = 1.41421356237309504880;

double standard_normal_quantile(double p) {
  // Both branches use erfc_inv of an argument ≤ 1 so that neither tail loses precision.
  if (p < 0.5) return -kSqrt2 * boost::math::erfc_inv(2.0 * p, DoublePolicy());
  return kSqrt2 * boost::math::erfc_inv(2.0 * (1.0 - p), DoublePolicy());
}

double standard_normal_cdf(double x) {
  return 0.5 * boost::math::erfc(-x / kSqrt2, DoublePolicy());
}

// Uniform on the open interval (0, 1): inversion needs both ends excluded.
double open_uniform(RandomEngine& engine) {
  boost::random::uniform_01<double> uniform;
  double u = uniform(engine);
  while (u == 0.0) u = uniform(engine);
  return u;
}

// Exp(1) by inversion of a uniform on [0, 1); finite, ≥ 0.
double unit_exponential(RandomEngine& engine) {
  boost::random::uniform_01<double> uniform;
  return -std::log1p(-uniform(engine));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SizeSampler

SizeSampler::SizeSampler(const SizeDistribution& distribution)
    : distribution_(distribution), tail_start_(std::numeric_limits<double>::infinity()) {
  GPUMARKET_CHECK_MSG(!validation_error(distribution), "size distribution not validated");
  if (distribution_.shape == SizeDistribution::Shape::Lognormal && distribution_.tail) {
    tail_start_ =
        distribution_.median *
        std::exp(distribution_.sigma * standard_normal_quantile(distribution_.tail->quantile));
  }
}

double SizeSampler::draw(RandomEngine& engine) const { return quantile(open_uniform(engine)); }

double SizeSampler::quantile(double p) const {
  GPUMARKET_CHECK(p > 0.0 && p < 1.0);
  if (distribution_.shape == SizeDistribution::Shape::Constant) return distribution_.mean;
  if (distribution_.shape == SizeDistribution::Shape::Exponential) {
    return -distribution_.mean * std::log1p(-p);
  }
  if (distribution_.tail && p >= distribution_.tail->quantile) {
    const ParetoTail& tail = *distribution_.tail;
    return tail_start_ * std::pow((1.0 - tail.quantile) / (1.0 - p), 1.0 / tail.alpha);
  }
  return distribution_.median * std::exp(distribution_.sigma * standard_normal_quantile(p));
}

double SizeSampler::mean() const {
  if (distribution_.shape != SizeDistribution::Shape::Lognormal) return distribution_.mean;
  const double sigma = distribution_.sigma;
  const double lognormal_mean = distribution_.median * std::exp(0.5 * sigma * sigma);
  if (!distribution_.tail) return lognormal_mean;
  const ParetoTail& tail = *distribution_.tail;
  if (tail.alpha <= 1.0) return std::numeric_limits<double>::infinity();
  // E[X; X < x_q] of the lognormal is exp(mu + sigma²/2)·Φ((ln x_q − mu − sigma²)/sigma),
  // and (ln x_q − mu)/sigma = Φ⁻¹(q).
  const double body =
      lognormal_mean * standard_normal_cdf(standard_normal_quantile(tail.quantile) - sigma);
  return body + (1.0 - tail.quantile) * tail.alpha * tail_start_ / (tail.alpha - 1.0);
}

// ---------------------------------------------------------------------------------------------
// ZipfSampler

ZipfSampler::ZipfSampler(const AddressPoolParams& params)
    : exponent_(params.zipf_exponent),
      acceptance_(static_cast<size_t>(params.count)),
      alias_(static_cast<size_t>(params.count)) {
  GPUMARKET_CHECK_MSG(!validation_error(params), "address pool not validated");
  const int64_t n = params.count;
  std::vector<double> scaled(static_cast<size_t>(n));
  // Summed from the smallest weight up so that the tail's many small terms are not lost.
  for (int64_t k = n - 1; k >= 0; --k) {
    poll_interrupt(static_cast<uint64_t>(k), "setting up an address pool");
    scaled[k] = std::pow(static_cast<double>(k + 1), -exponent_);
    normaliser_ += scaled[k];
  }
  for (double& w : scaled) w *= static_cast<double>(n) / normaliser_;

  // Vose: pair each under-full column with an over-full donor. Stacks (not hash sets) keep
  // the table, and so every draw, independent of anything but n and s.
  std::vector<int64_t> small;
  std::vector<int64_t> large;
  for (int64_t k = n - 1; k >= 0; --k) (scaled[k] < 1.0 ? small : large).push_back(k);
  while (!small.empty() && !large.empty()) {
    const int64_t under = small.back();
    small.pop_back();
    const int64_t donor = large.back();
    large.pop_back();
    acceptance_[under] = scaled[under];
    alias_[under] = donor;
    scaled[donor] = (scaled[donor] + scaled[under]) - 1.0;
    (scaled[donor] < 1.0 ? small : large).push_back(donor);
  }
  // Whatever is left is full up to rounding.
  for (const std::vector<int64_t>* rest : {&large, &small}) {
    for (int64_t k : *rest) {
      acceptance_[k] = 1.0;
      alias_[k] = k;
    }
  }
}

int64_t ZipfSampler::draw(RandomEngine& engine) const {
  // One uniform picks the column (integer part of u·n) and the coin (fractional part); the
  // coin keeps 53 − log2(n) bits, over 25 for any validated pool.
  boost::random::uniform_01<double> uniform;
  const double scaled = uniform(engine) * static_cast<double>(size());
  const int64_t column = std::min(static_cast<int64_t>(scaled), size() - 1);
  const double coin = scaled - static_cast<double>(column);
  return coin < acceptance_[column] ? column : alias_[column];
}

double ZipfSampler::probability(int64_t k) const {
  GPUMARKET_CHECK(k >= 0 && k < size());
  return std::pow(static_cast<double>(k + 1), -exponent_) / normaliser_;
}

// ---------------------------------------------------------------------------------------------
// ArrivalSampler

namespace {
constexpr double kHoursPerWeek = kHoursPerDay * kDaysPerWeek;
}  // namespace

ArrivalSampler::ArrivalSampler(const ArrivalParams& params, Weekday start_weekday)
    : base_rate_per_hour_(params.base_rate_per_hour),
      trend_per_hour_(params.trend_per_year / kHoursPerYear) {
  GPUMARKET_CHECK_MSG(!validation_error(params), "arrival parameters not validated");
  const int start = static_cast<int>(start_weekday);
  for (int h = 0; h < 168; ++h) {
    week_factor_[h] = params.diurnal[h % 24] * params.weekly[(start + h / 24) % 7];
  }
  const double k = trend_per_hour_;
  for (int h = 0; h < 168; ++h) {
    const double hour_mass = k == 0.0 ? 1.0 : std::exp(k * h) * std::expm1(k) / k;
    week_mass_ += base_rate_per_hour_ * week_factor_[h] * hour_mass;
  }
  constant_ = trend_per_hour_ == 0.0 && std::all_of(week_factor_.begin(), week_factor_.end(),
                                                    [&](double c) { return c == week_factor_[0]; });
}

double ArrivalSampler::factor(double hour_index) const {
  const auto h = static_cast<int64_t>(hour_index);
  return week_factor_[static_cast<size_t>(((h % 168) + 168) % 168)];
}

double ArrivalSampler::rate_per_hour(double t_h) const {
  return base_rate_per_hour_ * std::exp(trend_per_hour_ * t_h) * factor(std::floor(t_h));
}

double ArrivalSampler::expected_count(double t0_h, double t1_h) const {
  const double k = trend_per_hour_;
  // ∫ over [a, b) inside one hour, at that hour's factor.
  const auto within_hour = [&](double a, double b) {
    const double rate_a = base_rate_per_hour_ * factor(std::floor(a)) * std::exp(k * a);
    return k == 0.0 ? rate_a * (b - a) : rate_a * std::expm1(k * (b - a)) / k;
  };
  // Hour by hour up to the first week boundary, whole weeks as a geometric series (licence
  // planning asks for a year ahead every day: 8,760 hours each time otherwise), then hour by
  // hour to the end.
  double total = 0.0;
  double a = t0_h;
  const double first_week_end = std::ceil(t0_h / kHoursPerWeek) * kHoursPerWeek;
  for (; a < std::min(first_week_end, t1_h); a = std::min(std::floor(a) + 1.0, t1_h)) {
    total += within_hour(a, std::min(std::floor(a) + 1.0, t1_h));
  }
  const double weeks = std::floor((t1_h - a) / kHoursPerWeek);
  if (weeks > 0.0) {
    // Σ_{w<n} e^{k·(a + 168w)}·M = e^{k·a}·M·(e^{168kn} − 1)/(e^{168k} − 1), M the mass of
    // a week that starts at time 0.
    const double growth =
        k == 0.0 ? weeks : std::expm1(k * kHoursPerWeek * weeks) / std::expm1(k * kHoursPerWeek);
    total += std::exp(k * a) * week_mass_ * growth;
    a += weeks * kHoursPerWeek;
  }
  for (; a < t1_h; a = std::min(std::floor(a) + 1.0, t1_h)) {
    total += within_hour(a, std::min(std::floor(a) + 1.0, t1_h));
  }
  return total;
}

void ArrivalSampler::sample(double t0_h, double t1_h, RandomEngine& engine,
                            std::vector<double>& times_h) const {
  if (!(t0_h < t1_h)) return;
  if (constant_) {
    const double rate = base_rate_per_hour_ * week_factor_[0];
    if (rate <= 0.0) return;
    for (double t = t0_h + unit_exponential(engine) / rate; t < t1_h;
         t += unit_exponential(engine) / rate) {
      times_h.push_back(t);
      poll_interrupt(times_h.size(), "generating arrivals");
    }
    return;
  }

  const double k = trend_per_hour_;
  double remaining = unit_exponential(engine);  // unit-rate time left until the next arrival
  for (double a = t0_h; a < t1_h;) {
    const double hour = std::floor(a);
    const double b = std::min(hour + 1.0, t1_h);
    const double c = base_rate_per_hour_ * factor(hour);
    while (c > 0.0) {
      const double rate_a = c * std::exp(k * a);
      const double mass = k == 0.0 ? rate_a * (b - a) : rate_a * std::expm1(k * (b - a)) / k;
      if (remaining >= mass) {
        remaining -= mass;
        break;
      }
      double t = k == 0.0 ? a + remaining / rate_a : a + std::log1p(k * remaining / rate_a) / k;
      // Rounding may put t on or past b although remaining < mass; keep it inside [a, b).
      if (!(t < b)) t = std::nextafter(b, a);
      t = std::max(t, a);
      times_h.push_back(t);
      poll_interrupt(times_h.size(), "generating arrivals");
      a = t;
      remaining = unit_exponential(engine);
    }
    a = b;
  }
}

}  // namespace gpumarket
