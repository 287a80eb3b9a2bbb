// Parameters of a chain's block-space market: blocks, the EIP-1559 base fee, the gas
// token's USD price, gas costs of the model's transactions and the exogenous background
// demand for gas. Plain structs; the equations are in docs/model.md, "Block space".
//
// Units: gas, wei (10⁻¹⁸ of the gas token) per gas, USD per gas token. Sources as in
// supply.hpp: docs/sources.md, "calibration §n", or ASSUMPTION.
#pragma once

#include <cstdint>
#include <string>

#include "gpumarket/core/time.hpp"
#include "gpumarket/scenario/supply.hpp"

namespace gpumarket {

/// Gas the chain's other users demand per block: a price-elastic demand curve whose
/// log-level follows a trend plus an Ornstein–Uhlenbeck deviation, multiplied during
/// congestion episodes.
struct BackgroundGasParams {
  /// Gas per block demanded at the reference base fee at time 0 (median of the level).
  /// ASSUMPTION: the chain's target (the default limit / E), so that without the model's
  /// own transactions the base fee stays near the reference.
  double level_gas_per_block = 30'000'000.0 / 6.0;
  /// The base fee at which `level_gas_per_block` is demanded, wei per gas. Derived from
  /// calibration §4/§11: $0.01 per layer-2 settlement at 65,000 gas and 3,000 USD per ETH
  /// gives 0.01 / (65,000 × 3,000 × 10⁻¹⁸) ≈ 5.1·10⁷ wei.
  double reference_base_fee_wei = 5.0e7;
  /// ε: gas demanded ∝ (base fee / reference)^−ε. ASSUMPTION (unit elasticity); without
  /// some elasticity EIP-1559 has no equilibrium under excess demand.
  double price_elasticity = 1.0;
  /// g: the level's median grows by exp(g·t), t in years. ASSUMPTION: no trend.
  double trend_per_year = 0.0;
  /// σ of the log-level's OU deviation, per √year. ASSUMPTION.
  double log_volatility = 2.0;
  /// θ of the OU deviation, per year; 0 makes the log-level a random walk (a GBM level).
  /// ASSUMPTION: 52/year (a week's time scale), stationary sd σ/√(2θ) ≈ 0.2.
  double mean_reversion_per_year = 52.0;
  /// Congestion episodes: Poisson arrivals per year (0: none), each lasting an exponential
  /// time of mean `congestion_mean_duration`, during which demand is multiplied by
  /// `congestion_multiplier`. ASSUMPTION (the article's L2 fee surge has no sourced rate).
  double congestion_per_year = 0.0;
  double congestion_multiplier = 3.0;
  Duration congestion_mean_duration = Duration::hours(6);
};

/// What the model's own transactions cost in gas.
struct GasCosts {
  /// A token-settled job's settlement: an ERC-20 transfer. calibration §4: 41,297–63,221
  /// gas on USDT, about 65,000 when the recipient's balance goes from zero.
  int64_t settlement_gas = 65'000;
  /// A bridge's message per job. ASSUMPTION: 100,000 (no source gives a figure).
  int64_t bridge_message_gas = 100'000;
  /// A Groth16 proof verification, for bridges that prove (BridgeParams::proves). Derived from
  /// calibration §4 (EIP-1108): pairing 34,000·4 + 45,000, the 21,000 intrinsic cost and
  /// a few ecMul/ecAdd ≈ 220,000.
  int64_t proof_verification_gas = 220'000;
};

/// One chain whose block space the model's settlements, bridge messages and proof
/// verifications use.
struct ChainParams {
  std::string name;
  /// ASSUMPTION: an OP Stack layer 2's 2 s blocks (Ethereum: 12 s slots, calibration §4).
  Duration block_interval = Duration::seconds(2);
  /// Gas limit per block. ASSUMPTION: Ethereum's former 30 M (calibration §4).
  int64_t gas_limit_per_block = 30'000'000;
  /// E: target = limit // E. calibration §4: 6 on OP Stack chains (Ethereum 2).
  int64_t elasticity_multiplier = 6;
  /// D: at most a 1/D change per block. calibration §4: 250 on OP Stack after Canyon
  /// (Ethereum 8).
  int64_t max_change_denominator = 250;
  /// Base fee of the first block, wei per gas. ASSUMPTION: the background's reference base
  /// fee, so that a run starts near its equilibrium (EIP-1559's own fork value is 10⁹).
  int64_t initial_base_fee_wei = 50'000'000;
  /// Priority fee every transaction adds, wei per gas. ASSUMPTION: 10⁶ (0.001 gwei).
  int64_t priority_fee_wei = 1'000'000;
  /// The model's transactions bid a max fee of this multiple of the base fee when they are
  /// made (plus the priority fee) and wait while the base fee is above it. ethers.js
  /// getFeeData's default: maxFeePerGas = 2 × base fee + priority fee.
  double max_fee_multiplier = 2.0;
  /// The gas token's USD price (ETH): GBM with jumps as TokenParams. calibration §5/§11:
  /// σ = 0.65; drift μ = σ²/2 (§11's baseline log drift 0); jumps as §11's baseline;
  /// initial 3,000 USD is an ASSUMPTION.
  TokenParams gas_token = {3000.0, 0.5 * 0.65 * 0.65, 0.65, 12.0, 0.0, 0.12};
  GasCosts gas;
  BackgroundGasParams background;
};

}  // namespace gpumarket
