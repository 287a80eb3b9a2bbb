// A chain's blocks between two market ticks: the background's level and the gas token move
// once per interval (exact steps), then each block takes min(limit, demand) gas and sets the
// next base fee by EIP-1559.
#include "gpumarket/market/chain.hpp"

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <limits>

#include "gpumarket/core/check.hpp"
#include "gpumarket/market/supply_kernels.hpp"

namespace gpumarket {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// EIP-1559 asks for 256-bit integers; base fee × gas fits in 128 bits (GCC/Clang extension).
__extension__ using u128 = unsigned __int128;

// Hours until the next arrival of a Poisson process of `per_year`; infinite at rate 0.
double exponential_gap_h(double per_year, RandomEngine& rng) {
  if (!(per_year > 0.0)) return kInfinity;
  return boost::random::exponential_distribution<double>(per_year / kHoursPerYear)(rng);
}

}  // namespace

uint64_t eip1559_next_base_fee_wei(uint64_t base_fee_wei, uint64_t gas_used, uint64_t gas_limit,
                                   uint64_t elasticity, uint64_t denominator) {
  GPUMARKET_CHECK(elasticity >= 1 && denominator >= 1 && gas_limit >= elasticity &&
                  gas_used <= gas_limit);
  const uint64_t target = gas_limit / elasticity;
  if (gas_used == target) return base_fee_wei;
  if (gas_used > target) {
    // max(base_fee * (used - target) // target // D, 1): the fee rises by at least 1 wei.
    const u128 delta = std::max<u128>(
        static_cast<u128>(base_fee_wei) * (gas_used - target) / target / denominator, 1);
    const u128 next = static_cast<u128>(base_fee_wei) + delta;
    return next > std::numeric_limits<uint64_t>::max() ? std::numeric_limits<uint64_t>::max()
                                                       : static_cast<uint64_t>(next);
  }
  // base_fee * (target - used) // target // D ≤ base_fee / D: no underflow, no minimum.
  const u128 delta = static_cast<u128>(base_fee_wei) * (target - gas_used) / target / denominator;
  return base_fee_wei - static_cast<uint64_t>(delta);
}

double background_gas_demand(double level_gas_per_block, double multiplier, double base_fee_wei,
                             const BackgroundGasParams& params) {
  // Evaluated at 1 wei at least: the curve's pole at a zero fee would make the demand
  // infinite, and a fee below 1 wei is not a price anyone pays.
  const double relative = std::max(base_fee_wei, 1.0) / params.reference_base_fee_wei;
  // Unit elasticity (the shipped chains) as a division: std::pow costs 20 ns a block, a
  // tenth of a 3-year run on a 2 s chain; the two differ in the last bit at most.
  const double response = params.price_elasticity == 1.0
                              ? 1.0 / relative
                              : std::pow(relative, -params.price_elasticity);
  return level_gas_per_block * multiplier * response;
}

Chain::Chain(const ChainParams& params, uint64_t seed)
    : params_(&params),
      background_rng_(make_stream(seed, "chain/" + params.name + "/background")),
      congestion_rng_(make_stream(seed, "chain/" + params.name + "/congestion")),
      gas_token_rng_(make_stream(seed, "chain/" + params.name + "/gas_token")),
      base_fee_wei_(static_cast<uint64_t>(params.initial_base_fee_wei)),
      gas_token_usd_(params.gas_token.initial_usd),
      next_block_(SimTime::start() + params.block_interval),
      episode_rate_per_year_(params.background.congestion_per_year),
      next_episode_h_(exponential_gap_h(episode_rate_per_year_, congestion_rng_)) {}

double Chain::fee_usd(int64_t gas) const {
  const double wei_per_gas =
      static_cast<double>(base_fee_wei_) + static_cast<double>(params_->priority_fee_wei);
  return wei_per_gas * static_cast<double>(gas) * gas_token_usd_ / kWeiPerToken;
}

