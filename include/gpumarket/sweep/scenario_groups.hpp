// The parts in which two resolved scenarios differ, as groups that can be switched from one
// scenario to the other independently: what `gpumarket explain` attributes a difference to.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gpumarket/io/config_tree.hpp"

namespace gpumarket {

/// One group: the parts of the scenario tree it switches, each a top-level key ("hardware",
/// "timeline", "end"), a named item of a top-level list that only one scenario has
/// ("bridges.icb_v2") or a key of a named item both have ("venues.alliance.subsidy_rate").
struct ScenarioGroup {
  std::string name;
  std::vector<std::string> parts;
};

/// The parts in which `a` and `b` (trees after `extends`) differ, one group each, in the
/// order of a's keys then b's. In a list of named mappings (venues, segments, bridges,
/// chains, ...) an item that only one scenario has is one part, and an item both have gives
/// a part for each of its keys that differ ("venues.alliance.procurement"); any other
/// top-level key is one part. name, description and seed are not parts (replications set
/// the seed).
std::vector<ScenarioGroup> differing_parts(const ConfigNode& a, const ConfigNode& b);

/// The groups of `parts` after the user's groupings, each "NAME=PART,PART,...": those parts
/// become one group NAME (in the position of its first part), the others stay alone. A PART
/// may also name a section, which takes every part inside it: "venues.alliance" takes
/// "venues.alliance.subsidy_rate" and "venues.alliance.procurement", "venues" every venue's.
/// Throws Error naming the grouping when it names a part or section that does not differ or
/// whose parts an earlier grouping took.
std::vector<ScenarioGroup> group_parts(const std::vector<ScenarioGroup>& parts,
                                       const std::vector<std::string>& groupings);

/// `a` with the parts of the groups in `mask` (bit g for groups[g]) taken from `b`: replaced,
/// added where `a` lacks them (at the end of their list, item or mapping), removed where `b`
/// does.
ConfigNode switch_groups(const ConfigNode& a, const ConfigNode& b,
                         const std::vector<ScenarioGroup>& groups, uint32_t mask);

}  // namespace gpumarket
