#include "cf_units.hpp"

#include <array>
#include <utility>

namespace gpumarket::hdf5 {
namespace {

// Every spelling here was checked with udunits2 (Debian's udunits-bin). A PF is 1e15
// floating-point operations per second; UDUNITS counts operations as dimensionless, so a
// PF is "1e15 s-1" and a PF*h "1e15 s-1 h" (3.6e18 operations).
constexpr std::array<std::pair<std::string_view, CfUnit>, 24> kUnits = {{
    {"1", {"1", ""}},
    {"h", {"h", ""}},
    {"1/h", {"h-1", ""}},
    {"PF", {"1e15 s-1", ""}},
    {"PF*h", {"1e15 s-1 h", ""}},
    {"PF*h/day", {"1e15 s-1 h day-1", ""}},
    {"PF/yr", {"1e15 s-1 year-1", ""}},
    {"GPU", {"1", ""}},
    {"GPU*h", {"h", ""}},
    {"job*h", {"h", ""}},
    {"jobs", {"1", ""}},
    {"providers", {"1", ""}},
    {"addresses", {"1", ""}},
    {"applications", {"1", ""}},
    {"proofs", {"1", ""}},
    {"shocks", {"1", ""}},
    {"tokens", {"1", ""}},
    {"transactions", {"1", ""}},
    {"events", {"1", ""}},
    {"gas", {"1", ""}},
    {"USD", {"1", "USD"}},
    {"USD/(PF*h)", {"(1e15 s-1 h)-1", "USD"}},
    {"USD/PF", {"(1e15 s-1)-1", "USD"}},
    {"wei/gas", {"1", "wei"}},
}};

}  // namespace

std::optional<CfUnit> cf_unit(std::string_view label) {
  for (const auto& [known, unit] : kUnits) {
    if (known == label) return unit;
  }
  return std::nullopt;
}

}  // namespace gpumarket::hdf5
