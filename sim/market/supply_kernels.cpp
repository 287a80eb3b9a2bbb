#include "gpumarket/market/supply_kernels.hpp"

#include <algorithm>
#include <array>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>

#include "gpumarket/core/check.hpp"

// Eigen 3.4 evaluates `cond.select(a, b)` one coefficient at a time with a branch, and with
// asks scattered around the price that branch is unpredictable (it cost ~9 ns per provider).
// These functors keep `value` where `key` compares true against a fixed limit and give 0
// elsewhere, with a packet path (compare, then bitwise and), so the masks vectorise.
namespace gpumarket::detail {

enum class Compare { Less, LessEqual, Equal };

template <Compare kCompare>
struct KeepIfOp {
  double limit;
  double operator()(double key, double value) const {
    if constexpr (kCompare == Compare::Less) return key < limit ? value : 0.0;
    if constexpr (kCompare == Compare::LessEqual) return key <= limit ? value : 0.0;
    return key == limit ? value : 0.0;
  }
  template <typename Packet>
  Packet packetOp(const Packet& key, const Packet& value) const {
    namespace ei = Eigen::internal;
    const Packet bound = ei::pset1<Packet>(limit);
    if constexpr (kCompare == Compare::Less) return ei::pand(ei::pcmp_lt(key, bound), value);
    if constexpr (kCompare == Compare::LessEqual) return ei::pand(ei::pcmp_le(key, bound), value);
    return ei::pand(ei::pcmp_eq(key, bound), value);
  }
};

}  // namespace gpumarket::detail

template <gpumarket::detail::Compare kCompare>
struct Eigen::internal::functor_traits<gpumarket::detail::KeepIfOp<kCompare>> {
  enum { Cost = 2, PacketAccess = packet_traits<double>::HasCmp };
};

