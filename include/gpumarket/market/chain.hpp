// A chain's block-space market at run time: blocks at a fixed interval, each using
// min(limit, demand) gas of the background's price-elastic demand plus the model's own
// transactions, and the EIP-1559 base fee that follows from it. docs/model.md, "Block space".
#pragma once

#include <cstdint>

#include "gpumarket/core/random.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/scenario/chain.hpp"

namespace gpumarket {

/// A chain index meaning "no chain": the fixed routing.settlement_tx_usd applies.
inline constexpr uint32_t kNoChain = UINT32_MAX;

/// Wei per unit of the gas token.
inline constexpr double kWeiPerToken = 1e18;

/// The EIP-1559 base fee of the next block, exactly as the specification computes it in
/// integers (floor divisions in its order, a rise of at least 1 wei above target, no
/// minimum fall), with target = gas_limit // elasticity. The product base_fee × |used −
/// target| is taken in 128 bits; a result above 2⁶⁴ − 1 wei saturates there (18 gas tokens
/// per gas, far beyond any fee the model reaches). Preconditions: elasticity ≥ 1,
/// denominator ≥ 1, gas_limit ≥ elasticity, gas_used ≤ gas_limit.
uint64_t eip1559_next_base_fee_wei(uint64_t base_fee_wei, uint64_t gas_used, uint64_t gas_limit,
                                   uint64_t elasticity, uint64_t denominator);

/// Gas the background demands in one block at `base_fee_wei`:
///   level × multiplier × (base_fee / reference)^−ε.
double background_gas_demand(double level_gas_per_block, double multiplier, double base_fee_wei,
                             const BackgroundGasParams& params);

/// What the blocks of one interval did (between two calls of Chain::advance_to).
struct ChainInterval {
  int64_t blocks = 0;
  double gas_used = 0;             // Σ over the blocks
  double gas_limit = 0;            // Σ of the blocks' limits
  double background_gas_used = 0;  // the background's part of gas_used
  double model_gas_used = 0;       // the model's part of gas_used
  double max_block_gas_used = 0;   // the fullest block
  double base_fee_wei_sum = 0;     // Σ of the blocks' base fees (for means)
  int64_t blocks_above_target = 0;
  int64_t model_transactions = 0;  // recorded with add_transaction since the last advance
};

class Chain {
 public:
  /// The chain with its first block one interval after time 0. Its background level,
  /// congestion episodes and gas token draw from their own streams
  /// "chain/<name>/background", "chain/<name>/congestion" and "chain/<name>/gas_token".
  Chain(const ChainParams& params, uint64_t seed);

  const ChainParams& params() const { return *params_; }
  /// A timeline step's parameters; the base fee, level and episodes carry on.
  void set_params(const ChainParams& params) { params_ = &params; }

  /// One of the model's transactions of `gas`, made now: it joins the demand of the blocks
  /// up to the next advance_to, spread evenly over them.
  void add_transaction(int64_t gas) {
    pending_model_gas_ += static_cast<double>(gas);
    ++pending_transactions_;
  }

  /// Produces every block whose time is in (previous advance, now]: the background level and
  /// the gas token take one step for the interval, then block by block the demand, the gas
  /// used and the next base fee. The model's gas a full block cannot take, or whose max fee
  /// (max_fee_multiplier × the base fee at the previous advance) the base fee exceeds, waits
  /// for a later block. No allocation.
  void advance_to(SimTime now);

  /// The interval the last advance_to produced.
  const ChainInterval& last_interval() const { return interval_; }

  uint64_t base_fee_wei() const { return base_fee_wei_; }
  double gas_token_usd() const { return gas_token_usd_; }
  /// USD that a transaction of `gas` pays now: (base fee + priority fee) × gas × token price.
  double fee_usd(int64_t gas) const;
  /// The model's gas waiting for block space.
  double backlog_gas() const { return backlog_model_gas_; }

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(background_rng_, congestion_rng_, gas_token_rng_, base_fee_wei_, gas_token_usd_,
            log_deviation_, next_block_, last_advance_, episode_rate_per_year_, next_episode_h_,
            congested_until_h_, pending_model_gas_, pending_transactions_, backlog_model_gas_,
            interval_);
  }

 private:
  const ChainParams* params_;
  RandomEngine background_rng_;
  RandomEngine congestion_rng_;
  RandomEngine gas_token_rng_;
  uint64_t base_fee_wei_;
  double gas_token_usd_;
  double log_deviation_ = 0;  // the OU deviation of the background's log-level
  SimTime next_block_;
  SimTime last_advance_;
  double episode_rate_per_year_;  // the rate next_episode_h_ was drawn at
  double next_episode_h_;         // next congestion episode's start, hours (infinite: none)
  double congested_until_h_ = 0;  // end of the episodes begun so far, hours
  double pending_model_gas_ = 0;
  int64_t pending_transactions_ = 0;
  double backlog_model_gas_ = 0;
  ChainInterval interval_;
};

}  // namespace gpumarket
