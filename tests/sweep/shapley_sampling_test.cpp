// Shapley values from sampled orders (Castro, Gómez & Tejada 2009): the orders are uniform
// and reproducible, the estimate is unbiased for a game with interactions, adds up to the
// total for any game and any orders, and every order once gives the exact values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "gpumarket/sweep/sample_statistics.hpp"
#include "gpumarket/sweep/shapley.hpp"

namespace gpumarket {
namespace {

// A game of four groups with pairwise and three-way interactions: exact values differ from
// the groups' own effects, so an order-biased estimate would show.
double interacting_game(uint32_t mask) {
  const auto on = [&](int g) { return (mask & (1u << g)) != 0 ? 1.0 : 0.0; };
  return 3.0 * on(0) - 1.0 * on(1) + 0.5 * on(2) + 2.0 * on(3) + 4.0 * on(0) * on(1) -
         2.5 * on(1) * on(2) * on(3) + 1.5 * on(0) * on(3);
}

// An arbitrary game: a hash of the subset.
double hashed_game(uint32_t mask) { return std::sin(1.0 + 7.3 * mask) * 100.0 / (1 + mask % 5); }

TEST(ShapleySampling, OrdersArePermutationsAndTheSameSeedGivesTheSameOrders) {
  const std::vector<Permutation> orders = sample_permutations(12, 50, 7, "explain/permutations");
  ASSERT_EQ(orders.size(), 50u);
  for (Permutation order : orders) {
    std::sort(order.begin(), order.end());
    Permutation identity(12);
    std::iota(identity.begin(), identity.end(), uint8_t{0});
    EXPECT_EQ(order, identity);
  }
  EXPECT_EQ(sample_permutations(12, 50, 7, "explain/permutations"), orders);
  EXPECT_NE(sample_permutations(12, 50, 8, "explain/permutations"), orders);
  EXPECT_NE(sample_permutations(12, 50, 7, "other"), orders);
}

TEST(ShapleySampling, EachOfTheSixOrdersOfThreeGroupsIsEquallyLikely) {
  constexpr size_t kDraws = 60000;
  std::map<int, size_t> counts;  // by the order read as a three-digit number
  for (const Permutation& order : sample_permutations(3, kDraws, 11, "uniformity")) {
    ++counts[100 * order[0] + 10 * order[1] + order[2]];
  }
  ASSERT_EQ(counts.size(), 6u);
  // Binomial(60000, 1/6): standard deviation 91; 5 of them.
  const double expected = kDraws / 6.0;
  const double sd = std::sqrt(kDraws * (1.0 / 6.0) * (5.0 / 6.0));
  for (const auto& [order, count] : counts) {
    EXPECT_NEAR(static_cast<double>(count), expected, 5 * sd);
  }
}

TEST(ShapleySampling, VisitedSubsetsAreTheOrdersPrefixesWithinTheBound) {
  const size_t k = 10, m = 20;
  const std::vector<Permutation> orders = sample_permutations(k, m, 3, "visits");
  const std::vector<uint32_t> visited = visited_subsets(k, orders);
  EXPECT_EQ(visited.front(), 0u);
  EXPECT_EQ(visited.back(), (1u << k) - 1);
  EXPECT_LE(visited.size(), m * (k - 1) + 2);
  EXPECT_TRUE(std::is_sorted(visited.begin(), visited.end()));
  EXPECT_EQ(std::adjacent_find(visited.begin(), visited.end()), visited.end());
  // The estimate asks the game for nothing else.
  sampled_shapley_values(k, orders, [&](uint32_t mask) {
    EXPECT_TRUE(std::binary_search(visited.begin(), visited.end(), mask)) << mask;
    return hashed_game(mask);
  });
}

TEST(ShapleySampling, TheEstimateAddsUpToTheTotalForAnyGameAndAnyOrders) {
  for (size_t k = 1; k <= 20; ++k) {
    const std::vector<Permutation> orders = sample_permutations(k, 5, k, "sums");
    const std::vector<double> phi = sampled_shapley_values(k, orders, hashed_game);
    const double total =
        hashed_game(static_cast<uint32_t>((uint64_t{1} << k) - 1)) - hashed_game(0);
    const double sum = std::accumulate(phi.begin(), phi.end(), 0.0);
    EXPECT_NEAR(sum, total, 1e-9 * std::max(1.0, std::abs(total))) << k;
  }
}

TEST(ShapleySampling, EveryOrderOnceGivesTheExactValues) {
  constexpr size_t k = 4;
  std::vector<Permutation> all;
  Permutation order(k);
  std::iota(order.begin(), order.end(), uint8_t{0});
  do {
    all.push_back(order);
  } while (std::next_permutation(order.begin(), order.end()));
  ASSERT_EQ(all.size(), 24u);
  const std::vector<double> exact = shapley_values(k, interacting_game);
  const std::vector<double> sampled = sampled_shapley_values(k, all, interacting_game);
  for (size_t g = 0; g < k; ++g) EXPECT_NEAR(sampled[g], exact[g], 1e-12) << g;
}

// Over 4,000 seeds of 3 orders each, the mean estimate is within 4 of its standard errors
// (the spread over seeds / √4000) of the exact value: no bias from the sampling.
TEST(ShapleySampling, TheMeanEstimateOverManySeedsIsTheExactValue) {
  constexpr size_t k = 4, seeds = 4000, orders = 3;
  const std::vector<double> exact = shapley_values(k, interacting_game);
  std::vector<RunningStats> estimate(k);
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    const std::vector<double> phi = sampled_shapley_values(
        k, sample_permutations(k, orders, seed, "explain/permutations"), interacting_game);
    for (size_t g = 0; g < k; ++g) estimate[g].add(phi[g]);
  }
  for (size_t g = 0; g < k; ++g) {
    const double se = std::sqrt(estimate[g].variance() / seeds);
    EXPECT_GT(se, 0.0) << g;  // the orders matter in this game: the test has power
    EXPECT_NEAR(estimate[g].mean, exact[g], 4 * se) << g;
  }
}

// Many orders converge: with 20,000 orders of six groups the orders' standard error (the
// spread of a group's marginals over √M) is below 0.02 and the estimate within 5 of them.
TEST(ShapleySampling, ManyOrdersConvergeToTheExactValues) {
  constexpr size_t k = 6, m = 20000;
  const auto game = [](uint32_t mask) { return interacting_game(mask & 15u) + 2.0 * (mask >> 4); };
  const std::vector<double> exact = shapley_values(k, game);
  const std::vector<Permutation> orders = sample_permutations(k, m, 5, "converge");
  const std::vector<double> sampled = sampled_shapley_values(k, orders, game);
  const std::vector<std::vector<double>> marginals = permutation_marginals(k, orders, game);
  for (size_t g = 0; g < k; ++g) {
    RunningStats spread;
    for (const std::vector<double>& order : marginals) spread.add(order[g]);
    const double se = std::sqrt(spread.variance() / m);
    EXPECT_LT(se, 0.02) << g;
    EXPECT_NEAR(sampled[g], exact[g], 5 * se + 1e-12) << g;
  }
}

}  // namespace
}  // namespace gpumarket
