// A failed allocation named by what the command was doing, instead of a bare std::bad_alloc.
#pragma once

#include <fmt/core.h>

#include <new>
#include <string>
#include <utility>

#include "gpumarket/core/error.hpp"

namespace gpumarket {

/// Calls `work`; a std::bad_alloc from it becomes Error("out of memory while <doing>; ...").
template <class Work>
decltype(auto) naming_out_of_memory(const std::string& doing, Work&& work) {
  try {
    return std::forward<Work>(work)();
  } catch (const std::bad_alloc&) {
    throw Error(fmt::format(
        "out of memory while {} (docs/limits.md says what sizes a run's memory)", doing));
  }
}

}  // namespace gpumarket
