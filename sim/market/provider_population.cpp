#include "gpumarket/market/provider_population.hpp"

#include <limits>

#include "gpumarket/core/check.hpp"

namespace gpumarket {

void ProviderPopulation::add(std::span<const ProviderAttributes> entrants,
                             double initial_rolling_margin) {
  if (entrants.empty()) return;
  const Eigen::Index old_size = size();
  const Eigen::Index new_size = old_size + static_cast<Eigen::Index>(entrants.size());
  capacity_pf.conservativeResize(new_size);
  energy_usd_per_pf_hour.conservativeResize(new_size);
  capex_usd_per_pf_hour.conservativeResize(new_size);
  ask_markup.conservativeResize(new_size);
  rolling_margin_usd_per_pf_hour.conservativeResize(new_size);
  negative_margin_ticks.conservativeResize(new_size);
  token_ask_tokens_per_pf_hour.conservativeResize(new_size);
  unpaid_tokens.conservativeResize(new_size);
  Eigen::Index i = old_size;
  for (const ProviderAttributes& e : entrants) {
    // Zero capacity would make per-capacity margins undefined.
    GPUMARKET_CHECK(e.capacity_pf > 0.0);
    capacity_pf[i] = e.capacity_pf;
    energy_usd_per_pf_hour[i] = e.energy_usd_per_pf_hour;
    capex_usd_per_pf_hour[i] = e.capex_usd_per_pf_hour;
    ask_markup[i] = e.ask_markup;
    rolling_margin_usd_per_pf_hour[i] = initial_rolling_margin;
    negative_margin_ticks[i] = 0;
    token_ask_tokens_per_pf_hour[i] = std::numeric_limits<double>::quiet_NaN();
    unpaid_tokens[i] = 0.0;
    ++i;
  }
}

void ProviderPopulation::add(const ProviderAttributes& entrant, double initial_rolling_margin) {
  add(std::span<const ProviderAttributes>(&entrant, 1), initial_rolling_margin);
}

Eigen::Index ProviderPopulation::remove_if(const Eigen::Ref<const ArrayXb>& mask) {
  GPUMARKET_CHECK(mask.size() == size());
  const Eigen::Index n = size();
  Eigen::Index kept = 0;
  // One stable in-place pass over all columns: exits are rare, so the common case
  // (nothing removed) costs one scan and no allocation.
  for (Eigen::Index i = 0; i < n; ++i) {
    if (mask[i]) continue;
    if (kept != i) {
      capacity_pf[kept] = capacity_pf[i];
      energy_usd_per_pf_hour[kept] = energy_usd_per_pf_hour[i];
      capex_usd_per_pf_hour[kept] = capex_usd_per_pf_hour[i];
      ask_markup[kept] = ask_markup[i];
      rolling_margin_usd_per_pf_hour[kept] = rolling_margin_usd_per_pf_hour[i];
      negative_margin_ticks[kept] = negative_margin_ticks[i];
      token_ask_tokens_per_pf_hour[kept] = token_ask_tokens_per_pf_hour[i];
      unpaid_tokens[kept] = unpaid_tokens[i];
    }
    ++kept;
  }
  if (kept == n) return 0;
  capacity_pf.conservativeResize(kept);
  energy_usd_per_pf_hour.conservativeResize(kept);
  capex_usd_per_pf_hour.conservativeResize(kept);
  ask_markup.conservativeResize(kept);
  rolling_margin_usd_per_pf_hour.conservativeResize(kept);
  negative_margin_ticks.conservativeResize(kept);
  token_ask_tokens_per_pf_hour.conservativeResize(kept);
  unpaid_tokens.conservativeResize(kept);
  return n - kept;
}

}  // namespace gpumarket
