// Scalar reference implementations of the supply formulas: one object per provider
// (array of structs) and plain loops, written the way a first implementation would be
// (clearing by a full sort, margins from used / capacity). Tests check the pricing rules
// (pricing_rule.hpp) and the marketplace tick against them; bench/market_bench.cpp times them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "gpumarket/core/random.hpp"
#include "gpumarket/market/provider_population.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "gpumarket/scenario/supply.hpp"

namespace gpumarket::scalar {

struct Provider {
  double capacity_pf = 0.0;
  double energy_usd_per_pf_hour = 0.0;
  double capex_usd_per_pf_hour = 0.0;
  double ask_markup = 0.0;
  double rolling_margin_usd_per_pf_hour = 0.0;
  int negative_margin_ticks = 0;
  // Per-tick values, kept on the object as a naive implementation would.
  double cost_usd_per_pf_hour = 0.0;
  double ask_usd_per_pf_hour = 0.0;
  double used_pf = 0.0;
  double margin_usd_per_pf_hour = 0.0;
};

inline std::vector<Provider> from_population(const ProviderPopulation& pop) {
  std::vector<Provider> out(static_cast<size_t>(pop.size()));
  for (Eigen::Index i = 0; i < pop.size(); ++i) {
    Provider& p = out[static_cast<size_t>(i)];
    p.capacity_pf = pop.capacity_pf[i];
    p.energy_usd_per_pf_hour = pop.energy_usd_per_pf_hour[i];
    p.capex_usd_per_pf_hour = pop.capex_usd_per_pf_hour[i];
    p.ask_markup = pop.ask_markup[i];
    p.rolling_margin_usd_per_pf_hour = pop.rolling_margin_usd_per_pf_hour[i];
    p.negative_margin_ticks = static_cast<int>(pop.negative_margin_ticks[i]);
  }
  return out;
}

inline void compute_asks(std::vector<Provider>& providers, double hardware_index) {
  for (Provider& p : providers) {
    p.cost_usd_per_pf_hour = p.energy_usd_per_pf_hour + p.capex_usd_per_pf_hour * hardware_index;
    p.ask_usd_per_pf_hour = p.cost_usd_per_pf_hour * (1.0 + p.ask_markup);
  }
}

/// The scarcity price written as the highest ask plus a rent: the rent grows with the
/// excess demand and stops where the price would pass the ceiling (none when the ceiling is
/// below the highest ask).
inline double scarcity_price(double highest_ask, double demand_pf, double capacity_pf,
                             const ScarcityParams& scarcity) {
  const double rent = highest_ask * scarcity.slope * (demand_pf / capacity_pf - 1.0);
  const double room = std::max(0.0, scarcity.ceiling_usd_per_pf_hour - highest_ask);
  return highest_ask + std::min(rent, room);
}

/// Merit order by brute force: sort by ask, walk the cumulative capacity; under excess
/// demand the scarcity price.
inline PriceFormation clear(std::vector<Provider>& providers, double demand_pf,
                            const ScarcityParams& scarcity = {}) {
  PriceFormation f;
  if (providers.empty()) {
    f.price_usd_per_pf_hour = std::numeric_limits<double>::quiet_NaN();
    f.unserved_pf = demand_pf;
    f.payments_usd_per_hour = f.price_usd_per_pf_hour * f.served_pf;
    return f;
  }
  std::vector<size_t> order(providers.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return providers[a].ask_usd_per_pf_hour < providers[b].ask_usd_per_pf_hour;
  });
  double total = 0.0;
  for (const Provider& p : providers) total += p.capacity_pf;
  f.capacity_pf = total;
  f.offered_capacity_pf = total;
  double price = 0.0;
  if (demand_pf <= 0.0) {
    price = providers[order.front()].ask_usd_per_pf_hour;
  } else if (demand_pf >= total) {
    price = scarcity_price(providers[order.back()].ask_usd_per_pf_hour, demand_pf, total, scarcity);
  } else {
    // Rounding may leave the cumulative sum just short of a demand equal to the total:
    // the last (highest) ask is then the marginal one.
    price = providers[order.back()].ask_usd_per_pf_hour;
    double cumulative = 0.0;
    for (size_t i : order) {
      cumulative += providers[i].capacity_pf;
      if (cumulative >= demand_pf) {
        price = providers[i].ask_usd_per_pf_hour;
        break;
      }
    }
  }
  f.price_usd_per_pf_hour = price;
  if (demand_pf <= 0.0) {
    for (Provider& p : providers) p.used_pf = 0.0;
  } else if (demand_pf >= total) {
    for (Provider& p : providers) p.used_pf = p.capacity_pf;
  } else {
    double below = 0.0;
    double at_price = 0.0;
    for (Provider& p : providers) {
      if (p.ask_usd_per_pf_hour < price) below += p.capacity_pf;
      if (p.ask_usd_per_pf_hour == price) at_price += p.capacity_pf;
    }
    const double share =
        at_price > 0.0 ? std::clamp((demand_pf - below) / at_price, 0.0, 1.0) : 0.0;
    for (Provider& p : providers) {
      if (p.ask_usd_per_pf_hour < price) {
        p.used_pf = p.capacity_pf;
      } else if (p.ask_usd_per_pf_hour == price) {
        p.used_pf = p.capacity_pf * share;
      } else {
        p.used_pf = 0.0;
      }
    }
  }
  double served = 0.0;
  for (const Provider& p : providers) served += p.used_pf;
  f.served_pf = served;
  f.unserved_pf = std::max(0.0, demand_pf - served);
  f.payments_usd_per_hour = price * served;
  return f;
}

