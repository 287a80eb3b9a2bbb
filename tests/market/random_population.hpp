// Providers with uniformly drawn costs and markups, so that asks are distinct and spread:
// the population the pricing-rule tests compare against the scalar reference.
#pragma once

#include <boost/random/uniform_01.hpp>

#include "gpumarket/core/random.hpp"
#include "gpumarket/market/provider_population.hpp"

namespace gpumarket::testing {

inline double uniform(RandomEngine& rng, double lo, double hi) {
  return lo + (hi - lo) * boost::random::uniform_01<double>()(rng);
}

/// `n` providers: capacity U(0.01, 2) PF, energy U(0.1, 1.5), capex U(0.1, 1) USD/PF·h,
/// markup U(0, 0.6), rolling margins 0.
inline ProviderPopulation random_population(RandomEngine& rng, int n) {
  ProviderPopulation pop;
  for (int i = 0; i < n; ++i) {
    ProviderAttributes a;
    a.capacity_pf = uniform(rng, 0.01, 2.0);
    a.energy_usd_per_pf_hour = uniform(rng, 0.1, 1.5);
    a.capex_usd_per_pf_hour = uniform(rng, 0.1, 1.0);
    a.ask_markup = uniform(rng, 0.0, 0.6);
    pop.add(a, 0.0);
  }
  return pop;
}

}  // namespace gpumarket::testing
