// Providers per second of one marketplace tick (costs, asks, price formation, revenue,
// margins, rolling margins, exit test), vectorised kernels against the scalar reference.
//
// BM_MarketTickEigen runs gpumarket::marketplace_tick over the struct-of-arrays population.
// BM_MarketTickScalar runs tests/market/scalar_supply_reference.hpp: one object per
// provider (array of structs) and a loop per stage, the natural first implementation.
// Both are compiled with the project's default Release flags (no -march=native, so SSE2
// only). GCC at -O3 may auto-vectorise simple scalar loops too, but the per-object layout
// (strided fields) mostly prevents it; the measured ratio therefore combines SIMD, the
// contiguous columns and, under clearing, the algorithm: the scalar reference sorts the
// providers by ask (O(n log n)), the kernel selects the marginal ask (expected O(n)).
// The second argument picks the pricing mode: 0 = clearing, 1 = dynamic_fee; the latter
// has no sort in either version and isolates the data-layout and SIMD gain.
// Entry and exit are switched off so that the population keeps its size across
// iterations; the exit test still runs every tick.
#include <benchmark/benchmark.h>

#include "gpumarket/core/random.hpp"
#include "gpumarket/market/supply_kernels.hpp"
#include "market/scalar_supply_reference.hpp"

namespace gpumarket {
namespace {

MarketplaceParams bench_params(int64_t providers, int64_t mode) {
  MarketplaceParams p;
  p.name = "bench";
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

BENCHMARK(BM_MarketTickEigen)->ArgsProduct({{1000, 10000, 100000}, {0, 1}});
BENCHMARK(BM_MarketTickScalar)->ArgsProduct({{1000, 10000, 100000}, {0, 1}});

}  // namespace
}  // namespace gpumarket