inline PriceFormation allocate_posted(std::vector<Provider>& providers, double price,
                                      double demand_pf) {
  PriceFormation f;
  f.price_usd_per_pf_hour = price;
  double offered = 0.0;
  for (const Provider& p : providers) {
    f.capacity_pf += p.capacity_pf;
    if (p.ask_usd_per_pf_hour <= price) offered += p.capacity_pf;
  }
  const double fill = offered > 0.0 ? std::min(1.0, demand_pf / offered) : 0.0;
  double served = 0.0;
  for (Provider& p : providers) {
    p.used_pf = p.ask_usd_per_pf_hour <= price ? p.capacity_pf * fill : 0.0;
    served += p.used_pf;
  }
  f.offered_capacity_pf = offered;
  f.served_pf = served;
  f.unserved_pf = std::max(0.0, demand_pf - served);
  f.payments_usd_per_hour = price * served;
  return f;
}

/// What a provider receives per PF·h served: the price net of the platform's fee, converted
/// at the token's move, plus emissions; nothing when nothing is served.
inline double received(const PriceFormation& f, const Receipts& receipts) {
  if (f.served_pf <= 0.0) return 0.0;
  return receipts.kept_share * f.price_usd_per_pf_hour * receipts.token_ratio +
         receipts.emission_usd_per_pf_hour;
}

inline double fee_update(double price, double utilisation, const DynamicFeeParams& params) {
  const double d = params.adjustment;
  double change = d * (utilisation - params.target_utilisation) / params.target_utilisation;
  if (change > d) change = d;
  if (change < -d) change = -d;
  double next = price * (1.0 + change);
  if (next < params.floor_usd_per_pf_hour) next = params.floor_usd_per_pf_hour;
  if (next > params.ceiling_usd_per_pf_hour) next = params.ceiling_usd_per_pf_hour;
  return next;
}

inline void margins(std::vector<Provider>& providers, double hardware_index, double received) {
  for (Provider& p : providers) {
    p.margin_usd_per_pf_hour = p.used_pf / p.capacity_pf * (received - p.energy_usd_per_pf_hour) -
                               p.capex_usd_per_pf_hour * hardware_index;
  }
}