namespace gpumarket {

namespace {

using detail::Compare;
using detail::KeepIfOp;

// value_i where key_i < limit (or ≤, or ==), else 0, as a vectorisable expression.
template <Compare kCompare, typename Key, typename Value>
auto keep_if(const Eigen::ArrayBase<Key>& key, double limit, const Eigen::ArrayBase<Value>& value) {
  return key.binaryExpr(value.derived(), KeepIfOp<kCompare>{limit});
}

using ArrayRef = Eigen::Ref<const Eigen::ArrayXd>;

// The formula of provider_margins(); settle_pass() evaluates it with used / capacity known.
auto margin_expression(const ArrayRef& used_pf, const ArrayRef& capacity_pf,
                       const ArrayRef& energy_usd_per_pf_hour,
                       const ArrayRef& capex_usd_per_pf_hour, double hardware_index,
                       double received_usd_per_pf_hour) {
  return used_pf / capacity_pf * (received_usd_per_pf_hour - energy_usd_per_pf_hour) -
         capex_usd_per_pf_hour * hardware_index;
}

// The second half of update_rolling_margins(): count negative ticks, report exits.
bool count_negative_ticks(const Eigen::Ref<const Eigen::ArrayXd>& rolling_margin_usd_per_pf_hour,
                          const EntryExitParams& params,
                          Eigen::Ref<Eigen::ArrayXd> negative_margin_ticks) {
  if (negative_margin_ticks.size() == 0) return false;
  negative_margin_ticks =
      keep_if<Compare::Less>(rolling_margin_usd_per_pf_hour, params.exit_threshold_usd_per_pf_hour,
                             negative_margin_ticks + 1.0);
  return negative_margin_ticks.maxCoeff() >= static_cast<double>(params.exit_after_ticks);
}

}  // namespace

void marginal_cost(const Eigen::Ref<const Eigen::ArrayXd>& energy_usd_per_pf_hour,
                   const Eigen::Ref<const Eigen::ArrayXd>& capex_usd_per_pf_hour,
                   double hardware_index, Eigen::Ref<Eigen::ArrayXd> cost_usd_per_pf_hour) {
  GPUMARKET_CHECK(energy_usd_per_pf_hour.size() == capex_usd_per_pf_hour.size());
  GPUMARKET_CHECK(cost_usd_per_pf_hour.size() == energy_usd_per_pf_hour.size());
  cost_usd_per_pf_hour = energy_usd_per_pf_hour + capex_usd_per_pf_hour * hardware_index;
}

void asks(const Eigen::Ref<const Eigen::ArrayXd>& cost_usd_per_pf_hour,
          const Eigen::Ref<const Eigen::ArrayXd>& ask_markup,
          Eigen::Ref<Eigen::ArrayXd> ask_usd_per_pf_hour) {
  GPUMARKET_CHECK(cost_usd_per_pf_hour.size() == ask_markup.size());
  GPUMARKET_CHECK(ask_usd_per_pf_hour.size() == ask_markup.size());
  ask_usd_per_pf_hour = cost_usd_per_pf_hour * (1.0 + ask_markup);
}

void SupplyWorkspace::resize(Eigen::Index providers) {
  ask_usd_per_pf_hour.resize(providers);
  used_pf.resize(providers);
  margin_usd_per_pf_hour.resize(providers);
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

PriceFormation clear_merit_order(const Eigen::Ref<const Eigen::ArrayXd>& ask_usd_per_pf_hour,
                                 const Eigen::Ref<const Eigen::ArrayXd>& capacity_pf,
                                 double demand_pf, SupplyWorkspace& workspace,
                                 Eigen::Ref<Eigen::ArrayXd> used_pf) {
  const Eigen::Index n = ask_usd_per_pf_hour.size();
  GPUMARKET_CHECK(capacity_pf.size() == n && used_pf.size() == n);
  GPUMARKET_CHECK(demand_pf >= 0.0);
  PriceFormation result;
  if (n == 0) {
    result.price_usd_per_pf_hour = std::numeric_limits<double>::quiet_NaN();
    result.unserved_pf = demand_pf;
    return result;
  }
  const double total = capacity_pf.sum();
  result.offered_capacity_pf = total;
  if (demand_pf <= 0.0) {
    used_pf.setZero();
    result.price_usd_per_pf_hour = ask_usd_per_pf_hour.minCoeff();
    return result;
  }
  if (demand_pf >= total) {
    used_pf = capacity_pf;
    result.price_usd_per_pf_hour = ask_usd_per_pf_hour.maxCoeff();
    result.served_pf = total;
    result.unserved_pf = demand_pf - total;
    return result;
  }

  auto& items = workspace.ask_capacity;
  items.resize(static_cast<size_t>(n));  // keeps its allocation from earlier ticks
  for (Eigen::Index i = 0; i < n; ++i) {
    items[static_cast<size_t>(i)] = {ask_usd_per_pf_hour[i], capacity_pf[i]};
  }
  const double price = marginal_ask(items, demand_pf);

  used_pf = keep_if<Compare::Less>(ask_usd_per_pf_hour, price, capacity_pf);
  const double below = used_pf.sum();
  const double at_price = keep_if<Compare::Equal>(ask_usd_per_pf_hour, price, capacity_pf).sum();
  // Clamped so that rounding can never push a provider past its capacity.
  const double share = at_price > 0.0 ? std::clamp((demand_pf - below) / at_price, 0.0, 1.0) : 0.0;
  // Providers at the price served nothing so far, so adding their share is assigning it.
  used_pf += keep_if<Compare::Equal>(ask_usd_per_pf_hour, price, capacity_pf * share);
  result.price_usd_per_pf_hour = price;
  result.served_pf = used_pf.sum();
  result.unserved_pf = std::max(0.0, demand_pf - result.served_pf);
  return result;
}

PriceFormation allocate_at_posted_price(const Eigen::Ref<const Eigen::ArrayXd>& ask_usd_per_pf_hour,
                                        const Eigen::Ref<const Eigen::ArrayXd>& capacity_pf,
                                        double price_usd_per_pf_hour, double demand_pf,
                                        Eigen::Ref<Eigen::ArrayXd> used_pf) {
  const Eigen::Index n = ask_usd_per_pf_hour.size();
  GPUMARKET_CHECK(capacity_pf.size() == n && used_pf.size() == n);
  GPUMARKET_CHECK(demand_pf >= 0.0);
  PriceFormation result;
  result.price_usd_per_pf_hour = price_usd_per_pf_hour;
  const double offered =
      keep_if<Compare::LessEqual>(ask_usd_per_pf_hour, price_usd_per_pf_hour, capacity_pf).sum();
  const double fill = offered > 0.0 ? std::min(1.0, demand_pf / offered) : 0.0;
  used_pf =
      keep_if<Compare::LessEqual>(ask_usd_per_pf_hour, price_usd_per_pf_hour, capacity_pf * fill);
  result.offered_capacity_pf = offered;
  // Σ capacity_i × fill over the eligible, without another pass; fill ≤ 1 keeps it ≤ offered.
  result.served_pf = fill * offered;
  result.unserved_pf = std::max(0.0, demand_pf - result.served_pf);
  return result;
}

double dynamic_fee_utilisation(const PriceFormation& formation, double demand_pf) {
  if (demand_pf <= 0.0) return 0.0;
  if (formation.offered_capacity_pf <= 0.0) return 1.0;
  return std::min(1.0, formation.served_pf / formation.offered_capacity_pf);
}

double dynamic_fee_update(double price_usd_per_pf_hour, double utilisation,
                          const DynamicFeeParams& params) {
  const double d = params.adjustment;
  const double target = params.target_utilisation;
  const double change = std::clamp(d * (utilisation - target) / target, -d, d);
  return std::clamp(price_usd_per_pf_hour * (1.0 + change), params.floor_usd_per_pf_hour,
                    params.ceiling_usd_per_pf_hour);
}

void provider_margins(const Eigen::Ref<const Eigen::ArrayXd>& used_pf,
                      const Eigen::Ref<const Eigen::ArrayXd>& capacity_pf,
                      const Eigen::Ref<const Eigen::ArrayXd>& energy_usd_per_pf_hour,
                      const Eigen::Ref<const Eigen::ArrayXd>& capex_usd_per_pf_hour,
                      double hardware_index, double received_usd_per_pf_hour,
                      Eigen::Ref<Eigen::ArrayXd> margin_usd_per_pf_hour) {
  const Eigen::Index n = used_pf.size();
  GPUMARKET_CHECK(capacity_pf.size() == n && energy_usd_per_pf_hour.size() == n);
  GPUMARKET_CHECK(capex_usd_per_pf_hour.size() == n && margin_usd_per_pf_hour.size() == n);
  margin_usd_per_pf_hour =
      margin_expression(used_pf, capacity_pf, energy_usd_per_pf_hour, capex_usd_per_pf_hour,
                        hardware_index, received_usd_per_pf_hour);
}

double rolling_margin_weight(double tick_hours, double window_hours) {
  return -std::expm1(-tick_hours / window_hours);
}

bool update_rolling_margins(const Eigen::Ref<const Eigen::ArrayXd>& margin_usd_per_pf_hour,
                            double weight, const EntryExitParams& params,
                            Eigen::Ref<Eigen::ArrayXd> rolling_margin_usd_per_pf_hour,
                            Eigen::Ref<Eigen::ArrayXd> negative_margin_ticks) {
  const Eigen::Index n = margin_usd_per_pf_hour.size();
  GPUMARKET_CHECK(rolling_margin_usd_per_pf_hour.size() == n && negative_margin_ticks.size() == n);
  rolling_margin_usd_per_pf_hour +=
      weight * (margin_usd_per_pf_hour - rolling_margin_usd_per_pf_hour);
  return count_negative_ticks(rolling_margin_usd_per_pf_hour, params, negative_margin_ticks);
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

int64_t draw_entrants(const MarketplaceParams& params, Eigen::Index current_count,
                      double mean_margin_usd_per_pf_hour, double tick_hours, RandomEngine& rng,
                      std::vector<ProviderAttributes>& entrants) {
  entrants.clear();
  const int64_t room = std::max<int64_t>(0, params.entry_exit.max_providers - current_count);
  const double rate = entry_rate_per_day(params.entry_exit, mean_margin_usd_per_pf_hour);
  // Capping the mean at `room` keeps Poisson sampling finite for an extreme margin; the
  // draw is capped at `room` anyway.
  const double mean = std::min(rate * tick_hours / 24.0, static_cast<double>(room));
  if (!(mean > 0.0)) return 0;
  const int64_t drawn = boost::random::poisson_distribution<int64_t, double>(mean)(rng);
  const int64_t count = std::min(drawn, room);
  for (int64_t k = 0; k < count; ++k) entrants.push_back(draw_provider(params.providers, rng));
  return count;
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

double hardware_index_step(double index, const HardwareIndexParams& params,
                           double procurement_pf_per_year, double dt_years) {
  const double log_growth = std::log1p(-params.decline_per_year) +
                            procurement_pf_per_year / params.reference_purchase_pf_per_year;
  return index * std::exp(log_growth * dt_years);
}

double alliance_price_usd_per_pf_hour(const AlliancePoolParams& params, double hardware_index) {
  const double amortisation =
      params.capex_usd_per_pf / (params.hardware_life_years * kHoursPerYear);
  return (amortisation * hardware_index + params.energy_usd_per_pf_hour) *
         (1.0 - params.subsidy_rate);
}

namespace {

double ramp_scale(const AlliancePoolParams& params) {
  if (params.capacity_source == AlliancePoolParams::CapacitySource::Ramp) return 1.0;
  const double last = params.capacity_ramp.back().capacity_pf;
  GPUMARKET_CHECK(last > 0.0);
  return params.budget_usd * params.hardware_share / params.capex_usd_per_pf / last;
}

double point_hours(const CapacityPoint& point, Date start) {
  return static_cast<double>(point.date.days_since_epoch() - start.days_since_epoch()) * 24.0;
}

}  // namespace

double alliance_capacity_pf(const AlliancePoolParams& params, Date start, double hours) {
  const auto& ramp = params.capacity_ramp;
  if (ramp.empty() || hours < point_hours(ramp.front(), start)) return 0.0;
  const double scale = ramp_scale(params);
  for (size_t i = 1; i < ramp.size(); ++i) {
    const double h1 = point_hours(ramp[i], start);
    if (hours < h1) {
      const double h0 = point_hours(ramp[i - 1], start);
      GPUMARKET_CHECK(h1 > h0);
      const double w = (hours - h0) / (h1 - h0);
      return scale *
             (ramp[i - 1].capacity_pf + w * (ramp[i].capacity_pf - ramp[i - 1].capacity_pf));
    }
  }
  return scale * ramp.back().capacity_pf;
}

double alliance_purchase_rate_pf_per_year(const AlliancePoolParams& params, Date start,
                                          double hours) {
  const auto& ramp = params.capacity_ramp;
  for (size_t i = 1; i < ramp.size(); ++i) {
    const double h0 = point_hours(ramp[i - 1], start);
    const double h1 = point_hours(ramp[i], start);
    if (hours >= h0 && hours < h1) {
      const double slope_pf_per_hour = (ramp[i].capacity_pf - ramp[i - 1].capacity_pf) / (h1 - h0);
      // A falling ramp retires hardware; it buys nothing.
      return std::max(0.0, ramp_scale(params) * slope_pf_per_hour * kHoursPerYear);
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
  return state;
}

// ---------------------------------------------------------------------------------------
// The fused passes of marketplace_tick(). Each walks the columns once with Eigen's packet
// primitives (two doubles per SSE2 register), carrying several sums at once, which array
// expressions cannot do: an expression yields one column or one reduction per pass.

namespace {

namespace ei = Eigen::internal;
using Packet = ei::packet_traits<double>::type;
constexpr Eigen::Index kLanes = ei::packet_traits<double>::size;

// ask = (energy + capex × index) × (1 + markup): marginal_cost() then asks(), same rounding.
template <typename T>
T ask_of(const T& energy, const T& capex, const T& markup, const T& index, const T& one) {
  return ei::pmul(ei::padd(energy, ei::pmul(capex, index)), ei::padd(one, markup));
}

// marginal_ask() over the asks and capacities of the whole population, narrowed first by
// vectorised passes: each takes kPivots asks from an evenly strided sample as pivots, sums
// the capacity below every pivot in one pass, and keeps only the providers between the two
// pivots that bracket the demand (branch-free compaction), until few are left for the
// quickselect. The result is the same ask: each pass keeps exactly the providers that can
// still be marginal and takes the capacity below them out of the demand.
double marginal_ask_narrowed(const double* ask, const double* cap, Eigen::Index n, double demand_pf,
                             SupplyWorkspace& ws) {
  constexpr int kPivots = 8;
  constexpr Eigen::Index kSample = 4 * kPivots;
  constexpr Eigen::Index kSmall = 1024;
  std::vector<double>& cand_ask = ws.candidate_ask;
  std::vector<double>& cand_cap = ws.candidate_capacity;
  cand_ask.resize(static_cast<size_t>(n));
  cand_cap.resize(static_cast<size_t>(n));
  const double* src_ask = ask;
  const double* src_cap = cap;
  Eigen::Index m = n;
  double need = demand_pf;
  while (m > kSmall) {
    std::array<double, kSample> sample;
    for (Eigen::Index k = 0; k < kSample; ++k) sample[k] = src_ask[k * (m / kSample)];
    std::sort(sample.begin(), sample.end());
    std::array<double, kPivots> pivot;
    for (int k = 0; k < kPivots; ++k) pivot[k] = sample[2 + 4 * k];
    Packet below[kPivots];
    for (auto& b : below) b = ei::pset1<Packet>(0.0);
    Eigen::Index i = 0;
    for (; i + kLanes <= m; i += kLanes) {
      const Packet a = ei::ploadu<Packet>(src_ask + i);
      const Packet c = ei::ploadu<Packet>(src_cap + i);
      for (int k = 0; k < kPivots; ++k) {
        below[k] = ei::padd(below[k], ei::pand(ei::pcmp_lt(a, ei::pset1<Packet>(pivot[k])), c));
      }
    }
    std::array<double, kPivots> below_sum;
    for (int k = 0; k < kPivots; ++k) below_sum[k] = ei::predux(below[k]);
    for (; i < m; ++i) {
      for (int k = 0; k < kPivots; ++k) {
        if (src_ask[i] < pivot[k]) below_sum[k] += src_cap[i];
      }
    }
    int j = 0;
    while (j < kPivots && below_sum[j] < need) ++j;
    const double lo = j > 0 ? pivot[j - 1] : -std::numeric_limits<double>::infinity();
    const double hi = j < kPivots ? pivot[j] : std::numeric_limits<double>::infinity();
    Eigen::Index kept = 0;
    for (Eigen::Index r = 0; r < m; ++r) {
      const double a = src_ask[r];
      cand_ask[kept] = a;
      cand_cap[kept] = src_cap[r];
      kept += (a >= lo) & (a < hi);
    }
    if (kept == m) break;  // ties: the pivots cannot split these asks
    if (j > 0) need -= below_sum[j - 1];
    m = kept;
    src_ask = cand_ask.data();
    src_cap = cand_cap.data();
  }
  auto& items = ws.ask_capacity;
  items.resize(static_cast<size_t>(m));
  for (Eigen::Index i = 0; i < m; ++i) items[static_cast<size_t>(i)] = {src_ask[i], src_cap[i]};
  return marginal_ask(items, need);
}

struct AskPass {
  double total_capacity_pf = 0.0;
  double offered_capacity_pf = 0.0;  // ask ≤ limit
};

// One pass over the costs: Σ capacity and Σ capacity over ask ≤ `limit`; stores the asks
// when `asks_out` is not null (clearing selects over them; dynamic_fee recomputes them).
AskPass ask_pass(const ProviderPopulation& pop, double hardware_index, double limit,
                 double* asks_out) {
  const Eigen::Index n = pop.size();
  const double* cap = pop.capacity_pf.data();
  const double* energy = pop.energy_usd_per_pf_hour.data();
  const double* capex = pop.capex_usd_per_pf_hour.data();
  const double* markup = pop.ask_markup.data();
  const Packet index = ei::pset1<Packet>(hardware_index);
  const Packet one = ei::pset1<Packet>(1.0);
  const Packet bound = ei::pset1<Packet>(limit);
  // Two sets of accumulators, so that consecutive packets do not wait on one add's latency.
  Packet total[2] = {ei::pset1<Packet>(0.0), ei::pset1<Packet>(0.0)};
  Packet offered[2] = {ei::pset1<Packet>(0.0), ei::pset1<Packet>(0.0)};
  const auto step = [&](Eigen::Index i, int set) {
    const Packet c = ei::ploadu<Packet>(cap + i);
    const Packet ask = ask_of(ei::ploadu<Packet>(energy + i), ei::ploadu<Packet>(capex + i),
                              ei::ploadu<Packet>(markup + i), index, one);
    if (asks_out != nullptr) ei::pstoreu(asks_out + i, ask);
    total[set] = ei::padd(total[set], c);
    offered[set] = ei::padd(offered[set], ei::pand(ei::pcmp_le(ask, bound), c));
  };
  Eigen::Index i = 0;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    step(i, 0);
    step(i + kLanes, 1);
  }
  if (i + kLanes <= n) {
    step(i, 0);
    i += kLanes;
  }
  AskPass out{ei::predux(ei::padd(total[0], total[1])),
              ei::predux(ei::padd(offered[0], offered[1]))};
  for (; i < n; ++i) {
    const double ask = (energy[i] + capex[i] * hardware_index) * (1.0 + markup[i]);
    if (asks_out != nullptr) asks_out[i] = ask;
    out.total_capacity_pf += cap[i];
    if (ask <= limit) out.offered_capacity_pf += cap[i];
  }
  return out;
}

// Σ capacity with ask < price, and with ask == price, in one pass.
std::pair<double, double> capacity_below_and_at(const double* ask, const double* cap,
                                                Eigen::Index n, double price) {
  const Packet p = ei::pset1<Packet>(price);
  Packet below = ei::pset1<Packet>(0.0);
  Packet at = ei::pset1<Packet>(0.0);
  Eigen::Index i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const Packet a = ei::ploadu<Packet>(ask + i);
    const Packet c = ei::ploadu<Packet>(cap + i);
    below = ei::padd(below, ei::pand(ei::pcmp_lt(a, p), c));
    at = ei::padd(at, ei::pand(ei::pcmp_eq(a, p), c));
  }
  double b = ei::predux(below);
  double e = ei::predux(at);
  for (; i < n; ++i) {
    if (ask[i] < price) b += cap[i];
    if (ask[i] == price) e += cap[i];
  }
  return {b, e};
}

// The fraction of capacity in use, by ask against the price: `below` under it, `at` at it,
// 0 above. Clearing: 1 and the marginal share; dynamic_fee: the fill for both. Using the
// fraction directly spares the division used / capacity of provider_margins().
struct Fractions {
  double price_usd_per_pf_hour;
  double below;
  double at;
};

struct SettlePass {
  double capacity_weighted_margin = 0.0;  // Σ capacity × rolling margin
  bool any_exit = false;
};

// Margins, rolling margins and negative-tick counts in one pass, the formulas of
// provider_margins() and update_rolling_margins() with used / capacity = fraction.
// Takes the asks from `asks` when given, else recomputes them from the costs (bit-identical).
// Writes used = capacity × fraction when `used_out` is not null.
SettlePass settle_pass(ProviderPopulation& pop, const double* asks, double hardware_index,
                       const Fractions& fractions, double received_usd_per_pf_hour, double weight,
                       const EntryExitParams& params, double* used_out) {
  const Eigen::Index n = pop.size();
  const double* cap = pop.capacity_pf.data();
  const double* energy = pop.energy_usd_per_pf_hour.data();
  const double* capex = pop.capex_usd_per_pf_hour.data();
  const double* markup = pop.ask_markup.data();
  double* rolling = pop.rolling_margin_usd_per_pf_hour.data();
  double* ticks = pop.negative_margin_ticks.data();
  const double threshold = params.exit_threshold_usd_per_pf_hour;
  const Packet index = ei::pset1<Packet>(hardware_index);
  const Packet one = ei::pset1<Packet>(1.0);
  const Packet price = ei::pset1<Packet>(fractions.price_usd_per_pf_hour);
  const Packet below = ei::pset1<Packet>(fractions.below);
  const Packet at = ei::pset1<Packet>(fractions.at);
  const Packet received = ei::pset1<Packet>(received_usd_per_pf_hour);
  const Packet w = ei::pset1<Packet>(weight);
  const Packet limit = ei::pset1<Packet>(threshold);
  Packet weighted[2] = {ei::pset1<Packet>(0.0), ei::pset1<Packet>(0.0)};
  Packet max_ticks[2] = {ei::pset1<Packet>(0.0), ei::pset1<Packet>(0.0)};
  const auto step = [&](Eigen::Index i, int set) {
    const Packet e = ei::ploadu<Packet>(energy + i);
    const Packet k = ei::ploadu<Packet>(capex + i);
    const Packet c = ei::ploadu<Packet>(cap + i);
    const Packet a = asks != nullptr ? ei::ploadu<Packet>(asks + i)
                                     : ask_of(e, k, ei::ploadu<Packet>(markup + i), index, one);
    const Packet fraction =
        ei::por(ei::pand(ei::pcmp_lt(a, price), below), ei::pand(ei::pcmp_eq(a, price), at));
    if (used_out != nullptr) ei::pstoreu(used_out + i, ei::pmul(c, fraction));
    const Packet margin = ei::psub(ei::pmul(fraction, ei::psub(received, e)), ei::pmul(k, index));
    Packet r = ei::ploadu<Packet>(rolling + i);
    r = ei::padd(r, ei::pmul(w, ei::psub(margin, r)));
    ei::pstoreu(rolling + i, r);
    const Packet t = ei::pand(ei::pcmp_lt(r, limit), ei::padd(ei::ploadu<Packet>(ticks + i), one));
    ei::pstoreu(ticks + i, t);
    max_ticks[set] = ei::pmax(max_ticks[set], t);
    weighted[set] = ei::padd(weighted[set], ei::pmul(c, r));
  };
  Eigen::Index i = 0;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    step(i, 0);
    step(i + kLanes, 1);
  }
  if (i + kLanes <= n) {
    step(i, 0);
    i += kLanes;
  }
  SettlePass out{ei::predux(ei::padd(weighted[0], weighted[1])), false};
  double max_t = ei::predux_max(ei::pmax(max_ticks[0], max_ticks[1]));
  for (; i < n; ++i) {
    const double a =
        asks != nullptr ? asks[i] : (energy[i] + capex[i] * hardware_index) * (1.0 + markup[i]);
    const double p = fractions.price_usd_per_pf_hour;
    const double fraction = a < p ? fractions.below : (a == p ? fractions.at : 0.0);
    if (used_out != nullptr) used_out[i] = cap[i] * fraction;
    const double margin =
        fraction * (received_usd_per_pf_hour - energy[i]) - capex[i] * hardware_index;
    rolling[i] += weight * (margin - rolling[i]);
    ticks[i] = rolling[i] < threshold ? ticks[i] + 1.0 : 0.0;
    max_t = std::max(max_t, ticks[i]);
    out.capacity_weighted_margin += cap[i] * rolling[i];
  }
  out.any_exit = max_t >= static_cast<double>(params.exit_after_ticks);
  return out;
}

}  // namespace

MarketplaceTickResult marketplace_tick(MarketplaceState& state, const MarketplaceParams& params,
                                       double demand_pf, double token_usd, double hardware_index,
                                       double tick_hours, RandomEngine& rng) {
  GPUMARKET_CHECK(demand_pf >= 0.0);
  ProviderPopulation& pop = state.providers;
  SupplyWorkspace& ws = state.workspace;
  ws.resize(pop.size());
  if (state.token_usd_at_quote <= 0.0) state.token_usd_at_quote = token_usd;
  const Eigen::Index n = pop.size();
  const bool clearing = params.pricing == PricingMode::Clearing;

  // Pass 1: asks (kept only under clearing, which selects over them), total capacity and,
  // under dynamic_fee, the capacity offered at the posted price.
  const AskPass supply =
      ask_pass(pop, hardware_index, clearing ? 0.0 : state.posted_price_usd_per_pf_hour,
               clearing ? ws.ask_usd_per_pf_hour.data() : nullptr);

  // Price formation, as clear_merit_order() and allocate_at_posted_price(), expressed as the
  // fraction of capacity each provider has in use.
  PriceFormation formation;
  Fractions fractions{state.posted_price_usd_per_pf_hour, 0.0, 0.0};
  if (clearing) {
    formation.offered_capacity_pf = supply.total_capacity_pf;
    if (n == 0) {
      formation.price_usd_per_pf_hour = std::numeric_limits<double>::quiet_NaN();
      formation.unserved_pf = demand_pf;
    } else if (demand_pf <= 0.0) {
      formation.price_usd_per_pf_hour = ws.ask_usd_per_pf_hour.minCoeff();
    } else if (demand_pf >= supply.total_capacity_pf) {
      formation.price_usd_per_pf_hour = ws.ask_usd_per_pf_hour.maxCoeff();
      formation.served_pf = supply.total_capacity_pf;
      formation.unserved_pf = demand_pf - supply.total_capacity_pf;
      fractions.below = fractions.at = 1.0;
    } else {
      const double price = marginal_ask_narrowed(ws.ask_usd_per_pf_hour.data(),
                                                 pop.capacity_pf.data(), n, demand_pf, ws);
      const auto [below, at_price] =
          capacity_below_and_at(ws.ask_usd_per_pf_hour.data(), pop.capacity_pf.data(), n, price);
      const double share =
          at_price > 0.0 ? std::clamp((demand_pf - below) / at_price, 0.0, 1.0) : 0.0;
      formation.price_usd_per_pf_hour = price;
      // Σ used_i without another pass; the clamp keeps rounding from serving past demand.
      formation.served_pf = std::min(demand_pf, below + share * at_price);
      formation.unserved_pf = std::max(0.0, demand_pf - formation.served_pf);
      fractions.below = 1.0;
      fractions.at = share;
    }
    fractions.price_usd_per_pf_hour = formation.price_usd_per_pf_hour;
  } else {
    const double offered = supply.offered_capacity_pf;
    const double fill = offered > 0.0 ? std::min(1.0, demand_pf / offered) : 0.0;
    formation.price_usd_per_pf_hour = state.posted_price_usd_per_pf_hour;
    formation.offered_capacity_pf = offered;
    formation.served_pf = fill * offered;
    formation.unserved_pf = std::max(0.0, demand_pf - formation.served_pf);
    fractions.below = fractions.at = fill;  // ask ≤ price
  }

  MarketplaceTickResult result;
  result.price_usd_per_pf_hour = formation.price_usd_per_pf_hour;
  result.capacity_pf = supply.total_capacity_pf;
  result.used_pf = formation.served_pf;
  result.unserved_pf = formation.unserved_pf;
  result.utilisation = result.capacity_pf > 0.0 ? result.used_pf / result.capacity_pf : 0.0;

  // Users pay price × work in tokens quoted at the previous tick's token price; providers
  // value them at the token's price now, and share emissions in proportion to work served.
  double received_usd_per_pf_hour = 0.0;
  if (formation.served_pf > 0.0) {
    const double price = formation.price_usd_per_pf_hour;
    const double token_ratio = token_usd / state.token_usd_at_quote;
    const double emission_usd = params.emission_tokens_per_day * tick_hours / 24.0 * token_usd;
    result.payments_usd = price * formation.served_pf * tick_hours;
    result.fees_usd = params.platform_fee * result.payments_usd;
    result.provider_revenue_usd =
        (result.payments_usd - result.fees_usd) * token_ratio + emission_usd;
    received_usd_per_pf_hour = (1.0 - params.platform_fee) * price * token_ratio +
                               emission_usd / (formation.served_pf * tick_hours);
  }

  // Pass 2: margins, rolling margins, negative ticks and Σ capacity × rolling margin. Under
  // clearing the used capacity is kept in the workspace too (callers inspect it).
  const double weight = rolling_margin_weight(tick_hours, params.entry_exit.margin_window_hours);
  const SettlePass settled = settle_pass(
      pop, clearing ? ws.ask_usd_per_pf_hour.data() : nullptr, hardware_index, fractions,
      received_usd_per_pf_hour, weight, params.entry_exit, clearing ? ws.used_pf.data() : nullptr);
  if (settled.any_exit) {
    exit_mask(pop.negative_margin_ticks, params.entry_exit, ws.exit_mask);
    result.exits = static_cast<int64_t>(pop.remove_if(ws.exit_mask));
  }

  // Without exits the sums of the two passes give the mean: no third pass.
  const double mean_margin = result.exits > 0 || pop.empty()
                                 ? mean_rolling_margin(pop)
                                 : settled.capacity_weighted_margin / result.capacity_pf;
  result.entrants = draw_entrants(params, pop.size(), mean_margin, tick_hours, rng, ws.entrants);
  // Entrants start at the mean rolling margin they entered on, so entry leaves the mean as is.
  pop.add(ws.entrants, mean_margin);
  result.mean_margin_usd_per_pf_hour = mean_margin;
  result.provider_count = static_cast<int64_t>(pop.size());

  if (params.pricing == PricingMode::DynamicFee) {
    state.posted_price_usd_per_pf_hour =
        dynamic_fee_update(state.posted_price_usd_per_pf_hour,
                           dynamic_fee_utilisation(formation, demand_pf), params.dynamic_fee);
  } else if (!std::isnan(formation.price_usd_per_pf_hour)) {
    state.posted_price_usd_per_pf_hour = formation.price_usd_per_pf_hour;
  }
  state.token_usd_at_quote = token_usd;
  return result;
}

}  // namespace gpumarket
