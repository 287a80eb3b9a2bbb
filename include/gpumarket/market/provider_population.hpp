// The providers of one marketplace as struct-of-arrays: one contiguous Eigen column
// per attribute, so that the per-tick supply kernels are array expressions.
#pragma once

#include <Eigen/Core>
#include <span>

namespace gpumarket {

using ArrayXb = Eigen::Array<bool, Eigen::Dynamic, 1>;

/// The attributes a provider enters with.
struct ProviderAttributes {
  double capacity_pf = 0.0;             // > 0
  double energy_usd_per_pf_hour = 0.0;  // paid on work served
  double capex_usd_per_pf_hour = 0.0;   // capital recovery per PF·h of capacity, at index 1
  double ask_markup = 0.0;              // ask = cost × (1 + markup)
};

/// Column i of every array describes provider i. Kernels may change values in place;
/// only add() and remove_if() change the length, so all columns always have size().
struct ProviderPopulation {
  Eigen::ArrayXd capacity_pf;
  Eigen::ArrayXd energy_usd_per_pf_hour;
  Eigen::ArrayXd capex_usd_per_pf_hour;
  Eigen::ArrayXd ask_markup;
  /// Exponentially weighted margin, USD per PF·h of capacity (see docs/model.md).
  Eigen::ArrayXd rolling_margin_usd_per_pf_hour;
  /// Consecutive ticks with the rolling margin below the exit threshold. A whole number
  /// held as a double (exact below 2^53) so that its update vectorises with the margins.
  Eigen::ArrayXd negative_margin_ticks;
  /// The ask held in tokens per PF·h under token-denominated asks (NaN until anchored; unused
  /// under USD asks). See token_economy.hpp.
  Eigen::ArrayXd token_ask_tokens_per_pf_hour;
  /// Tokens earned and not yet paid (payment lag; 0 when paid at the tick).
  Eigen::ArrayXd unpaid_tokens;

  Eigen::Index size() const { return capacity_pf.size(); }
  bool empty() const { return size() == 0; }
  double total_capacity_pf() const { return capacity_pf.sum(); }

  /// Appends providers in order, each with the given rolling margin, no negative ticks,
  /// no token ask yet (NaN) and nothing unpaid. Reallocates the columns (once per call), so batch
  /// entrants into one call.
  void add(std::span<const ProviderAttributes> entrants, double initial_rolling_margin);
  void add(const ProviderAttributes& entrant, double initial_rolling_margin = 0.0);

  /// Removes the providers whose mask entry is true, keeping the others' order.
  /// `mask.size()` must equal size(). Returns how many were removed.
  Eigen::Index remove_if(const Eigen::Ref<const ArrayXb>& mask);
};

}  // namespace gpumarket
