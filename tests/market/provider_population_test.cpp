#include "gpumarket/market/provider_population.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace gpumarket {
namespace {

ProviderAttributes attributes(double capacity) {
  return {capacity, 0.1 * capacity, 0.2 * capacity, 0.3};
}

void expect_consistent(const ProviderPopulation& pop) {
  EXPECT_EQ(pop.energy_usd_per_pf_hour.size(), pop.size());
  EXPECT_EQ(pop.capex_usd_per_pf_hour.size(), pop.size());
  EXPECT_EQ(pop.ask_markup.size(), pop.size());
  EXPECT_EQ(pop.rolling_margin_usd_per_pf_hour.size(), pop.size());
  EXPECT_EQ(pop.negative_margin_ticks.size(), pop.size());
}

TEST(ProviderPopulation, StartsEmpty) {
  ProviderPopulation pop;
  EXPECT_EQ(pop.size(), 0);
  EXPECT_TRUE(pop.empty());
  EXPECT_EQ(pop.total_capacity_pf(), 0.0);
}

TEST(ProviderPopulation, AddAppendsEveryColumnInOrder) {
  ProviderPopulation pop;
  pop.add(attributes(1.0));
  const std::vector<ProviderAttributes> batch = {attributes(2.0), attributes(3.0)};
  pop.add(batch, -0.5);
  ASSERT_EQ(pop.size(), 3);
  expect_consistent(pop);
  EXPECT_EQ(pop.capacity_pf[0], 1.0);
  EXPECT_EQ(pop.capacity_pf[2], 3.0);
  EXPECT_DOUBLE_EQ(pop.energy_usd_per_pf_hour[1], 0.2);
  EXPECT_DOUBLE_EQ(pop.capex_usd_per_pf_hour[2], 0.6);
  EXPECT_EQ(pop.ask_markup[1], 0.3);
  EXPECT_EQ(pop.rolling_margin_usd_per_pf_hour[0], 0.0);
  EXPECT_EQ(pop.rolling_margin_usd_per_pf_hour[1], -0.5);
  EXPECT_EQ(pop.negative_margin_ticks[2], 0);
  EXPECT_DOUBLE_EQ(pop.total_capacity_pf(), 6.0);
}

TEST(ProviderPopulation, AddingNothingChangesNothing) {
  ProviderPopulation pop;
  pop.add(attributes(1.0));
  pop.add(std::span<const ProviderAttributes>(), 1.0);
  EXPECT_EQ(pop.size(), 1);
}

TEST(ProviderPopulation, RemoveIfCompactsKeepingOrder) {
  ProviderPopulation pop;
  for (int i = 1; i <= 6; ++i) pop.add(attributes(i));
  pop.negative_margin_ticks << 10, 11, 12, 13, 14, 15;
  pop.rolling_margin_usd_per_pf_hour << -1, -2, -3, -4, -5, -6;
  ArrayXb mask(6);
  mask << true, false, false, true, false, true;
  EXPECT_EQ(pop.remove_if(mask), 3);
  ASSERT_EQ(pop.size(), 3);
  expect_consistent(pop);
  EXPECT_EQ(pop.capacity_pf[0], 2.0);
  EXPECT_EQ(pop.capacity_pf[1], 3.0);
  EXPECT_EQ(pop.capacity_pf[2], 5.0);
  EXPECT_DOUBLE_EQ(pop.energy_usd_per_pf_hour[2], 0.5);
  EXPECT_EQ(pop.negative_margin_ticks[1], 12);
  EXPECT_EQ(pop.rolling_margin_usd_per_pf_hour[2], -5.0);
}

TEST(ProviderPopulation, RemoveIfWithNoneOrAllMarked) {
  ProviderPopulation pop;
  for (int i = 1; i <= 4; ++i) pop.add(attributes(i));
  EXPECT_EQ(pop.remove_if(ArrayXb::Constant(4, false)), 0);
  EXPECT_EQ(pop.size(), 4);
  EXPECT_EQ(pop.remove_if(ArrayXb::Constant(4, true)), 4);
  EXPECT_TRUE(pop.empty());
  expect_consistent(pop);
  pop.add(attributes(7.0));
  EXPECT_EQ(pop.capacity_pf[0], 7.0);
}

}  // namespace
}  // namespace gpumarket
