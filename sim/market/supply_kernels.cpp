// The supply kernels that are not a pricing rule: the quickselect step of clearing, the
// fee controller's update, rolling margins, entry and exit, the token, the alliance pool's
// formulas, and the whole marketplace tick that calls the rules.
#include "gpumarket/market/supply_kernels.hpp"

#include <algorithm>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>

#include "gpumarket/core/check.hpp"
#include "gpumarket/market/token_economy.hpp"

namespace gpumarket {

void SupplyWorkspace::resize(Eigen::Index providers) {
  ask_usd_per_pf_hour.resize(providers);
  used_pf.resize(providers);
  exit_mask.resize(providers);
}

// Weighted quickselect with a three-way partition: each round keeps the side that holds
// the marginal provider, so the expected cost is O(n) where sorting would be O(n log n);
// this is what lets clearing scale to 10⁵ providers.
double marginal_ask(std::vector<std::pair<double, double>>& items, double demand_pf) {
  size_t lo = 0;
  size_t hi = items.size();
  double need = demand_pf;
  while (true) {
    if (hi - lo == 1) return items[lo].first;
    const double a = items[lo].first;
    const double b = items[lo + (hi - lo) / 2].first;
    const double c = items[hi - 1].first;
    const double pivot = std::max(std::min(a, b), std::min(std::max(a, b), c));
    size_t lt = lo;
    size_t i = lo;
    size_t gt = hi;
    double below = 0.0;
    double equal = 0.0;
    while (i < gt) {
      const double ask = items[i].first;
      if (ask < pivot) {
        below += items[i].second;
        std::swap(items[lt++], items[i++]);
      } else if (ask > pivot) {
        std::swap(items[i], items[--gt]);
      } else {
        equal += items[i].second;
        ++i;
      }
    }
    if (need <= below) {
      hi = lt;  // need > 0, so the lower part holds capacity and is not empty
    } else if (need <= below + equal || gt == hi) {
      // gt == hi: rounding in `need` left a sliver above the last group; it is the marginal one.
      return pivot;
    } else {
      need -= below + equal;
      lo = gt;
    }
  }
}

// Hogan (2005)'s operating-reserve demand curve adds to the energy price the value of lost
// load times the probability of a shortfall; a marketplace has no reserve margin to measure,
// so the adder here grows linearly with the excess demand it could not serve, and the
// ceiling plays the value of lost load's part as the bound.
double scarcity_price_usd_per_pf_hour(double highest_ask_usd_per_pf_hour, double demand_pf,
                                      double capacity_pf, const ScarcityParams& params) {
  GPUMARKET_CHECK(demand_pf >= capacity_pf);
  // Providers without capacity leave no relative excess to price: the highest ask, as
  // without scarcity pricing.
  if (!(capacity_pf > 0.0)) return highest_ask_usd_per_pf_hour;
  const double excess = (demand_pf - capacity_pf) / capacity_pf;
  const double scarce = highest_ask_usd_per_pf_hour * (1.0 + params.slope * excess);
  return std::max(highest_ask_usd_per_pf_hour, std::min(params.ceiling_usd_per_pf_hour, scarce));
}

double dynamic_fee_utilisation(const PriceFormation& formation, double demand_pf) {
  if (demand_pf <= 0.0) return 0.0;
  if (formation.offered_capacity_pf <= 0.0) return 1.0;
  return std::min(1.0, formation.served_pf / formation.offered_capacity_pf);
}

double utilisation_target_step(double level, double utilisation, double target, double adjustment,
                               double lo, double hi) {
  const double d = adjustment;
  const double change = std::clamp(d * (utilisation - target) / target, -d, d);
  return std::clamp(level * (1.0 + change), lo, hi);
}

double dynamic_fee_update(double price_usd_per_pf_hour, double utilisation,
                          const DynamicFeeParams& params) {
  return utilisation_target_step(price_usd_per_pf_hour, utilisation, params.target_utilisation,
                                 params.adjustment, params.floor_usd_per_pf_hour,
                                 params.ceiling_usd_per_pf_hour);
}

double rolling_margin_weight(double tick_h, double window_h) {
  return -std::expm1(-tick_h / window_h);
}

void exit_mask(const Eigen::Ref<const Eigen::ArrayXd>& negative_margin_ticks,
               const EntryExitParams& params, Eigen::Ref<ArrayXb> mask) {
  GPUMARKET_CHECK(mask.size() == negative_margin_ticks.size());
  mask = negative_margin_ticks >= static_cast<double>(params.exit_after_ticks);
}

double mean_rolling_margin(const ProviderPopulation& providers) {
  if (providers.empty()) return 0.0;
  return (providers.capacity_pf * providers.rolling_margin_usd_per_pf_hour).sum() /
         providers.capacity_pf.sum();
}

double entry_rate_per_day(const EntryExitParams& params, double mean_margin_usd_per_pf_hour) {
  return params.base_entry_rate_per_day *
         std::exp(params.entry_sensitivity_per_usd_per_pf_hour * mean_margin_usd_per_pf_hour);
}

ProviderAttributes draw_provider(const ProviderDistribution& distribution, RandomEngine& rng) {
  ProviderAttributes p;
  p.capacity_pf = boost::random::lognormal_distribution<double>(
      std::log(distribution.capacity_median_pf), distribution.capacity_log_sd)(rng);
  p.energy_usd_per_pf_hour = boost::random::lognormal_distribution<double>(
      std::log(distribution.energy_median_usd_per_pf_hour), distribution.energy_log_sd)(rng);
  p.capex_usd_per_pf_hour = boost::random::lognormal_distribution<double>(
      std::log(distribution.capex_median_usd_per_pf_hour), distribution.capex_log_sd)(rng);
  // uniform_01 scaled, rather than uniform_real_distribution, which loops forever when
  // min == max: a degenerate markup range is a valid scenario.
  const double u = boost::random::uniform_01<double>()(rng);
  p.ask_markup = distribution.markup_min + (distribution.markup_max - distribution.markup_min) * u;
  return p;
}

double expected_margin_usd_per_pf_hour(const ProviderAttributes& candidate,
                                       const EntryOutlook& outlook) {
  return outlook.utilisation *
             (outlook.received_usd_per_pf_hour - candidate.energy_usd_per_pf_hour) -
         candidate.capex_usd_per_pf_hour * outlook.hardware_index;
}

EntryDraw draw_entrants(const MarketplaceParams& params, Eigen::Index current_count,
                        double mean_margin_usd_per_pf_hour, const EntryOutlook& outlook,
                        double tick_h, RandomEngine& rng,
                        std::vector<ProviderAttributes>& entrants) {
  entrants.clear();
  const int64_t room = std::max<int64_t>(0, params.entry_exit.max_providers - current_count);
  const double rate = entry_rate_per_day(params.entry_exit, mean_margin_usd_per_pf_hour);
  // Capping the mean at `room` keeps Poisson sampling finite for an extreme margin; the
  // draw is capped at `room` anyway.
  const double mean = std::min(rate * tick_h / kHoursPerDay, static_cast<double>(room));
  if (!(mean > 0.0)) return {};
  const int64_t drawn = boost::random::poisson_distribution<int64_t, double>(mean)(rng);
  EntryDraw draw;
  draw.candidates = std::min(drawn, room);
  const bool needs_margin =
      params.entry_exit.entry_rule == EntryExitParams::EntryRule::PositiveMargin;
  for (int64_t k = 0; k < draw.candidates; ++k) {
    // Drawn whether or not it enters: the stream stays aligned across entry rules.
    const ProviderAttributes candidate = draw_provider(params.providers, rng);
    if (needs_margin && !(expected_margin_usd_per_pf_hour(candidate, outlook) > 0.0)) continue;
    entrants.push_back(candidate);
  }
  draw.entrants = static_cast<int64_t>(entrants.size());
  return draw;
}

double token_price_step(double token_usd, const TokenParams& params, double dt_years,
                        RandomEngine& rng) {
  const double mu = params.annual_drift;
  const double sigma = params.annual_volatility;
  const double lambda = params.jumps_per_year;
  const double k = std::expm1(params.jump_log_mean + 0.5 * params.jump_log_sd * params.jump_log_sd);
  const double z = boost::random::normal_distribution<double>(0.0, 1.0)(rng);
  double log_return =
      (mu - 0.5 * sigma * sigma - lambda * k) * dt_years + sigma * std::sqrt(dt_years) * z;
  if (lambda > 0.0 && dt_years > 0.0) {
    const int64_t jumps =
        boost::random::poisson_distribution<int64_t, double>(lambda * dt_years)(rng);
    if (jumps > 0) {
      const double n = static_cast<double>(jumps);
      log_return += boost::random::normal_distribution<double>(
          n * params.jump_log_mean, std::sqrt(n) * params.jump_log_sd)(rng);
    }
  }
  return token_usd * std::exp(log_return);
}

double alliance_cost_usd_per_pf_hour(const AlliancePoolParams& params, double hardware_index) {
  const double amortisation =
      params.capex_usd_per_pf / (params.hardware_life_years * kHoursPerYear);
  return amortisation * hardware_index + params.energy_usd_per_pf_hour;
}

double alliance_price_usd_per_pf_hour(const AlliancePoolParams& params, double hardware_index,
                                      double price_factor, double subsidy_rate) {
  return alliance_cost_usd_per_pf_hour(params, hardware_index) * price_factor *
         (1.0 - subsidy_rate);
}

namespace {

double point_h(const CapacityPoint& point, Date start) {
  return static_cast<double>(point.date.days_since_epoch() - start.days_since_epoch()) *
         kHoursPerDay;
}

}  // namespace

double alliance_capacity_pf(const AlliancePoolParams& params, Date start, double hours) {
  const auto& ramp = params.capacity_ramp;
  if (ramp.empty() || hours < point_h(ramp.front(), start)) return 0.0;
  for (size_t i = 1; i < ramp.size(); ++i) {
    const double h1 = point_h(ramp[i], start);
    if (hours < h1) {
      const double h0 = point_h(ramp[i - 1], start);
      GPUMARKET_CHECK(h1 > h0);
      const double w = (hours - h0) / (h1 - h0);
      return ramp[i - 1].capacity_pf + w * (ramp[i].capacity_pf - ramp[i - 1].capacity_pf);
    }
  }
  return ramp.back().capacity_pf;
}

double alliance_purchase_rate_pf_per_year(const AlliancePoolParams& params, Date start,
                                          double hours) {
  const auto& ramp = params.capacity_ramp;
  for (size_t i = 1; i < ramp.size(); ++i) {
    const double h0 = point_h(ramp[i - 1], start);
    const double h1 = point_h(ramp[i], start);
    if (hours >= h0 && hours < h1) {
      const double slope_pf_per_hour = (ramp[i].capacity_pf - ramp[i - 1].capacity_pf) / (h1 - h0);
      // A falling ramp retires hardware; it buys nothing.
      return std::max(0.0, slope_pf_per_hour * kHoursPerYear);
    }
  }
  return 0.0;
}

MarketplaceState make_marketplace(const MarketplaceParams& params, RandomEngine& rng) {
  MarketplaceState state;
  std::vector<ProviderAttributes> initial;
  initial.reserve(static_cast<size_t>(params.providers.initial_count));
  for (int64_t i = 0; i < params.providers.initial_count; ++i) {
    initial.push_back(draw_provider(params.providers, rng));
  }
  state.providers.add(initial, 0.0);
  state.posted_price_usd_per_pf_hour = params.dynamic_fee.initial_price_usd_per_pf_hour;
  state.workspace.resize(state.providers.size());
  if (params.token_model == TokenModel::BurnAndMint) {
    state.token_supply_tokens = params.burn_and_mint.initial_supply_tokens;
  }
  return state;
}

MarketplaceTickResult marketplace_tick(MarketplaceState& state, const MarketplaceParams& params,
                                       double demand_pf, double token_usd, double hardware_index,
                                       double tick_h, RandomEngine& rng,
                                       const VenueBilling& billing) {
  GPUMARKET_CHECK(demand_pf >= 0.0);
  ProviderPopulation& pop = state.providers;
  SupplyWorkspace& ws = state.workspace;
  ws.resize(pop.size());
  if (state.token_usd_at_quote <= 0.0) state.token_usd_at_quote = token_usd;
  const PricingRule& rule = pricing_rule(params.pricing);
  const bool from_bills = params.revenue_source == RevenueSource::Bills;
  const int64_t repriced = begin_token_tick(state, params, token_usd, hardware_index, tick_h);

  // The price is formed on demand: the work in use plus the width of the jobs waiting.
  const PriceFormation formation =
      rule.form(pop, state.posted_price_usd_per_pf_hour, hardware_index, demand_pf, params, ws);
  // Paid from bills, providers are allocated the work that was in service, not demand
  // that waited; formed second, so the workspace that settle() reads holds this allocation.
  const PriceFormation allocation =
      from_bills ? rule.form(pop, state.posted_price_usd_per_pf_hour, hardware_index,
                             billing.in_use_pfh / tick_h, params, ws)
                 : formation;
  MarketplaceTickResult result;
  result.repriced = repriced;
  result.price_usd_per_pf_hour = formation.price_usd_per_pf_hour;
  result.capacity_pf = formation.capacity_pf;
  result.used_pf = allocation.served_pf;
  result.unserved_pf = std::max(0.0, demand_pf - allocation.served_pf);
  result.utilisation = result.capacity_pf > 0.0 ? result.used_pf / result.capacity_pf : 0.0;

  // Users pay in tokens quoted at the previous tick's token price; providers value them at
  // the token's price now, and share emissions in proportion to work served.
  Receipts receipts;
  if (allocation.served_pf > 0.0) {
    receipts.kept_share = 1.0 - params.platform_fee;
    receipts.token_ratio = token_usd / state.token_usd_at_quote;
    const double emission_usd = params.emission_tokens_per_day * tick_h / kHoursPerDay * token_usd;
    receipts.emission_usd_per_pf_hour = emission_usd / (allocation.served_pf * tick_h);
    const double formed_usd = allocation.payments_usd_per_hour * tick_h;
    result.payments_usd = from_bills ? billing.billed_usd : formed_usd;
    // Scales every provider's receipts so that together they get what the bills paid.
    if (from_bills && formed_usd > 0.0) receipts.bill_ratio = billing.billed_usd / formed_usd;
    result.fees_usd = params.platform_fee * result.payments_usd;
    result.provider_revenue_usd =
        (result.payments_usd - result.fees_usd) * receipts.token_ratio + emission_usd;
  }
  settle_token_receipts(state, params, allocation, token_usd, tick_h, receipts, result);

  const double weight = rolling_margin_weight(tick_h, params.entry_exit.margin_window_h);
  const SettleResult settled =
      rule.settle(pop, allocation, hardware_index, receipts, weight, params.entry_exit, ws);
  if (settled.any_exit) {
    exit_mask(pop.negative_margin_ticks, params.entry_exit, ws.exit_mask);
    if (params.payment_interval > Duration::micros(0)) {
      result.provider_revenue_usd += pay_on_exit(pop, ws.exit_mask, token_usd);
    }
    result.exits = static_cast<int64_t>(pop.remove_if(ws.exit_mask));
  }

  // Without exits the sums of the two passes give the mean: no third pass.
  const double mean_margin = result.exits > 0 || pop.empty()
                                 ? mean_rolling_margin(pop)
                                 : settled.capacity_weighted_margin / result.capacity_pf;
  state.recent_utilisation =
      std::isnan(state.recent_utilisation)
          ? result.utilisation
          : state.recent_utilisation + weight * (result.utilisation - state.recent_utilisation);
  const double next_price =
      rule.next_posted_price(state.posted_price_usd_per_pf_hour, formation, demand_pf, params);
  // A candidate expects the price just posted, net of the fee, at an unchanged token, with
  // this tick's emissions per PF·h, at the utilisation the marketplace has had of late.
  const EntryOutlook outlook{
      state.recent_utilisation,
      (1.0 - params.platform_fee) * next_price + receipts.emission_usd_per_pf_hour, hardware_index};
  result.entrants =
      draw_entrants(params, pop.size(), mean_margin, outlook, tick_h, rng, ws.entrants).entrants;
  // Entrants start at the mean rolling margin they entered on, so entry leaves the mean as is.
  const Eigen::Index before_entry = pop.size();
  pop.add(ws.entrants, mean_margin);
  // Entrants anchor their token asks on entry, at the token's price now.
  if (params.ask_currency == AskCurrency::Token) {
    anchor_token_asks(pop, before_entry, token_usd, hardware_index);
  }
  result.mean_margin_usd_per_pf_hour = mean_margin;
  result.provider_count = static_cast<int64_t>(pop.size());

  state.posted_price_usd_per_pf_hour = next_price;
  state.token_usd_at_quote = token_usd;
  return result;
}

}  // namespace gpumarket
