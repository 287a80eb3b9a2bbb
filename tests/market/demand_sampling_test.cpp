#include "gpumarket/market/demand_sampling.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <numbers>
#include <vector>

#include "gpumarket/core/random.hpp"

// Counts heap allocations so that a test can assert that a call makes none. GCC flags the
// malloc/free pair inside the replaced operators as mismatched; they are matched by design.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace gpumarket {
namespace {

// Standard normal quantiles, to 16 digits.
constexpr double kZ90 = 1.2815515655446004;
constexpr double kZ75 = 0.6744897501960817;
constexpr double kZ95 = 1.6448536269514722;

// |fraction of draws ≤ x − p| within 3 binomial standard errors.
void expect_fraction_below(const std::vector<double>& draws, double x, double p) {
  const double n = static_cast<double>(draws.size());
  const double below = static_cast<double>(
      std::count_if(draws.begin(), draws.end(), [x](double d) { return d <= x; }));
  EXPECT_NEAR(below / n, p, 3.0 * std::sqrt(p * (1.0 - p) / n)) << "at x = " << x;
}

std::vector<double> draw_many(const SizeSampler& sampler, int n, uint64_t seed) {
  RandomEngine engine = make_stream(seed, "test/sizes");
  std::vector<double> draws(static_cast<size_t>(n));
  for (double& d : draws) d = sampler.draw(engine);
  return draws;
}

TEST(SizeSampler, LognormalQuantilesMatchTheory) {
  const double median = 0.2622;
  const double sigma = 2.18;
  const SizeSampler sampler(SizeDistribution::lognormal(median, sigma));
  const std::vector<double> draws = draw_many(sampler, 200'000, 1);
  expect_fraction_below(draws, median, 0.5);
  expect_fraction_below(draws, median * std::exp(-sigma * kZ90), 0.10);
  expect_fraction_below(draws, median * std::exp(-sigma * kZ75), 0.25);
  expect_fraction_below(draws, median * std::exp(sigma * kZ75), 0.75);
  expect_fraction_below(draws, median * std::exp(sigma * kZ90), 0.90);
  EXPECT_TRUE(std::all_of(draws.begin(), draws.end(), [](double d) { return d > 0.0; }));
}

TEST(SizeSampler, SplicedParetoTailQuantilesMatchTheory) {
  const double median = 0.2622;
  const double sigma = 2.18;
  const ParetoTail tail{.quantile = 0.95, .alpha = 1.2};
  const SizeSampler sampler(SizeDistribution::lognormal(median, sigma, tail));
  const double x_q = median * std::exp(sigma * kZ95);
  EXPECT_NEAR(sampler.tail_start(), x_q, 1e-12 * x_q);

  const std::vector<double> draws = draw_many(sampler, 400'000, 2);
  // The body is the lognormal's below x_q.
  expect_fraction_below(draws, median, 0.5);
  expect_fraction_below(draws, median * std::exp(sigma * kZ90), 0.90);
  expect_fraction_below(draws, x_q, 0.95);
  // Above x_q, P(X > x) = (1 − q)·(x / x_q)^(−alpha).
  for (double p : {0.98, 0.99, 0.999}) {
    expect_fraction_below(draws,
                          x_q * std::pow((1.0 - tail.quantile) / (1.0 - p), 1.0 / tail.alpha), p);
  }
}

TEST(SizeSampler, QuantileIsContinuousWhereTheTailStarts) {
  const SizeSampler sampler(SizeDistribution::lognormal(1.0, 1.5, ParetoTail{0.9, 1.5}));
  EXPECT_NEAR(sampler.quantile(std::nextafter(0.9, 0.0)), sampler.tail_start(),
              1e-12 * sampler.tail_start());
  EXPECT_DOUBLE_EQ(sampler.quantile(0.9), sampler.tail_start());
}

TEST(SizeSampler, ExponentialMeanMatches) {
  const double mean = 2.5;
  const SizeSampler sampler(SizeDistribution::exponential(mean));
  const int n = 200'000;
  const std::vector<double> draws = draw_many(sampler, n, 3);
  double sum = 0.0;
  for (double d : draws) sum += d;
  EXPECT_NEAR(sum / n, mean, 3.0 * mean / std::sqrt(n));  // sd of Exp = mean
  EXPECT_DOUBLE_EQ(sampler.mean(), mean);
  expect_fraction_below(draws, mean * std::numbers::ln2, 0.5);
}

TEST(SizeSampler, ConstantAlwaysDrawsItsValueAndConsumesOneUniform) {
  const SizeSampler sampler(SizeDistribution::constant(1.5));
  const SizeSampler lognormal(SizeDistribution::lognormal(1.0, 1.0));
  RandomEngine ea = make_stream(5, "s");
  RandomEngine eb = make_stream(5, "s");
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(sampler.draw(ea), 1.5);
    lognormal.draw(eb);
  }
  EXPECT_EQ(ea, eb);  // streams stay aligned with any other shape
  EXPECT_EQ(sampler.quantile(0.01), 1.5);
  EXPECT_EQ(sampler.quantile(0.99), 1.5);
  EXPECT_EQ(sampler.mean(), 1.5);
  EXPECT_TRUE(std::isinf(sampler.tail_start()));
}

TEST(SizeSampler, AnalyticMeanMatchesSampleMean) {
  // alpha = 4 keeps the tail's variance (and the variance of the sample variance) finite.
  for (const SizeDistribution& distribution :
       {SizeDistribution::lognormal(1.0, 0.8),
        SizeDistribution::lognormal(1.0, 0.8, ParetoTail{0.9, 4.0}),
        SizeDistribution::lognormal(0.5, 1.2, ParetoTail{0.7, 5.0})}) {
    const SizeSampler sampler(distribution);
    const int n = 400'000;
    const std::vector<double> draws = draw_many(sampler, n, 4);
    double sum = 0.0;
    double sum_sq = 0.0;
    for (double d : draws) {
      sum += d;
      sum_sq += d * d;
    }
    const double mean = sum / n;
    const double sd = std::sqrt((sum_sq - n * mean * mean) / (n - 1));
    EXPECT_NEAR(mean, sampler.mean(), 3.0 * sd / std::sqrt(n));
  }
  EXPECT_DOUBLE_EQ(SizeSampler(SizeDistribution::lognormal(2.0, 1.0)).mean(), 2.0 * std::exp(0.5));
}

TEST(SizeSampler, MeanIsInfiniteForATailIndexOfOneOrLess) {
  EXPECT_TRUE(
      std::isinf(SizeSampler(SizeDistribution::lognormal(1.0, 1.0, ParetoTail{0.95, 1.0})).mean()));
  EXPECT_TRUE(
      std::isinf(SizeSampler(SizeDistribution::lognormal(1.0, 1.0, ParetoTail{0.95, 0.9})).mean()));
}

TEST(SizeSampler, ConsumesOneUniformPerDraw) {
  // Inversion keeps streams aligned across parameter changes: the n-th draws of two
  // samplers on equal streams are the same quantile.
  const SizeSampler a(SizeDistribution::lognormal(1.0, 1.0));
  const SizeSampler b(SizeDistribution::lognormal(3.0, 2.0, ParetoTail{0.5, 1.1}));
  RandomEngine ea = make_stream(9, "s");
  RandomEngine eb = make_stream(9, "s");
  for (int i = 0; i < 1000; ++i) {
    const double x = a.draw(ea);
    const double y = b.draw(eb);
    // Both are quantiles of the same u: compare the u each implies through `a`.
    const double u = 0.5 * std::erfc(-std::log(x) / std::numbers::sqrt2);
    EXPECT_NEAR(b.quantile(u), y, 1e-9 * y);
  }
}

// ---------------------------------------------------------------------------------------------

void expect_zipf_frequencies(int64_t n, double s, int draws, uint64_t seed) {
  const ZipfSampler sampler(AddressPoolParams{.count = n, .zipf_exponent = s});
  RandomEngine engine = make_stream(seed, "test/zipf");
  std::vector<double> counts(static_cast<size_t>(n), 0.0);
  for (int i = 0; i < draws; ++i) {
    const int64_t k = sampler.draw(engine);
    ASSERT_GE(k, 0);
    ASSERT_LT(k, n);
    counts[k] += 1.0;
  }
  double normaliser = 0.0;
  for (int64_t k = 1; k <= n; ++k) normaliser += std::pow(static_cast<double>(k), -s);
  double chi_square = 0.0;
  double total_probability = 0.0;
  for (int64_t k = 0; k < n; ++k) {
    const double p = std::pow(static_cast<double>(k + 1), -s) / normaliser;
    EXPECT_NEAR(sampler.probability(k), p, 1e-12 * p);
    total_probability += sampler.probability(k);
    const double expected = draws * p;
    chi_square += (counts[k] - expected) * (counts[k] - expected) / expected;
    if (k < 10) {
      EXPECT_NEAR(counts[k], expected, 3.0 * std::sqrt(expected * (1.0 - p))) << "rank " << k + 1;
    }
  }
  EXPECT_NEAR(total_probability, 1.0, 1e-12);
  // Chi-square with n − 1 degrees of freedom: its 0.999 quantile is below
  // df + 3.1·sqrt(2·df) + 10 for the df used here (49: 85.4 < 90.7).
  const double df = static_cast<double>(n - 1);
  EXPECT_LT(chi_square, df + 3.1 * std::sqrt(2.0 * df) + 10.0);
}

TEST(ZipfSampler, FrequenciesFollowThePowerLaw) { expect_zipf_frequencies(50, 1.1, 500'000, 1); }
TEST(ZipfSampler, ExponentZeroIsUniform) { expect_zipf_frequencies(50, 0.0, 200'000, 2); }
TEST(ZipfSampler, SteepExponentOnALargePool) { expect_zipf_frequencies(1000, 2.0, 500'000, 3); }

TEST(ZipfSampler, SingleAddressAlwaysDrawn) {
  const ZipfSampler sampler(AddressPoolParams{.count = 1, .zipf_exponent = 1.0});
  RandomEngine engine = make_stream(1, "z");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(sampler.draw(engine), 0);
}

// ---------------------------------------------------------------------------------------------

TEST(WeekdayOf, KnowsTheCalendar) {
  EXPECT_EQ(weekday_of(Date::from_ymd(1970, 1, 1)), Weekday::Thursday);
  EXPECT_EQ(weekday_of(Date::from_ymd(1969, 12, 31)), Weekday::Wednesday);
  EXPECT_EQ(weekday_of(Date::from_ymd(2026, 5, 7)), Weekday::Thursday);
  EXPECT_EQ(weekday_of(Date::from_ymd(2026, 5, 10)), Weekday::Sunday);
  EXPECT_EQ(weekday_of(Date::from_ymd(2024, 2, 29)), Weekday::Thursday);
}

std::vector<double> sample_windows(const ArrivalSampler& sampler, double t_end, double window,
                                   uint64_t seed) {
  RandomEngine engine = make_stream(seed, "test/arrivals");
  std::vector<double> times;
  for (double t = 0.0; t < t_end; t += window)
    sampler.sample(t, std::min(t + window, t_end), engine, times);
  return times;
}

TEST(ArrivalSampler, ConstantRateGivesExponentialInterarrivals) {
  const double rate = 3.0;
  const ArrivalSampler sampler(ArrivalParams{.base_rate_per_hour = rate}, Weekday::Monday);
  const std::vector<double> times = sample_windows(sampler, 30'000.0, 1.0, 1);
  ASSERT_TRUE(std::is_sorted(times.begin(), times.end()));
  const double n = static_cast<double>(times.size() - 1);
  double sum = 0.0;
  double sum_sq = 0.0;
  for (size_t i = 1; i < times.size(); ++i) {
    const double gap = times[i] - times[i - 1];
    sum += gap;
    sum_sq += gap * gap;
  }
  const double mean = sum / n;
  const double cv = std::sqrt(sum_sq / n - mean * mean) / mean;
  EXPECT_NEAR(mean, 1.0 / rate, 3.0 / rate / std::sqrt(n));
  // For Exp, the delta method gives Var(CV) ≈ 1/n.
  EXPECT_NEAR(cv, 1.0, 3.0 / std::sqrt(n));
  EXPECT_NEAR(static_cast<double>(times.size()), rate * 30'000.0, 3.0 * std::sqrt(rate * 30'000.0));
}

TEST(ArrivalSampler, ConstantRateCountsArePoisson) {
  const double rate = 4.0;
  const ArrivalSampler sampler(ArrivalParams{.base_rate_per_hour = rate}, Weekday::Monday);
  RandomEngine engine = make_stream(2, "test/arrivals");
  std::vector<double> times;
  const int windows = 40'000;
  double sum = 0.0;
  double sum_sq = 0.0;
  for (int w = 0; w < windows; ++w) {
    times.clear();
    sampler.sample(w, w + 1.0, engine, times);
    sum += static_cast<double>(times.size());
    sum_sq += static_cast<double>(times.size() * times.size());
  }
  const double mean = sum / windows;
  const double variance = (sum_sq - windows * mean * mean) / (windows - 1);
  EXPECT_NEAR(mean, rate, 3.0 * std::sqrt(rate / windows));
  // Var of the sample variance of Poisson(λ) counts is (λ + 2λ²)/n.
  EXPECT_NEAR(variance, rate, 3.0 * std::sqrt((rate + 2.0 * rate * rate) / windows));
}

ArrivalParams modulated_params() {
  ArrivalParams params;
  params.base_rate_per_hour = 10.0;
  params.trend_per_year = std::log(1.5);  // ×1.5 a year (calibration §11 bull case)
  // A diurnal swing of 0.56–1.44 peaking at 15:00, close to Philly's 0.62–1.50 (§8).
  for (int h = 0; h < 24; ++h) {
    params.diurnal[h] = 1.0 + 0.44 * std::cos(2.0 * std::numbers::pi * (h - 15) / 24.0);
  }
  params.weekly = kPhillyWeeklyProfile;
  return params;
}

// The expected count over whole hour [h, h + 1) in closed form, independently of the sampler.
double hour_integral(const ArrivalParams& params, Weekday start, int64_t h) {
  const double k = params.trend_per_year / 8760.0;
  const double c = params.diurnal[h % 24] * params.weekly[(static_cast<int>(start) + h / 24) % 7];
  const auto t = static_cast<double>(h);
  return params.base_rate_per_hour * c * (std::exp(k * (t + 1.0)) - std::exp(k * t)) / k;
}

TEST(ArrivalSampler, CountsPerHourOfDayAndWeekdayMatchTheIntegratedRate) {
  const ArrivalParams params = modulated_params();
  const Weekday start = Weekday::Wednesday;
  const ArrivalSampler sampler(params, start);
  const int64_t hours = int64_t{24} * 7 * 16;
  // Windows of 0.7 h do not line up with hours, so carrying across hour boundaries and
  // across windows is exercised.
  const std::vector<double> times = sample_windows(sampler, static_cast<double>(hours), 0.7, 3);
  ASSERT_TRUE(std::is_sorted(times.begin(), times.end()));

  std::vector<double> by_hour(24, 0.0), expected_by_hour(24, 0.0);
  std::vector<double> by_weekday(7, 0.0), expected_by_weekday(7, 0.0);
  for (double t : times) {
    const auto h = static_cast<int64_t>(t);
    by_hour[h % 24] += 1.0;
    by_weekday[(static_cast<int>(start) + h / 24) % 7] += 1.0;
  }
  for (int64_t h = 0; h < hours; ++h) {
    expected_by_hour[h % 24] += hour_integral(params, start, h);
    expected_by_weekday[(static_cast<int>(start) + h / 24) % 7] += hour_integral(params, start, h);
  }
  double chi_square = 0.0;
  for (int h = 0; h < 24; ++h) {
    EXPECT_NEAR(by_hour[h], expected_by_hour[h], 3.0 * std::sqrt(expected_by_hour[h]))
        << "hour " << h;
    chi_square += std::pow(by_hour[h] - expected_by_hour[h], 2) / expected_by_hour[h];
  }
  EXPECT_LT(chi_square, 51.2);  // 0.999 quantile of chi-square with 24 df
  for (int d = 0; d < 7; ++d) {
    EXPECT_NEAR(by_weekday[d], expected_by_weekday[d], 3.0 * std::sqrt(expected_by_weekday[d]))
        << "weekday " << d;
  }
}

TEST(ArrivalSampler, TrendRaisesCountsAsIntegrated) {
  ArrivalParams params;
  params.base_rate_per_hour = 5.0;
  params.trend_per_year = 2.0;  // a steep trend: ×e² over one year
  const ArrivalSampler sampler(params, Weekday::Monday);
  const std::vector<double> times = sample_windows(sampler, 8760.0, 6.0, 4);
  // Counts per quarter against ∫ base·exp(k t) dt.
  const double k = 2.0 / 8760.0;
  for (int quarter = 0; quarter < 4; ++quarter) {
    const double a = quarter * 2190.0;
    const double b = a + 2190.0;
    const double expected = 5.0 * (std::exp(k * b) - std::exp(k * a)) / k;
    const double count = static_cast<double>(
        std::count_if(times.begin(), times.end(), [&](double t) { return t >= a && t < b; }));
    EXPECT_NEAR(count, expected, 3.0 * std::sqrt(expected)) << "quarter " << quarter;
    EXPECT_NEAR(sampler.expected_count(a, b), expected, 1e-9 * expected);
  }
}

TEST(ArrivalSampler, StartWeekdayShiftsTheWeeklyProfile) {
  ArrivalParams params;
  params.weekly = {1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0};  // nobody works at the weekend
  const ArrivalSampler from_saturday(params, Weekday::Saturday);
  const ArrivalSampler from_monday(params, Weekday::Monday);
  RandomEngine engine = make_stream(5, "w");
  std::vector<double> times;
  from_saturday.sample(0.0, 48.0, engine, times);
  EXPECT_TRUE(times.empty());
  EXPECT_DOUBLE_EQ(from_saturday.expected_count(0.0, 48.0), 0.0);
  EXPECT_DOUBLE_EQ(from_saturday.rate_per_hour(50.0), 1.0);
  from_monday.sample(0.0, 48.0, engine, times);
  EXPECT_FALSE(times.empty());
}

TEST(ArrivalSampler, NoArrivalsInHoursWithZeroRate) {
  ArrivalParams params;
  params.base_rate_per_hour = 50.0;
  params.trend_per_year = -0.5;
  for (int h = 0; h < 8; ++h) params.diurnal[h] = 0.0;
  const ArrivalSampler sampler(params, Weekday::Friday);
  const std::vector<double> times = sample_windows(sampler, 24.0 * 30, 0.25, 6);
  EXPECT_GT(times.size(), 10'000u);
  for (double t : times) EXPECT_GE(std::fmod(t, 24.0), 8.0);
}

TEST(ArrivalSampler, ExpectedCountMatchesNumericalIntegration) {
  const ArrivalSampler sampler(modulated_params(), Weekday::Tuesday);
  const double t0 = 13.37;
  const double t1 = 13.37 + 24.0 * 9 + 0.5;
  const int steps = 2'000'000;
  const double dt = (t1 - t0) / steps;
  double integral = 0.0;
  for (int i = 0; i < steps; ++i) integral += sampler.rate_per_hour(t0 + (i + 0.5) * dt) * dt;
  // The midpoint rule is exact on the piecewise-constant factors except in the steps that
  // straddle an hour boundary; 2e6 steps keep that below 1e-5.
  EXPECT_NEAR(sampler.expected_count(t0, t1), integral, 1e-5 * integral);
}

TEST(ArrivalSampler, ExpectedCountOverWeeksEqualsTheHourlySum) {
  // Whole weeks are summed as a geometric series; an independent hour-by-hour sum of the
  // closed-form integral over each hour must agree, with and without a trend.
  for (const double trend : {0.0, 0.3, -0.8}) {
    ArrivalParams params = modulated_params();
    params.trend_per_year = trend;
    const Weekday start = Weekday::Thursday;
    const ArrivalSampler sampler(params, start);
    const double k = trend / 8760.0;
    const double t0 = 100.25;
    const double t1 = t0 + 8760.0 + 7.5;
    double reference = 0.0;
    for (double a = t0; a < t1;) {
      const double b = std::min(std::floor(a) + 1.0, t1);
      const auto h = static_cast<int64_t>(a);
      const double c =
          params.diurnal[h % 24] * params.weekly[(static_cast<int>(start) + h / 24) % 7];
      const double base = params.base_rate_per_hour * c;
      reference += k == 0.0 ? base * (b - a) : base * (std::exp(k * b) - std::exp(k * a)) / k;
      a = b;
    }
    EXPECT_NEAR(sampler.expected_count(t0, t1), reference, 1e-10 * reference) << trend;
    // A window inside one week takes the hour-by-hour path alone.
    EXPECT_NEAR(
        sampler.expected_count(t0, t0 + 30.0),
        sampler.expected_count(t0, t0 + 10.0) + sampler.expected_count(t0 + 10.0, t0 + 30.0),
        1e-12 * sampler.expected_count(t0, t0 + 30.0));
  }
}

TEST(ArrivalSampler, AppendsSortedTimesInsideTheWindow) {
  const ArrivalSampler sampler(modulated_params(), Weekday::Monday);
  RandomEngine engine = make_stream(7, "a");
  std::vector<double> times = {-1.0};
  sampler.sample(100.3, 107.9, engine, times);
  ASSERT_GT(times.size(), 10u);
  EXPECT_EQ(times.front(), -1.0);
  EXPECT_TRUE(std::is_sorted(times.begin() + 1, times.end()));
  EXPECT_GE(times[1], 100.3);
  EXPECT_LT(times.back(), 107.9);
  const size_t before = times.size();
  sampler.sample(5.0, 5.0, engine, times);
  EXPECT_EQ(times.size(), before);
}

TEST(ArrivalSampler, SameSeedGivesTheSameArrivals) {
  const ArrivalSampler sampler(modulated_params(), Weekday::Monday);
  EXPECT_EQ(sample_windows(sampler, 500.0, 1.0, 8), sample_windows(sampler, 500.0, 1.0, 8));
}

TEST(ArrivalSampler, DoesNotAllocateWithinCapacity) {
  const ArrivalSampler modulated(modulated_params(), Weekday::Monday);
  const ArrivalSampler constant(ArrivalParams{.base_rate_per_hour = 20.0}, Weekday::Monday);
  RandomEngine engine = make_stream(9, "a");
  std::vector<double> times;
  times.reserve(10'000);
  const long before = g_allocations.load();
  for (int hour = 0; hour < 48; ++hour) {
    times.clear();
    modulated.sample(hour, hour + 1.0, engine, times);
    constant.sample(hour, hour + 1.0, engine, times);
  }
  EXPECT_EQ(g_allocations.load(), before);
  EXPECT_GT(times.size(), 0u);
}

}  // namespace
}  // namespace gpumarket
