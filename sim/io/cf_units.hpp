// The UDUNITS-2 spelling of the units gpumarket writes, for the `units` attribute that
// CF readers parse. Private to sim/io.
#pragma once

#include <optional>
#include <string_view>

namespace gpumarket::hdf5 {

/// UDUNITS-2 has no money: `units` is the rest of the unit and `currency` names the money
/// it is counted in ("" for none). Counts of things (jobs, GPUs, tokens) are "1".
struct CfUnit {
  std::string_view units;
  std::string_view currency;
};

/// The CF form of a unit label such as "USD/(PF*h)"; nullopt for a label not in the table.
std::optional<CfUnit> cf_unit(std::string_view label);

}  // namespace gpumarket::hdf5
