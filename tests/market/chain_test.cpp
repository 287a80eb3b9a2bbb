// The block-space market: the EIP-1559 update against hand computation, the background's
// demand curve, and a chain's blocks against a scalar reference and its invariants.
#include "gpumarket/market/chain.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace gpumarket {
namespace {

constexpr uint64_t kEthLimit = 30'000'000;  // target 15 M with E = 2

TEST(Eip1559, MatchesTheSpecificationOnHandComputedBlocks) {
  // Ethereum L1, D = 8, E = 2, base fee 1 gwei:
  // full block: 1e9 × 15e6 // 15e6 // 8 = 125,000,000 up.
  EXPECT_EQ(eip1559_next_base_fee_wei(1'000'000'000, kEthLimit, kEthLimit, 2, 8), 1'125'000'000u);
  // Empty block: the same delta down.
  EXPECT_EQ(eip1559_next_base_fee_wei(1'000'000'000, 0, kEthLimit, 2, 8), 875'000'000u);
  // At target: unchanged.
  EXPECT_EQ(eip1559_next_base_fee_wei(1'000'000'000, 15'000'000, kEthLimit, 2, 8), 1'000'000'000u);
  // 20 M used: 1e9 × 5e6 = 5e15 // 15e6 = 333,333,333 // 8 = 41,666,666.
  EXPECT_EQ(eip1559_next_base_fee_wei(1'000'000'000, 20'000'000, kEthLimit, 2, 8), 1'041'666'666u);
  // 10 M used: the same delta, down.
  EXPECT_EQ(eip1559_next_base_fee_wei(1'000'000'000, 10'000'000, kEthLimit, 2, 8), 958'333'334u);
  // One gas above target: 1e9 // 15e6 = 66 // 8 = 8.
  EXPECT_EQ(eip1559_next_base_fee_wei(1'000'000'000, 15'000'001, kEthLimit, 2, 8), 1'000'000'008u);
  // OP Stack after Canyon, D = 250, E = 6 (target 5 M), base fee 1e8: a full block
  // 1e8 × 25e6 // 5e6 // 250 = 2,000,000 up (+2 %), an empty one 400,000 down (−0.4 %).
  EXPECT_EQ(eip1559_next_base_fee_wei(100'000'000, kEthLimit, kEthLimit, 6, 250), 102'000'000u);
  EXPECT_EQ(eip1559_next_base_fee_wei(100'000'000, 0, kEthLimit, 6, 250), 99'600'000u);
}

TEST(Eip1559, TinyBaseFeesRiseByOneWeiAndStopFallingAtSeven) {
  // 7 × 15e6 // 15e6 // 8 = 0: an empty block leaves 7 wei; a full one adds the minimum 1.
  EXPECT_EQ(eip1559_next_base_fee_wei(7, 0, kEthLimit, 2, 8), 7u);
  EXPECT_EQ(eip1559_next_base_fee_wei(7, kEthLimit, kEthLimit, 2, 8), 8u);
  // 8 // 8 = 1: from 8 an empty block still falls to 7.
  EXPECT_EQ(eip1559_next_base_fee_wei(8, 0, kEthLimit, 2, 8), 7u);
  // Barely above target at 1 wei: 1 × 1 // 15e6 // 8 = 0, raised to the minimum 1.
  EXPECT_EQ(eip1559_next_base_fee_wei(1, 15'000'001, kEthLimit, 2, 8), 2u);
  // A zero base fee rises again (by the minimum) and cannot fall.
  EXPECT_EQ(eip1559_next_base_fee_wei(0, kEthLimit, kEthLimit, 2, 8), 1u);
  EXPECT_EQ(eip1559_next_base_fee_wei(0, 0, kEthLimit, 2, 8), 0u);
}

TEST(Eip1559, LargeBaseFeesNeedAndGet128BitProducts) {
  // 2^62 × 15e6 ≈ 6.9e25 overflows 64 bits; the exact delta is 2^62 // 8 = 2^59.
  const uint64_t big = uint64_t{1} << 62;
  EXPECT_EQ(eip1559_next_base_fee_wei(big, kEthLimit, kEthLimit, 2, 8), big + (big >> 3));
  EXPECT_EQ(eip1559_next_base_fee_wei(big, 0, kEthLimit, 2, 8), big - (big >> 3));
  // 2^62 × 5e6 // 15e6 = floor(2^62 / 3) = 1537228672809129301, // 8 = 192153584101141162.
  EXPECT_EQ(eip1559_next_base_fee_wei(big, 20'000'000, kEthLimit, 2, 8),
            big + 192'153'584'101'141'162u);
  // Beyond 2^64 − 1 wei the fee saturates.
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(eip1559_next_base_fee_wei(max - 1, kEthLimit, kEthLimit, 2, 8), max);
}

TEST(BackgroundGas, FollowsTheConstantElasticityDemandCurve) {
  BackgroundGasParams p;
  p.reference_base_fee_wei = 1e8;
  p.price_elasticity = 0.5;
  // 1e6 × 2 × (4e8 / 1e8)^−0.5 = 1e6.
  EXPECT_NEAR(background_gas_demand(1e6, 2.0, 4e8, p), 1e6, 1e-6);
  // At the reference fee the level itself.
  EXPECT_DOUBLE_EQ(background_gas_demand(1e6, 1.0, 1e8, p), 1e6);
  // A zero fee is evaluated at 1 wei: finite.
  EXPECT_NEAR(background_gas_demand(1e6, 1.0, 0.0, p), 1e6 * std::sqrt(1e8), 1e-3);
}

// A chain without randomness: no background volatility, no episodes, a constant gas token.
ChainParams deterministic_chain() {
  ChainParams c;
  c.name = "test";
  c.block_interval = Duration::seconds(12);
  c.gas_limit_per_block = 300'000;
  c.elasticity_multiplier = 2;
  c.max_change_denominator = 8;
  c.initial_base_fee_wei = 50'000'000;
  c.priority_fee_wei = 1'000'000;
  c.gas_token = {3000.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  c.background.level_gas_per_block = 120'000;
  c.background.reference_base_fee_wei = 5e7;
  c.background.price_elasticity = 1.0;
  c.background.log_volatility = 0.0;
  return c;
}

// The scalar reference: one interval's blocks, written out from docs/model.md.
struct ReferenceBlocks {
  uint64_t base_fee = 0;
  double backlog = 0;
  double gas_used = 0;
  double model_used = 0;

  void run(const ChainParams& c, int64_t blocks, double model_gas) {
    const double per_block = model_gas / static_cast<double>(blocks);
    const double max_fee = c.max_fee_multiplier * static_cast<double>(base_fee);
    const auto limit = static_cast<uint64_t>(c.gas_limit_per_block);
    for (int64_t k = 0; k < blocks; ++k) {
      const double fee = std::max(static_cast<double>(base_fee), 1.0);
      const double background =
          c.background.level_gas_per_block *
          std::pow(fee / c.background.reference_base_fee_wei, -c.background.price_elasticity);
      backlog += per_block;
      const double model = static_cast<double>(base_fee) <= max_fee ? backlog : 0.0;
      const double demand = background + model;
      const double used = std::min(static_cast<double>(limit), std::floor(demand));
      const double fill = used / demand;
      const double included = model * fill;
      backlog -= included;
      model_used += included;
      gas_used += used;
      // EIP-1559 in doubles is exact below 2^53, which these fees and gas stay under.
      const double target = std::floor(static_cast<double>(limit) / 2.0);
      const double b = static_cast<double>(base_fee);
      double next = b;
      if (used > target) {
        next = b + std::max(std::floor(std::floor(b * (used - target) / target) / 8.0), 1.0);
      } else if (used < target) {
        next = b - std::floor(std::floor(b * (target - used) / target) / 8.0);
      }
      base_fee = static_cast<uint64_t>(next);
    }
  }
};

TEST(Chain, BlocksMatchAScalarReferenceOfTheDemandFillAndFeeRule) {
  const ChainParams c = deterministic_chain();
  Chain chain(c, 1);
  ReferenceBlocks reference{static_cast<uint64_t>(c.initial_base_fee_wei)};
  double model_added = 0, model_included = 0;
  for (int hour = 1; hour <= 48; ++hour) {
    // A burst of the model's transactions in some hours: 200 settlements of 65,000 gas.
    const int transactions = hour % 5 == 0 ? 2000 : 200;
    for (int i = 0; i < transactions; ++i) chain.add_transaction(65'000);
    model_added += 65'000.0 * transactions;
    chain.advance_to(SimTime::start() + Duration::hours(hour));
    reference.run(c, 300, 65'000.0 * transactions);
    ASSERT_EQ(chain.last_interval().blocks, 300);
    EXPECT_EQ(chain.base_fee_wei(), reference.base_fee) << "hour " << hour;
    EXPECT_EQ(chain.last_interval().model_transactions, transactions);
    model_included += chain.last_interval().model_gas_used;
  }
  EXPECT_NEAR(chain.backlog_gas(), reference.backlog, 1e-9 * model_added);
  EXPECT_NEAR(model_included, reference.model_used, 1e-9 * model_added);
}

TEST(Chain, NoBlockUsesMoreThanItsLimitAndTheModelsGasIsConserved) {
  ChainParams c = deterministic_chain();
  c.background.log_volatility = 3.0;
  c.background.congestion_per_year = 400;
  c.background.congestion_multiplier = 5;
  Chain chain(c, 7);
  double added = 0, included = 0;
  int64_t above = 0, blocks = 0;
  for (int hour = 1; hour <= 24 * 20; ++hour) {
    const int transactions = (hour / 24) % 3 == 0 ? 4000 : 100;  // days of excess demand
    for (int i = 0; i < transactions; ++i) chain.add_transaction(65'000);
    added += 65'000.0 * transactions;
    chain.advance_to(SimTime::start() + Duration::hours(hour));
    const ChainInterval& i = chain.last_interval();
    EXPECT_LE(i.max_block_gas_used, static_cast<double>(c.gas_limit_per_block));
    EXPECT_LE(i.gas_used, i.gas_limit);
    EXPECT_NEAR(i.gas_used, i.background_gas_used + i.model_gas_used, 1e-6 * i.gas_limit);
    included += i.model_gas_used;
    above += i.blocks_above_target;
    blocks += i.blocks;
  }
  EXPECT_NEAR(added, included + chain.backlog_gas(), 1e-9 * added);
  EXPECT_GT(above, 0);
  EXPECT_LT(above, blocks);
}

TEST(Chain, FeeIsBaseFeePlusTipTimesGasTimesTokenPrice) {
  const ChainParams c = deterministic_chain();
  const Chain chain(c, 1);
  // (5e7 + 1e6) wei × 65,000 gas × 3,000 USD / 1e18 = 0.009945 USD.
  EXPECT_NEAR(chain.fee_usd(65'000), 0.009945, 1e-15);
}

TEST(Chain, BlocksArriveAtTheirIntervalAcrossTicksThatDoNotDivideIt) {
  ChainParams c = deterministic_chain();
  c.block_interval = Duration::seconds(7);
  Chain chain(c, 1);
  int64_t blocks = 0;
  for (int minute = 1; minute <= 70; ++minute) {
    chain.advance_to(SimTime::start() + Duration::seconds(60.0 * minute));
    blocks += chain.last_interval().blocks;
  }
  EXPECT_EQ(blocks, 4200 / 7);  // blocks at 7 s, 14 s, ..., 4200 s
}

}  // namespace
}  // namespace gpumarket
