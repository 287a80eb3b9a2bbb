// Campolongo, Cariboni and Saltelli's (2007) choice of Morris trajectories: of many random
// candidates, the r that spread most over the unit cube, so that r runs of k + 1 points
// explore more of it than r random trajectories. The sweep file's `candidates` key
// (sweep_spec.cpp) calls it on a morris_design of that many trajectories.
#pragma once

#include <cstdint>
#include <vector>

#include "gpumarket/sweep/sensitivity_design.hpp"

namespace gpumarket {

/// The most combinations select_spread_trajectories searches exhaustively; above it, greedily.
inline constexpr double kExactSpreadCombinations = 200'000;

/// d(a, b) of trajectories a and b of `design` (a morris_design): the sum, over every point of
/// a and every point of b, of their Euclidean distance in the unit cube (Campolongo et al.
/// 2007). 0 when a == b.
double trajectory_distance(const UnitDesign& design, uint64_t a, uint64_t b);

/// The spread of the trajectories `chosen` (distinct): the square root of the sum over their
/// pairs of d², the quantity the selection maximises.
double trajectory_spread(const UnitDesign& design, const std::vector<uint64_t>& chosen);

/// The `trajectories` trajectories of `candidates` with the largest spread, renumbered 0 ..
/// r - 1 in candidate order, each unchanged (a valid Morris design). Every combination is
/// tried when there are at most kExactSpreadCombinations (the first best wins); otherwise the
/// farthest pair is extended by the candidate that adds most, one at a time, then single swaps
/// of a chosen for an unchosen candidate are made while one raises the spread. Deterministic.
UnitDesign select_spread_trajectories(const UnitDesign& candidates, uint64_t trajectories);

}  // namespace gpumarket
