// Derivative-free minimisation in a box, on NLopt's local optimisers, with restarts from
// deterministic points: calibrate's search. The objective is a simulation ensemble, so the
// search must be reproducible to the bit (a resumed calibration replays it).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gpumarket {

/// NLopt's local derivative-free algorithms that honour bounds, by the names calibration
/// files use: "bobyqa" (Powell's quadratic models), "subplex" (Rowan's Nelder-Mead on
/// subspaces), "neldermead".
inline constexpr std::string_view kMinimiserAlgorithms[] = {"bobyqa", "subplex", "neldermead"};

struct MinimiserOptions {
  std::string algorithm = "bobyqa";  // one of kMinimiserAlgorithms
  uint64_t max_evaluations = 200;    // per local search
  /// Further local searches after the first, each from a point drawn uniformly in the box
  /// from the stream make_stream(seed, "minimiser/restart/<k>").
  uint64_t restarts = 0;
  uint64_t seed = 1;
  /// A local search stops when a step changes every coordinate by less than this fraction of
  /// its range, or the objective by less than `f_tolerance` (absolute; 0: not used).
  double x_tolerance = 1e-6;
  double f_tolerance = 0;
  /// The first step of each local search, as a fraction of each range.
  double initial_step = 0.25;
};

/// One local search: where it started and ended.
struct LocalSearch {
  std::vector<double> start, best;
  double value = 0;
  uint64_t evaluations = 0;
  std::string stop_reason;  // NLopt's, e.g. "xtol reached"
};

struct MinimiserResult {
  std::vector<double> best;
  double value = 0;
  uint64_t evaluations = 0;  // over all local searches
  std::vector<LocalSearch> searches;
};

using MinimiserObjective = std::function<double(const std::vector<double>&)>;

/// Minimises `objective` over lower <= x <= upper (finite, lower < upper) from `start`, then
/// from each restart point; returns the best point any search found (the first at a tie).
/// The search works in the unit cube (x = lower + u (upper - lower)), so that ranges of
/// different sizes weigh alike. Deterministic: the same inputs give the same sequence of
/// evaluations. An exception thrown by the objective stops the search and is rethrown.
MinimiserResult minimise(const MinimiserObjective& objective, const std::vector<double>& lower,
                         const std::vector<double>& upper, const std::vector<double>& start,
                         const MinimiserOptions& options);

}  // namespace gpumarket