inline void roll(std::vector<Provider>& providers, double weight, double threshold) {
  for (Provider& p : providers) {
    p.rolling_margin_usd_per_pf_hour +=
        weight * (p.margin_usd_per_pf_hour - p.rolling_margin_usd_per_pf_hour);
    if (p.rolling_margin_usd_per_pf_hour < threshold) {
      ++p.negative_margin_ticks;
    } else {
      p.negative_margin_ticks = 0;
    }
  }
}

inline double capacity_weighted_margin(const std::vector<Provider>& providers) {
  double weighted = 0.0;
  for (const Provider& p : providers) weighted += p.capacity_pf * p.rolling_margin_usd_per_pf_hour;
  return weighted;
}

/// The price posted for the next tick: under clearing the clearing price (kept when there is
/// none), under dynamic_fee the controller's step at utilisation served / offered.
inline double next_posted_price(PricingMode mode, double posted, const PriceFormation& f,
                                double demand_pf, const DynamicFeeParams& params) {
  if (mode == PricingMode::Clearing) {
    return std::isnan(f.price_usd_per_pf_hour) ? posted : f.price_usd_per_pf_hour;
  }
  double u = 0.0;
  if (demand_pf > 0.0) {
    u = f.offered_capacity_pf > 0.0 ? std::min(1.0, f.served_pf / f.offered_capacity_pf) : 1.0;
  }
  return fee_update(posted, u, params);
}

inline double mean_margin(const std::vector<Provider>& providers) {
  if (providers.empty()) return 0.0;
  double weighted = 0.0;
  double capacity = 0.0;
  for (const Provider& p : providers) {
    weighted += p.capacity_pf * p.rolling_margin_usd_per_pf_hour;
    capacity += p.capacity_pf;
  }
  return weighted / capacity;
}

/// A marketplace held as provider objects.
struct Marketplace {
  std::vector<Provider> providers;
  double posted_price_usd_per_pf_hour = 0.0;
  double token_usd_at_quote = 0.0;
};

inline Marketplace from_state(const MarketplaceState& state) {
  return {from_population(state.providers), state.posted_price_usd_per_pf_hour,
          state.token_usd_at_quote};
}

/// The same tick as gpumarket::marketplace_tick, one provider at a time. Random draws
/// (entry) go through the library's draw_entrants so that both consume the stream alike.
inline MarketplaceTickResult marketplace_tick(Marketplace& m, const MarketplaceParams& params,
                                              double demand_pf, double token_usd,
                                              double hardware_index, double tick_h,
                                              RandomEngine& rng) {
  if (m.token_usd_at_quote <= 0.0) m.token_usd_at_quote = token_usd;
  compute_asks(m.providers, hardware_index);
  const PriceFormation f =
      params.pricing == PricingMode::Clearing
          ? clear(m.providers, demand_pf, params.scarcity)
          : allocate_posted(m.providers, m.posted_price_usd_per_pf_hour, demand_pf);
  MarketplaceTickResult r;
  r.price_usd_per_pf_hour = f.price_usd_per_pf_hour;
  for (const Provider& p : m.providers) r.capacity_pf += p.capacity_pf;
  r.used_pf = f.served_pf;
  r.unserved_pf = f.unserved_pf;
  r.utilisation = r.capacity_pf > 0.0 ? r.used_pf / r.capacity_pf : 0.0;
  Receipts receipts;
  if (f.served_pf > 0.0) {
    const double ratio = token_usd / m.token_usd_at_quote;
    const double emission_usd = params.emission_tokens_per_day * tick_h / 24.0 * token_usd;
    r.payments_usd = f.price_usd_per_pf_hour * f.served_pf * tick_h;
    r.fees_usd = params.platform_fee * r.payments_usd;
    r.provider_revenue_usd = (r.payments_usd - r.fees_usd) * ratio + emission_usd;
    receipts.kept_share = 1.0 - params.platform_fee;
    receipts.token_ratio = ratio;
    receipts.emission_usd_per_pf_hour = emission_usd / (f.served_pf * tick_h);
  }
  margins(m.providers, hardware_index, received(f, receipts));
  const double weight = 1.0 - std::exp(-tick_h / params.entry_exit.margin_window_h);
  roll(m.providers, weight, params.entry_exit.exit_threshold_usd_per_pf_hour);
  const size_t before = m.providers.size();
  std::erase_if(m.providers, [&](const Provider& p) {
    return p.negative_margin_ticks >= params.entry_exit.exit_after_ticks;
  });
  r.exits = static_cast<int64_t>(before - m.providers.size());
  const double mean = mean_margin(m.providers);
  std::vector<ProviderAttributes> entrants;
  r.entrants = draw_entrants(params, static_cast<Eigen::Index>(m.providers.size()), mean, {},
                             tick_h, rng, entrants)
                   .entrants;
  for (const ProviderAttributes& e : entrants) {
    Provider p;
    p.capacity_pf = e.capacity_pf;
    p.energy_usd_per_pf_hour = e.energy_usd_per_pf_hour;
    p.capex_usd_per_pf_hour = e.capex_usd_per_pf_hour;
    p.ask_markup = e.ask_markup;
    p.rolling_margin_usd_per_pf_hour = mean;
    m.providers.push_back(p);
  }
  r.mean_margin_usd_per_pf_hour = mean;
  r.provider_count = static_cast<int64_t>(m.providers.size());
  m.posted_price_usd_per_pf_hour = next_posted_price(params.pricing, m.posted_price_usd_per_pf_hour,
                                                     f, demand_pf, params.dynamic_fee);
  m.token_usd_at_quote = token_usd;
  return r;
}

