#include "gpumarket/io/scenario_prefix.hpp"

#include <optional>
#include <string>
#include <vector>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/hash.hpp"

namespace gpumarket {

uint64_t scenario_prefix_hash(const ConfigNode& tree, uint64_t seed, Date start, SimTime at) {
  ConfigNode prefix = tree;
  if (ConfigNode* timeline = prefix.find("timeline"); timeline != nullptr) {
    std::erase_if(timeline->items, [&](const ConfigNode& step) {
      const ConfigNode* date = step.find("date");
      GPUMARKET_CHECK(date != nullptr);  // the loader validated the tree
      const std::optional<Date> day = parse_date(date->scalar);
      GPUMARKET_CHECK(day.has_value());
      return midnight_of(*day, start) >= at;
    });
    // No steps before `at` reads as no timeline: a scenario that gains its first steps later
    // shares the history of the one without.
    if (timeline->items.empty()) prefix.remove("timeline");
  }
  return fnv1a("seed=" + std::to_string(seed) + "\n", fnv1a(to_yaml(prefix)));
}

}  // namespace gpumarket
