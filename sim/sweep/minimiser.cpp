#include "gpumarket/sweep/minimiser.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <exception>
#include <nlopt.hpp>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/random.hpp"

namespace gpumarket {
namespace {

nlopt::algorithm nlopt_algorithm(std::string_view name) {
  if (name == "bobyqa") return nlopt::LN_BOBYQA;
  if (name == "subplex") return nlopt::LN_SBPLX;
  GPUMARKET_CHECK_MSG(name == "neldermead", "unknown minimiser algorithm");
  return nlopt::LN_NELDERMEAD;
}

std::string stop_reason(nlopt::result result) {
  switch (result) {
    case nlopt::STOPVAL_REACHED:
      return "stopval reached";
    case nlopt::FTOL_REACHED:
      return "ftol reached";
    case nlopt::XTOL_REACHED:
      return "xtol reached";
    case nlopt::MAXEVAL_REACHED:
      return "maxeval reached";
    case nlopt::MAXTIME_REACHED:
      return "maxtime reached";
    case nlopt::ROUNDOFF_LIMITED:
      return "roundoff limited";
    default:
      return "success";
  }
}

// One local search in the unit cube from `u`, which it overwrites with the best point.
LocalSearch search_from(const MinimiserObjective& in_cube, std::vector<double> u,
                        const MinimiserOptions& options) {
  const size_t n = u.size();
  LocalSearch search;
  search.start = u;
  std::exception_ptr failure;
  uint64_t evaluations = 0;
  nlopt::opt opt(nlopt_algorithm(options.algorithm), static_cast<unsigned>(n));
  auto f = [&](const std::vector<double>& x, std::vector<double>& /*gradient*/) {
    ++evaluations;
    try {
      return in_cube(x);
    } catch (...) {
      failure = std::current_exception();
      opt.force_stop();
      return 0.0;
    }
  };
  using Callback = decltype(f);
  opt.set_min_objective([](const std::vector<double>& x, std::vector<double>& g,
                           void* data) { return (*static_cast<Callback*>(data))(x, g); },
                        &f);
  opt.set_lower_bounds(std::vector<double>(n, 0.0));
  opt.set_upper_bounds(std::vector<double>(n, 1.0));
  opt.set_xtol_abs(options.x_tolerance);
  if (options.f_tolerance > 0) opt.set_ftol_abs(options.f_tolerance);
  opt.set_maxeval(static_cast<int>(std::min<uint64_t>(options.max_evaluations, INT32_MAX)));
  // The same first step in every coordinate of the cube. BOBYQA moves a start that lies
  // closer than this to a bound onto the bound or one step inside it.
  const std::vector<double> step(n, options.initial_step);
  opt.set_initial_step(step);
  double value = 0;
  nlopt::result result = nlopt::FAILURE;
  try {
    result = opt.optimize(u, value);
  } catch (const nlopt::roundoff_limited&) {
    result = nlopt::ROUNDOFF_LIMITED;  // the best point so far is in `u`: a usable end
    value = opt.last_optimum_value();
  } catch (const nlopt::forced_stop&) {
    GPUMARKET_CHECK(failure != nullptr);
  }
  if (failure) std::rethrow_exception(failure);
  search.best = std::move(u);
  search.value = value;
  search.evaluations = evaluations;
  search.stop_reason = stop_reason(result);
  return search;
}

}  // namespace

MinimiserResult minimise(const MinimiserObjective& objective, const std::vector<double>& lower,
                         const std::vector<double>& upper, const std::vector<double>& start,
                         const MinimiserOptions& options) {
  const size_t n = lower.size();
  GPUMARKET_CHECK(n > 0 && upper.size() == n && start.size() == n);
  const auto to_box = [&](const std::vector<double>& u) {
    std::vector<double> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = lower[i] + u[i] * (upper[i] - lower[i]);
    return x;
  };
  const MinimiserObjective in_cube = [&](const std::vector<double>& u) {
    return objective(to_box(u));
  };
  MinimiserResult result;
  for (uint64_t k = 0; k <= options.restarts; ++k) {
    std::vector<double> u(n);
    if (k == 0) {
      for (size_t i = 0; i < n; ++i) {
        GPUMARKET_CHECK(lower[i] < upper[i]);
        u[i] = std::clamp((start[i] - lower[i]) / (upper[i] - lower[i]), 0.0, 1.0);
      }
    } else {
      RandomEngine stream = make_stream(options.seed, fmt::format("minimiser/restart/{}", k));
      for (double& ui : u) ui = uniform01(stream);
    }
    LocalSearch search = search_from(in_cube, std::move(u), options);
    search.start = to_box(search.start);
    search.best = to_box(search.best);
    result.evaluations += search.evaluations;
    if (k == 0 || search.value < result.value) {
      result.value = search.value;
      result.best = search.best;
    }
    result.searches.push_back(std::move(search));
  }
  return result;
}

}  // namespace gpumarket
