// The invariants of the demand parameters (demand.hpp), stated once: the scenario loader
// reports them to the user, and the samplers in market/demand_sampling check them.
#pragma once

#include <optional>
#include <string>

#include "gpumarket/scenario/demand.hpp"

namespace gpumarket {

/// The first problem with the parameters as a full sentence, or nullopt when they are valid.
/// The scenario loader prefixes the location; the samplers require valid parameters.
std::optional<std::string> validation_error(const ArrivalParams& params);
std::optional<std::string> validation_error(const SizeDistribution& distribution);
std::optional<std::string> validation_error(const AddressPoolParams& params);
std::optional<std::string> validation_error(const SegmentDemandParams& params);

}  // namespace gpumarket
