// A request to stop, set by a signal handler and polled by the loops that can run long
// (reading input, building large tables, generating a tick's arrivals, dispatching its events),
// so that Ctrl-C is seen within milliseconds, not only between ticks. The libraries only poll;
// the CLI installs the handler (install_interrupt_handlers in cli/commands.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "gpumarket/core/error.hpp"

namespace gpumarket {

/// Work stopped by SIGINT or SIGTERM; no output file was written.
class Interrupted : public Error {
 public:
  Interrupted(const std::string& message, int signal) : Error(message), signal_(signal) {}
  int signal() const { return signal_; }

 private:
  int signal_;
};

namespace detail {
inline std::atomic<int> g_interrupt_signal{0};
}  // namespace detail

/// Records `signal` as the reason to stop. Async-signal-safe (a lock-free atomic store).
inline void request_interrupt(int signal) {
  detail::g_interrupt_signal.store(signal, std::memory_order_relaxed);
}

/// The signal that asked to stop, 0 when none.
inline int interrupt_signal() { return detail::g_interrupt_signal.load(std::memory_order_relaxed); }

/// Throws Interrupted, saying the process stopped while `doing` (e.g. "reading
/// bear.yaml"), when a signal asked to stop.
void throw_if_interrupted(const std::string& doing);

/// How many iterations a hot loop runs between polls: one relaxed load per 64 Ki iterations
/// costs nothing measurable, and 64 Ki events or arrivals take about a millisecond.
inline constexpr uint64_t kInterruptPollMask = (1u << 16) - 1;

/// The poll of a hot loop at its `iteration`-th pass: once every kInterruptPollMask + 1
/// passes, throws Interrupted (saying the process stopped while `doing`) when a signal asked to
/// stop. Builds no string unless it throws.
inline void poll_interrupt(uint64_t iteration, const char* doing) {
  if ((iteration & kInterruptPollMask) == kInterruptPollMask && interrupt_signal() != 0) {
    throw_if_interrupted(doing);
  }
}

}  // namespace gpumarket
