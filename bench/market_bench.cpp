// Providers per second of one marketplace tick (costs, asks, price formation, revenue,
// margins, rolling margins, exit test), the model's pricing rules against the scalar reference.
//
// BM_MarketTickEigen runs gpumarket::marketplace_tick over the struct-of-arrays population:
// the rule of the pricing mode (pricing_rule.hpp), its form() and settle() being the fused
// Eigen packet passes of sim/market/uniform_price.cpp.
// BM_MarketTickScalar runs tests/market/scalar_supply_reference.hpp: one object per
// provider (array of structs) and a loop per stage, the natural first implementation.
// BM_MarketTickScalarSelect is that scalar tick under clearing with the sort replaced by the
// plain weighted quickselect (marginal_ask, expected O(n)), to compare clearing without the
// sort's O(n log n). The clearing rule narrows the candidates with vectorised multi-pivot
// passes before that quickselect, so part of its gain over ScalarSelect is that SIMD-friendly
// selection. All are compiled with the project's default Release flags (no -march=native,
// so SSE2 only). GCC at -O3 may auto-vectorise simple scalar loops too, but the per-object
// layout (strided fields) mostly prevents it.
// The second argument picks the pricing mode: 0 = clearing, 1 = dynamic_fee; the latter
// has no selection in either version and isolates the data-layout and SIMD gain.
// Entry and exit are switched off so that the population keeps its size across
// iterations; the exit test still runs every tick.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "gpumarket/core/random.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "market/scalar_supply_reference.hpp"

