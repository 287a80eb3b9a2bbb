// Decoder of one chain's block-space market (the `chains` section).
#include <string>
#include <utility>

#include "scenario_decode.hpp"

namespace gpumarket::scenario_decode {
namespace {

int64_t integer_at_least_one(MapReader& r, std::string_view key, int64_t fallback) {
  const int64_t value = r.optional_integer(key, fallback);
  if (value < 1) fail_expected(r, key, "an integer ≥ 1");
  return value;
}

void decode_gas_costs(MapReader r, GasCosts& g) {
  g.settlement_gas = r.optional_integer("settlement_gas", g.settlement_gas, Check::NonNegative);
  g.bridge_message_gas =
      r.optional_integer("bridge_message_gas", g.bridge_message_gas, Check::NonNegative);
  g.proof_verification_gas =
      r.optional_integer("proof_verification_gas", g.proof_verification_gas, Check::NonNegative);
  r.finish();
}

void decode_background(MapReader r, BackgroundGasParams& b) {
  b.level_gas_per_block =
      r.optional_number("level_gas_per_block", b.level_gas_per_block, Check::NonNegative);
  b.reference_base_fee_wei =
      r.optional_number("reference_base_fee_wei", b.reference_base_fee_wei, Check::Positive);
  b.price_elasticity = r.optional_number("price_elasticity", b.price_elasticity, Check::Positive);
  b.trend_per_year = r.optional_number("trend_per_year", b.trend_per_year);
  b.log_volatility = r.optional_number("log_volatility", b.log_volatility, Check::NonNegative);
  b.mean_reversion_per_year =
      r.optional_number("mean_reversion_per_year", b.mean_reversion_per_year, Check::NonNegative);
  b.congestion_per_year =
      r.optional_number("congestion_per_year", b.congestion_per_year, Check::NonNegative);
  b.congestion_multiplier =
      r.optional_number("congestion_multiplier", b.congestion_multiplier, Check::Positive);
  b.congestion_mean_duration =
      r.optional_duration("congestion_mean_duration", b.congestion_mean_duration, Check::Positive);
  r.finish();
}

}  // namespace

ChainParams decode_chain(MapReader& r) {
  ChainParams c;
  c.name = r.name("name");
  c.block_interval = r.optional_duration("block_interval", c.block_interval, Check::Positive);
  c.gas_limit_per_block =
      r.optional_integer("gas_limit_per_block", c.gas_limit_per_block, Check::Positive);
  c.elasticity_multiplier =
      integer_at_least_one(r, "elasticity_multiplier", c.elasticity_multiplier);
  c.max_change_denominator =
      integer_at_least_one(r, "max_change_denominator", c.max_change_denominator);
  c.initial_base_fee_wei =
      r.optional_integer("initial_base_fee_wei", c.initial_base_fee_wei, Check::Positive);
  c.priority_fee_wei =
      r.optional_integer("priority_fee_wei", c.priority_fee_wei, Check::NonNegative);
  c.max_fee_multiplier = r.optional_number("max_fee_multiplier", c.max_fee_multiplier);
  if (auto t = r.optional_map("gas_token")) decode_token(std::move(*t), c.gas_token);
  if (auto g = r.optional_map("gas")) decode_gas_costs(std::move(*g), c.gas);
  if (auto b = r.optional_map("background")) decode_background(std::move(*b), c.background);
  r.finish();
  if (!(c.max_fee_multiplier >= 1.0)) {
    fail_expected(r, "max_fee_multiplier",
                  "a number ≥ 1 (a max fee below the base fee is never included)");
  }
  // EIP-1559 divides by the target, limit // E: it must be at least 1 gas.
  if (c.gas_limit_per_block < c.elasticity_multiplier) {
    fail_expected(r, "gas_limit_per_block",
                  "a limit no lower than its target's divisor elasticity_multiplier (" +
                      std::to_string(c.elasticity_multiplier) +
                      "), so that the target limit // E is at least 1 gas");
  }
  return c;
}

}  // namespace gpumarket::scenario_decode
