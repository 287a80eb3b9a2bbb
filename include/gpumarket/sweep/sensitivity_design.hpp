// Designs of global sensitivity analysis in the unit cube, and the map from a unit coordinate
// to a parameter's value: Morris's one-at-a-time trajectories and Saltelli's Sobol matrices.
// The sweep file's `sample: morris|sobol` blocks (sweep_spec.cpp) and the tests build their
// points here; sensitivity_indices.hpp estimates the indices from the outputs at them.
#pragma once

#include <cstdint>
#include <vector>

#include "gpumarket/core/random.hpp"
#include "gpumarket/io/sweep_result_file.hpp"

namespace gpumarket {

enum class ParameterDistribution { Uniform, LogUniform, Normal };

/// A named range of a sample block: the distribution of one parameter on [min, max].
struct ParameterRange {
  double min = 0, max = 1;
  ParameterDistribution distribution = ParameterDistribution::Uniform;
  double mean = 0, sd = 1;  // Normal only: truncated to [min, max]
  bool integer = false;     // rounded to the nearest integer
};

/// The parameter's value at unit coordinate u in [0, 1]: its u-quantile (inverse transform), so
/// that a design uniform in the unit cube follows the distribution; u = 0 and 1 give min and
/// max. log_uniform needs min > 0.
double parameter_value(const ParameterRange& range, double u);

/// A design's points in the unit cube [0, 1]^k with each point's role; design.parameters is
/// left empty (the sweep file names them).
struct UnitDesign {
  SweepDesign design;
  std::vector<std::vector<double>> unit;  // [point][parameter]
  std::vector<DesignRole> roles;          // [point]
};

/// Saltelli's scheme over N base rows: for each row j, the points A_j, B_j and A_B^(i)_j
/// (A_j with coordinate i from B_j) for i = 0 .. k-1, k + 2 consecutive points. A and B are
/// the first and last k coordinates of the 2k-dimensional Sobol' sequence
/// (boost::random::sobol, Joe and Kuo's direction numbers), from its second point on: the
/// first, (1/2, ..., 1/2), would make A_0 = B_0. Deterministic: no seed.
UnitDesign sobol_design(size_t parameters, uint64_t base_samples);

/// The largest number of parameters sobol_design takes (Boost's table has 3,667 dimensions).
size_t max_sobol_parameters();

/// Morris's (1991) trajectories on the grid {0, 1/(p-1), ..., 1} with Delta = p / (2 (p - 1))
/// (p even): each trajectory starts at a random grid point of the lower half and moves each
/// parameter once, in a random order, by +Delta or -Delta (k + 1 consecutive points).
UnitDesign morris_design(size_t parameters, uint64_t trajectories, uint64_t levels,
                         RandomEngine& engine);

}  // namespace gpumarket