void Chain::advance_to(SimTime now) {
  const ChainParams& p = *params_;
  const BackgroundGasParams& bg = p.background;
  interval_ = {};
  interval_.model_transactions = pending_transactions_;
  pending_transactions_ = 0;
  const double dt_years = (now - last_advance_).in_hours() / kHoursPerYear;
  last_advance_ = now;
  if (dt_years > 0.0) {
    // Exact OU step of the log-level's deviation; θ = 0 is the random-walk limit.
    const double theta = bg.mean_reversion_per_year;
    const double decay = std::exp(-theta * dt_years);
    const double sd =
        theta > 0.0
            ? bg.log_volatility * std::sqrt(-std::expm1(-2.0 * theta * dt_years) / (2.0 * theta))
            : bg.log_volatility * std::sqrt(dt_years);
    log_deviation_ = log_deviation_ * decay +
                     sd * boost::random::normal_distribution<double>(0.0, 1.0)(background_rng_);
    gas_token_usd_ = token_price_step(gas_token_usd_, p.gas_token, dt_years, gas_token_rng_);
  }
  // A timeline step that changes the episode rate restarts the (memoryless) arrival clock.
  if (bg.congestion_per_year != episode_rate_per_year_) {
    episode_rate_per_year_ = bg.congestion_per_year;
    next_episode_h_ = now.in_hours() + exponential_gap_h(episode_rate_per_year_, congestion_rng_);
  }
  if (next_block_ > now) {
    backlog_model_gas_ += pending_model_gas_;
    pending_model_gas_ = 0;
    return;
  }
  const int64_t interval_us = p.block_interval.count_micros();
  const int64_t blocks = (now - next_block_).count_micros() / interval_us + 1;
  const double model_gas_per_block = pending_model_gas_ / static_cast<double>(blocks);
  pending_model_gas_ = 0;
  const double level =
      bg.level_gas_per_block *
      std::exp(bg.trend_per_year * now.in_hours() / kHoursPerYear + log_deviation_);
  const auto limit = static_cast<uint64_t>(p.gas_limit_per_block);
  const auto elasticity = static_cast<uint64_t>(p.elasticity_multiplier);
  const auto denominator = static_cast<uint64_t>(p.max_change_denominator);
  const uint64_t target = limit / elasticity;
  const double limit_gas = static_cast<double>(limit);
  const double mean_duration_h = bg.congestion_mean_duration.in_hours();
  // Made at the previous tick's base fee (or repriced then, if waiting): their max fee.
  const double model_max_fee_wei = p.max_fee_multiplier * static_cast<double>(base_fee_wei_);
  for (int64_t k = 0; k < blocks; ++k) {
    const double block_h = next_block_.in_hours();
    while (next_episode_h_ <= block_h) {
      const double length_h =
          boost::random::exponential_distribution<double>(1.0 / mean_duration_h)(congestion_rng_);
      congested_until_h_ = std::max(congested_until_h_, next_episode_h_ + length_h);
      next_episode_h_ += exponential_gap_h(episode_rate_per_year_, congestion_rng_);
    }
    const double multiplier = block_h < congested_until_h_ ? bg.congestion_multiplier : 1.0;
    const double fee_wei = static_cast<double>(base_fee_wei_);
    const double background = background_gas_demand(level, multiplier, fee_wei, bg);
    backlog_model_gas_ += model_gas_per_block;
    const double model = fee_wei <= model_max_fee_wei ? backlog_model_gas_ : 0.0;
    const double demand = background + model;
    const auto used = static_cast<uint64_t>(std::min(limit_gas, std::floor(demand)));
    GPUMARKET_CHECK(used <= limit);
    // A full block takes every demand in the same proportion (all pay the same priority fee);
    // the model's remainder waits for the next block, the background's is priced out.
    const double fill = demand > 0.0 ? static_cast<double>(used) / demand : 0.0;
    const double model_used = model * fill;
    backlog_model_gas_ -= model_used;
    interval_.gas_used += static_cast<double>(used);
    interval_.background_gas_used += background * fill;
    interval_.model_gas_used += model_used;
    interval_.max_block_gas_used =
        std::max(interval_.max_block_gas_used, static_cast<double>(used));
    interval_.base_fee_wei_sum += fee_wei;
    interval_.blocks_above_target += used > target ? 1 : 0;
    base_fee_wei_ = eip1559_next_base_fee_wei(base_fee_wei_, used, limit, elasticity, denominator);
    next_block_ = next_block_ + p.block_interval;
  }
  interval_.blocks = blocks;
  interval_.gas_limit = limit_gas * static_cast<double>(blocks);
}

}  // namespace gpumarket