namespace gpumarket {
namespace {

MarketplaceParams bench_params(int64_t providers, int64_t mode) {
  MarketplaceParams p;
  p.pricing = mode == 0 ? PricingMode::Clearing : PricingMode::DynamicFee;
  p.providers.initial_count = providers;
  p.entry_exit.base_entry_rate_per_day = 0.0;
  p.entry_exit.exit_after_ticks = 1'000'000'000;
  p.emission_tokens_per_day = 100.0;
  p.platform_fee = 0.05;
  return p;
}

// Slightly varying drivers, so that nothing is constant-folded across ticks.
double demand_at(int64_t tick, double capacity) {
  return capacity * (0.55 + 0.1 * static_cast<double>(tick % 7) / 7.0);
}
double index_at(int64_t tick) { return 1.0 + 0.01 * static_cast<double>(tick % 5); }

void BM_MarketTickEigen(benchmark::State& st) {
  const MarketplaceParams params = bench_params(st.range(0), st.range(1));
  RandomEngine rng(1);
  MarketplaceState state = make_marketplace(params, rng);
  const double capacity = state.providers.total_capacity_pf();
  int64_t tick = 0;
  for (auto _ : st) {
    const MarketplaceTickResult r =
        marketplace_tick(state, params, demand_at(tick, capacity), 1.0, index_at(tick), 1.0, rng);
    benchmark::DoNotOptimize(r);
    ++tick;
  }
  st.SetItemsProcessed(st.iterations() * st.range(0));
}

void BM_MarketTickScalar(benchmark::State& st) {
  const MarketplaceParams params = bench_params(st.range(0), st.range(1));
  RandomEngine rng(1);
  scalar::Marketplace market = scalar::from_state(make_marketplace(params, rng));
  const double capacity = market.providers.empty() ? 0.0 : [&] {
    double c = 0.0;
    for (const scalar::Provider& p : market.providers) c += p.capacity_pf;
    return c;
  }();
  int64_t tick = 0;
  for (auto _ : st) {
    const MarketplaceTickResult r = scalar::marketplace_tick(
        market, params, demand_at(tick, capacity), 1.0, index_at(tick), 1.0, rng);
    benchmark::DoNotOptimize(r);
    ++tick;
  }
  st.SetItemsProcessed(st.iterations() * st.range(0));
}

// The scalar reference's tick with its merit-order sort replaced by the kernel's selection
// (marginal_ask: weighted quickselect, expected O(n)), over the same provider objects:
// clearing compared like with like, the gain being layout and SIMD only.
PriceFormation scalar_clear_by_selection(std::vector<scalar::Provider>& providers, double demand_pf,
                                         std::vector<std::pair<double, double>>& items) {
  double total = 0.0;
  for (const scalar::Provider& p : providers) total += p.capacity_pf;
  if (providers.empty() || demand_pf <= 0.0 || demand_pf >= total) {
    return scalar::clear(providers, demand_pf);  // no selection in these cases
  }
  PriceFormation f;
  f.capacity_pf = total;
  f.offered_capacity_pf = total;
  items.clear();
  for (const scalar::Provider& p : providers) {
    items.emplace_back(p.ask_usd_per_pf_hour, p.capacity_pf);
  }
  const double price = marginal_ask(items, demand_pf);
  double below = 0.0;
  double at_price = 0.0;
  for (const scalar::Provider& p : providers) {
    if (p.ask_usd_per_pf_hour < price) below += p.capacity_pf;
    if (p.ask_usd_per_pf_hour == price) at_price += p.capacity_pf;
  }
  const double share = at_price > 0.0 ? std::clamp((demand_pf - below) / at_price, 0.0, 1.0) : 0.0;
  double served = 0.0;
  for (scalar::Provider& p : providers) {
    if (p.ask_usd_per_pf_hour < price) {
      p.used_pf = p.capacity_pf;
    } else if (p.ask_usd_per_pf_hour == price) {
      p.used_pf = p.capacity_pf * share;
    } else {
      p.used_pf = 0.0;
    }
    served += p.used_pf;
  }
  f.price_usd_per_pf_hour = price;
  f.served_pf = served;
  f.unserved_pf = std::max(0.0, demand_pf - served);
  f.payments_usd_per_hour = price * served;
  return f;
}

// scalar::marketplace_tick under clearing, token unchanged and entry off (as configured
// here), the sort replaced by scalar_clear_by_selection; the exit test still runs.
MarketplaceTickResult scalar_clearing_tick_by_selection(
    scalar::Marketplace& m, const MarketplaceParams& params, double demand_pf,
    double hardware_index, std::vector<std::pair<double, double>>& items) {
  scalar::compute_asks(m.providers, hardware_index);
  const PriceFormation f = scalar_clear_by_selection(m.providers, demand_pf, items);
  MarketplaceTickResult r;
  r.price_usd_per_pf_hour = f.price_usd_per_pf_hour;
  r.capacity_pf = f.capacity_pf;
  r.used_pf = f.served_pf;
  r.unserved_pf = f.unserved_pf;
  r.utilisation = r.capacity_pf > 0.0 ? r.used_pf / r.capacity_pf : 0.0;
  Receipts receipts;
  if (f.served_pf > 0.0) {
    const double emission_usd = params.emission_tokens_per_day / 24.0;  // token 1, tick 1 h
    r.payments_usd = f.payments_usd_per_hour;
    r.fees_usd = params.platform_fee * r.payments_usd;
    r.provider_revenue_usd = r.payments_usd - r.fees_usd + emission_usd;
    receipts.kept_share = 1.0 - params.platform_fee;
    receipts.emission_usd_per_pf_hour = emission_usd / f.served_pf;
  }
  scalar::margins(m.providers, hardware_index, scalar::received(f, receipts));
  const double weight = 1.0 - std::exp(-1.0 / params.entry_exit.margin_window_h);
  scalar::roll(m.providers, weight, params.entry_exit.exit_threshold_usd_per_pf_hour);
  const size_t before = m.providers.size();
  std::erase_if(m.providers, [&](const scalar::Provider& p) {
    return p.negative_margin_ticks >= params.entry_exit.exit_after_ticks;
  });
  r.exits = static_cast<int64_t>(before - m.providers.size());
  r.mean_margin_usd_per_pf_hour = scalar::mean_margin(m.providers);
  r.provider_count = static_cast<int64_t>(m.providers.size());
  m.posted_price_usd_per_pf_hour = scalar::next_posted_price(
      params.pricing, m.posted_price_usd_per_pf_hour, f, demand_pf, params.dynamic_fee);
  return r;
}

void BM_MarketTickScalarSelect(benchmark::State& st) {
  const MarketplaceParams params = bench_params(st.range(0), 0);
  RandomEngine rng(1);
  scalar::Marketplace market = scalar::from_state(make_marketplace(params, rng));
  double capacity = 0.0;
  for (const scalar::Provider& p : market.providers) capacity += p.capacity_pf;
  std::vector<std::pair<double, double>> items;
  int64_t tick = 0;
  for (auto _ : st) {
    const MarketplaceTickResult r = scalar_clearing_tick_by_selection(
        market, params, demand_at(tick, capacity), index_at(tick), items);
    benchmark::DoNotOptimize(r);
    ++tick;
  }
  st.SetItemsProcessed(st.iterations() * st.range(0));
}

// BM_MarketTickEigen with token-denominated asks (Calvo resets at the default φ = 1/168 per
// hour, one geometric draw per reset; the USD asks token ask × S in the ask pass), and with the
// second argument + 2 also a 12 h payment lag (the accrual pass): what the token economy adds
// to a tick, against the same scalar reference.
void BM_MarketTickEigenTokenAsks(benchmark::State& st) {
  MarketplaceParams params = bench_params(st.range(0), st.range(1) % 2);
  params.ask_currency = AskCurrency::Token;
  if (st.range(1) >= 2) params.payment_interval = Duration::hours(12);
  RandomEngine rng(1);
  MarketplaceState state = make_marketplace(params, rng);
  state.repricing_rng = RandomEngine(2);
  const double capacity = state.providers.total_capacity_pf();
  int64_t tick = 0;
  for (auto _ : st) {
    const double token_usd = 1.0 + 0.01 * static_cast<double>(tick % 3);
    const MarketplaceTickResult r = marketplace_tick(state, params, demand_at(tick, capacity),
                                                     token_usd, index_at(tick), 1.0, rng);
    benchmark::DoNotOptimize(r);
    ++tick;
  }
  st.SetItemsProcessed(st.iterations() * st.range(0));
}

BENCHMARK(BM_MarketTickEigen)->ArgsProduct({{1000, 10000, 100000}, {0, 1}});
BENCHMARK(BM_MarketTickScalar)->ArgsProduct({{1000, 10000, 100000}, {0, 1}});
BENCHMARK(BM_MarketTickScalarSelect)->ArgsProduct({{1000, 10000, 100000}, {0}});
BENCHMARK(BM_MarketTickEigenTokenAsks)->ArgsProduct({{1000, 10000, 100000}, {0, 1, 2, 3}});

}  // namespace
}  // namespace gpumarket
