// What a run's state at a date depends on, as one digest: the scenario before that date. A
// checkpoint carries it, and a run continued from the checkpoint (or a branch of a forked sweep)
// must have the same one, so that it may differ only in timeline steps from the date on.
#pragma once

#include <cstdint>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/io/config_tree.hpp"

namespace gpumarket {

/// FNV-1a-64 of the resolved scenario `tree` (after extends and overrides, validated) without
/// the timeline steps that take effect at or after `at`, and of the run's seed. `start` is the
/// scenario's start, time 0. Conservative: a value moved between the base and an earlier step
/// changes the digest although the history would not change.
uint64_t scenario_prefix_hash(const ConfigNode& tree, uint64_t seed, Date start, SimTime at);

}  // namespace gpumarket