// ---------------------------------------------------------------------------------------
// Token economy (token_economy.hpp), one provider at a time.

/// Token-denominated asks: ask_i = token_ask_i × S.
inline void token_asks(std::vector<Provider>& providers, const std::vector<double>& token_ask,
                       double token_usd) {
  for (size_t i = 0; i < providers.size(); ++i) {
    providers[i].ask_usd_per_pf_hour = token_ask[i] * token_usd;
  }
}

/// The ask re-anchored to cost at the token's price: cost × (1 + markup) / S.
inline double anchored_token_ask(const Provider& p, double token_usd, double hardware_index) {
  return (p.energy_usd_per_pf_hour + p.capex_usd_per_pf_hour * hardware_index) *
         (1.0 + p.ask_markup) / token_usd;
}

/// Payment lag: each provider adds used_i × tick × tokens per PF·h to its unpaid tokens; when
/// paying, it is paid unpaid × S, returned per PF of capacity per hour in `paid`. Returns Σ paid.
inline double accrue_and_pay(const std::vector<Provider>& providers, std::vector<double>& unpaid,
                             double tokens_per_pf_hour, double tick_h, bool pay_now,
                             double token_usd, std::vector<double>& paid) {
  double total = 0.0;
  paid.assign(providers.size(), 0.0);
  for (size_t i = 0; i < providers.size(); ++i) {
    unpaid[i] += providers[i].used_pf * tick_h * tokens_per_pf_hour;
    if (pay_now) {
      const double usd = unpaid[i] * token_usd;
      paid[i] = usd / (providers[i].capacity_pf * tick_h);
      total += usd;
      unpaid[i] = 0.0;
    }
  }
  return total;
}

/// Margins under a payment lag: what was paid replaces used / capacity × received.
inline void margins_paid(std::vector<Provider>& providers, double hardware_index,
                         const std::vector<double>& paid) {
  for (size_t i = 0; i < providers.size(); ++i) {
    Provider& p = providers[i];
    p.margin_usd_per_pf_hour = p.used_pf / p.capacity_pf * (0.0 - p.energy_usd_per_pf_hour) -
                               p.capex_usd_per_pf_hour * hardware_index + paid[i];
  }
}

}  // namespace gpumarket::scalar
