// Forked sweeps (`fork_at: DATE`): the points of a sweep that differ only in timeline steps
// from a date on share, replication by replication, one history up to that date. The trunk is
// run once to the date and its state saved (MarketModel::save_state); each point's run
// continues from it (MarketModel::resume) and writes the rows the unforked sweep writes.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/sweep/sweep_spec.hpp"

namespace gpumarket {

/// `spec.fork_at` in a scenario that starts on `start` (spec.fork_at is valid: check_fork).
SimTime fork_time(const SweepSpec& spec, Date start);

/// Throws Error, located in the sweep file, unless the sweep can fork at `fork_at`: a date,
/// inside the run of every point, with common random numbers, and with no axis that changes
/// the scenario before it (the error names the axis and its value).
void check_fork(const SweepSpec& spec);

/// The saved states of the trunks, by the scenario-prefix hash they were saved for
/// (io/scenario_prefix.hpp). Shared by the threads of one process: the first row to need a
/// trunk runs it, the others wait for it. A trunk that fails fails every row that needs it,
/// with its error. Holds every state until destroyed.
class TrunkStates {
 public:
  using State = std::shared_ptr<const std::string>;
  State get(uint64_t prefix_hash, const std::function<std::string()>& run_trunk);

 private:
  std::mutex mutex_;
  std::map<uint64_t, std::shared_future<State>> states_;
};

}  // namespace gpumarket
