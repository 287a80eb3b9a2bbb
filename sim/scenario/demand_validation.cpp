#include "gpumarket/scenario/demand_validation.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>

namespace gpumarket {
namespace {

std::string number(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

bool finite_at_least(double x, double low) { return std::isfinite(x) && x >= low; }
bool finite_positive(double x) { return std::isfinite(x) && x > 0.0; }

}  // namespace

std::optional<std::string> validation_error(const ArrivalParams& params) {
  if (!finite_at_least(params.base_rate_per_hour, 0.0)) {
    return "The arrival base rate must be a finite number of jobs per hour ≥ 0, not " +
           number(params.base_rate_per_hour) + ".";
  }
  if (!std::isfinite(params.trend_per_year)) {
    return "The arrival trend must be a finite growth rate per year, not " +
           number(params.trend_per_year) + ".";
  }
  for (size_t h = 0; h < params.diurnal.size(); ++h) {
    if (!finite_at_least(params.diurnal[h], 0.0)) {
      return "The diurnal factor of hour " + std::to_string(h) + " must be finite and ≥ 0, not " +
             number(params.diurnal[h]) + ".";
    }
  }
  for (size_t d = 0; d < params.weekly.size(); ++d) {
    if (!finite_at_least(params.weekly[d], 0.0)) {
      return "The weekly factor of weekday " + std::to_string(d) +
             " (0 = Monday) must be finite and ≥ 0, not " + number(params.weekly[d]) + ".";
    }
  }
  return std::nullopt;
}

std::optional<std::string> validation_error(const SizeDistribution& distribution) {
  switch (distribution.shape) {
    case SizeDistribution::Shape::Lognormal:
      if (!finite_positive(distribution.median)) {
        return "The lognormal median must be finite and > 0, not " + number(distribution.median) +
               ".";
      }
      if (!finite_positive(distribution.sigma)) {
        return "The lognormal sigma must be finite and > 0, not " + number(distribution.sigma) +
               ".";
      }
      if (distribution.tail) {
        const ParetoTail& tail = *distribution.tail;
        if (!(tail.quantile > 0.0 && tail.quantile < 1.0)) {
          return "The Pareto tail's quantile must lie strictly between 0 and 1, not " +
                 number(tail.quantile) + ".";
        }
        if (!finite_positive(tail.alpha)) {
          return "The Pareto tail index must be finite and > 0, not " + number(tail.alpha) + ".";
        }
      }
      return std::nullopt;
    case SizeDistribution::Shape::Exponential:
      if (!finite_positive(distribution.mean)) {
        return "The exponential mean must be finite and > 0, not " + number(distribution.mean) +
               ".";
      }
      if (distribution.tail) {
        return "A Pareto tail applies only to the lognormal shape, not to the exponential.";
      }
      return std::nullopt;
    case SizeDistribution::Shape::Constant:
      if (!finite_positive(distribution.mean)) {
        return "The constant size must be finite and > 0, not " + number(distribution.mean) + ".";
      }
      if (distribution.tail) {
        return "A Pareto tail applies only to the lognormal shape, not to a constant.";
      }
      return std::nullopt;
  }
  return "The size distribution has an unknown shape.";
}

std::optional<std::string> validation_error(const AddressPoolParams& params) {
  // 16 bytes per address in the alias table: 10^8 addresses is 1.6 GB per segment.
  constexpr int64_t kMaxAddresses = 100'000'000;
  if (params.count < 1 || params.count > kMaxAddresses) {
    return "The address pool must hold between 1 and 100000000 addresses, not " +
           std::to_string(params.count) + ".";
  }
  if (!finite_at_least(params.zipf_exponent, 0.0)) {
    return "The Zipf exponent of the address pool must be finite and ≥ 0, not " +
           number(params.zipf_exponent) + ".";
  }
  return std::nullopt;
}

std::optional<std::string> validation_error(const SegmentDemandParams& params) {
  if (auto error = validation_error(params.arrivals)) return error;
  if (auto error = validation_error(params.width_pf)) return "Job width: " + *error;
  if (auto error = validation_error(params.duration_h)) return "Job duration: " + *error;
  if (auto error = validation_error(params.addresses)) return error;
  if (!finite_positive(params.value_usd_per_pf_hour)) {
    return "The value per PF·h must be a finite number of USD > 0, not " +
           number(params.value_usd_per_pf_hour) + ".";
  }
  if (!finite_at_least(params.value_of_time_usd_per_pf_hour_per_hour, 0.0)) {
    return "The value of time must be a finite number of USD per PF·h per hour ≥ 0, not " +
           number(params.value_of_time_usd_per_pf_hour_per_hour) + ".";
  }
  if (params.patience <= Duration()) {
    return "The patience must be longer than zero.";
  }
  if (!(params.licensed_share >= 0.0 && params.licensed_share <= 1.0)) {
    return "The licensed share must lie in [0, 1], not " + number(params.licensed_share) + ".";
  }
  return std::nullopt;
}

}  // namespace gpumarket
