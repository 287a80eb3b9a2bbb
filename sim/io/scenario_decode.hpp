// Private to the io module: the decoders of one scenario section each, shared by
// scenario_loader.cpp (top level, bridges, timeline), decode_supply.cpp and decode_demand.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gpumarket/io/config_reader.hpp"
#include "gpumarket/scenario/scenario.hpp"

namespace gpumarket::scenario_decode {

// Each decoder reads its keys, calls finish(), then checks what involves more than one field
// of its own section. Checks across sections (names that refer to other items) are done by
// decode_scenario after every section is read.

/// "%g" of a number.
std::string number_text(double x);
/// "%gh" of a duration.
std::string hours_text(Duration d);
/// What `key` was written as (a scalar's text), or "the default" when it is absent.
std::string written(const MapReader& r, std::string_view key);
/// Throws at `key`: "<path>.<key>: expected <expected>, got <written>".
[[noreturn]] void fail_expected(const MapReader& r, std::string_view key,
                                std::string_view expected);
/// A located demand/supply validation sentence: "<path>.<key>: <sentence>" at `key`.
void check_sentence(const MapReader& r, std::string_view key,
                    const std::optional<std::string>& sentence);

/// An optional number in [0, 1).
double optional_fraction_below_one(MapReader& r, std::string_view key, double fallback);

/// One item of `venues` (finished here).
VenueParams decode_venue(MapReader& r);
/// A pool's operation keys (price rule, congestion latency, subsidy bound, research grants),
/// read after its budget and capacity; the pool's reader is finished by decode_venue.
void decode_pool_operation(MapReader& r, AlliancePoolParams& p);
/// The pool's `capacity` (ramp, target) and `procurement` blocks and its `hardware_segment`.
void decode_pool_capacity(MapReader& r, AlliancePoolParams& p);
/// The `hardware` section: one map per segment, merged into the default segments by name.
HardwareMarketParams decode_hardware(MapReader r);
/// Every venue's hardware segment exists; the pool's ramp, initial capacity and schedule fit
/// its hardware budget and the run; its target's precision is one of the two readings.
void check_hardware_references(const Scenario& s, const std::vector<MapReader>& venues);

/// One item of `segments` (finished here).
Segment decode_segment(MapReader& r);

/// A token's price process (a marketplace's token, a chain's gas token; finished here).
void decode_token(MapReader r, TokenParams& t);
/// One item of `chains` (finished here).
ChainParams decode_chain(MapReader& r);
/// A venue's `verification` block, and a prover pool's block.
VerificationParams decode_verification(MapReader r);
ProverParams decode_prover(MapReader r);

}  // namespace gpumarket::scenario_decode
