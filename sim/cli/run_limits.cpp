#include "gpumarket/cli/run_limits.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "gpumarket/market/run_cost.hpp"

namespace gpumarket {
namespace {

// A key of the resolved tree that sets a cost: where its value is written (or, when the
// scenario leaves it at its default, where the nearest given key is) and its text.
struct Driver {
  std::string key;
  SourceLocation where;
  std::string text;
};

// The first of `paths` present in `tree` (apply_override's syntax); `names` spells the same
// keys for messages. Falls back to the top of the file when none is written.
Driver find_driver(const ConfigNode& tree, std::initializer_list<std::string_view> paths,
                   std::initializer_list<std::string_view> names) {
  const auto* name = names.begin();
  for (const std::string_view path : paths) {
    const ConfigNode* node = nullptr;
    try {
      node = find_path(tree, path);
    } catch (const Error&) {
      // A name that is no valid path step cannot be written either: keep looking.
    }
    if (node != nullptr) {
      return {std::string(*name), node->location, node->is_scalar() ? node->scalar : ""};
    }
    ++name;
  }
  return {std::string(*names.begin()), tree.location, ""};
}

Driver tick_driver(const ConfigNode& tree) {
  Driver d = find_driver(tree, {"tick", "horizon", "end"}, {"tick", "horizon", "end"});
  if (d.text.empty()) d.text = "the default";
  return d;
}

std::string lift(std::string_view option) {
  return fmt::format("(--{} N or --allow-large)", option);
}

// The index of the largest value.
size_t largest(const std::vector<double>& values) {
  return static_cast<size_t>(std::max_element(values.begin(), values.end()) - values.begin());
}

[[noreturn]] void refuse_total(const RunRows& rows, double per_run, std::string_view what,
                               double limit, std::string_view option) {
  throw Error(rows.where, fmt::format("{}: {:.4g} runs of {:.3g} {} each give {:.3g} {}; the "
                                      "limit is {:.3g} {}",
                                      rows.key, rows.count, per_run, what, rows.count * per_run,
                                      what, limit, lift(option)));
}

}  // namespace

void check_run_cost(const ConfigNode& tree, const Scenario& s, const RunLimits& limits,
                    const RunRows& rows) {
  if (limits.allow_large) return;
  const RunCost cost = estimate_run_cost(s);
  const double hours = s.horizon.in_hours();

  if (cost.ticks > limits.max_ticks) {
    const Driver d = tick_driver(tree);
    throw Error(d.where,
                fmt::format("{}: {} over {:.6g} h gives {:.3g} ticks; the limit is "
                            "{:.3g} {}",
                            d.key, d.text, hours, cost.ticks, limits.max_ticks, lift("max-ticks")));
  }
  if (cost.jobs > limits.max_jobs) {
    const size_t i = largest(cost.segment_jobs);
    const std::string& name = s.segments[i].name;
    const std::string at = fmt::format("segments[{}]", i);
    const Driver d =
        find_driver(tree, {at + ".arrivals.rate_per_hour", at + ".arrival_rate_per_hour", at},
                    {"segments." + name + ".arrivals.rate_per_hour",
                     "segments." + name + ".arrival_rate_per_hour", "segments." + name});
    throw Error(d.where, fmt::format("{}: {} jobs/h gives {:.3g} expected jobs over {:.6g} h "
                                     "({:.3g} in all segments); the limit is {:.3g} {}",
                                     d.key, s.segments[i].demand.arrivals.base_rate_per_hour,
                                     cost.segment_jobs[i], hours, cost.jobs, limits.max_jobs,
                                     lift("max-jobs")));
  }
  if (cost.providers > limits.max_providers) {
    const size_t v = largest(cost.venue_providers);
    const std::string& name = s.venues[v].name;
    const MarketplaceParams& m = *s.venues[v].as<MarketplaceParams>();
    // The initial count, or the entrants (the rest of the peak), whichever is more.
    const bool initial =
        2 * static_cast<double>(m.providers.initial_count) >= cost.venue_providers[v];
    const std::string at = fmt::format("venues[{}].", v);
    const std::string key =
        initial ? "providers.initial_count" : "entry_exit.base_entry_rate_per_day";
    const Driver d = find_driver(tree, {at + key, fmt::format("venues[{}]", v)},
                                 {"venues." + name + "." + key, "venues." + name});
    throw Error(d.where,
                fmt::format("{}: {} gives up to {:.3g} providers ({:.3g} in all "
                            "marketplaces); the limit is {:.3g} {}",
                            d.key, d.text.empty() ? "the default" : d.text, cost.venue_providers[v],
                            cost.providers, limits.max_providers, lift("max-providers")));
  }
  if (cost.addresses > limits.max_addresses) {
    std::vector<double> counts;
    for (const Segment& segment : s.segments) {
      counts.push_back(static_cast<double>(segment.demand.addresses.count));
    }
    const size_t i = largest(counts);
    const std::string at = fmt::format("segments[{}]", i);
    const std::string name = "segments." + s.segments[i].name;
    const Driver d =
        find_driver(tree, {at + ".addresses.count", at}, {name + ".addresses.count", name});
    throw Error(d.where, fmt::format("{}: {:.3g} addresses ({:.3g} in all segments); the limit "
                                     "is {:.3g} {}",
                                     d.key, counts[i], cost.addresses, limits.max_addresses,
                                     lift("max-addresses")));
  }
  if (cost.memory_bytes > limits.max_memory_bytes) {
    // Named after the largest part: usually one tick's batch of jobs, since addresses and
    // providers have limits of their own.
    const double largest_part = std::max(
        {cost.tick_batch_memory_bytes, cost.address_memory_bytes, cost.provider_memory_bytes});
    std::string what;
    Driver d;
    if (largest_part == cost.tick_batch_memory_bytes) {
      d = tick_driver(tree);
      what = fmt::format("{} generates ~{:.3g} jobs in the busiest tick, all held at once", d.text,
                         cost.busiest_tick_jobs);
    } else if (largest_part == cost.address_memory_bytes) {
      d = find_driver(tree, {"segments"}, {"segments"});
      what = fmt::format("{:.3g} addresses in all segments", cost.addresses);
    } else {
      d = find_driver(tree, {"venues"}, {"venues"});
      what = fmt::format("up to {:.3g} providers in all marketplaces", cost.providers);
    }
    throw Error(d.where, fmt::format("{}: {}: ~{:.3g} bytes of memory with the rest of the run; "
                                     "the limit is {:.3g} {}",
                                     d.key, what, cost.memory_bytes, limits.max_memory_bytes,
                                     lift("max-memory-bytes")));
  }
  if (cost.output_bytes > limits.max_output_bytes) {
    const Driver d = tick_driver(tree);
    throw Error(d.where, fmt::format("{}: {} over {:.6g} h writes ~{:.3g} bytes of series; the "
                                     "limit is {:.3g} {}",
                                     d.key, d.text, hours, cost.output_bytes,
                                     limits.max_output_bytes, lift("max-output-bytes")));
  }
  if (cost.ticks * rows.count > limits.max_ticks) {
    refuse_total(rows, cost.ticks, "ticks", limits.max_ticks, "max-ticks");
  }
  if (cost.jobs * rows.count > limits.max_jobs) {
    refuse_total(rows, cost.jobs, "expected jobs", limits.max_jobs, "max-jobs");
  }
  if (cost.output_bytes * rows.count > limits.max_output_bytes) {
    refuse_total(rows, cost.output_bytes, "bytes of series", limits.max_output_bytes,
                 "max-output-bytes");
  }
}

}  // namespace gpumarket
