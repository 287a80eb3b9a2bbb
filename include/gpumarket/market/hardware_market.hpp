// The GPU hardware market in levels (docs/model.md, "Hardware markets"): one price index per
// segment (data-centre, consumer, ...), each the secular trend times a scarcity factor of
// demand over a supply that follows demand with a lag. Providers and the pool pay the index
// of their segment; the pool's purchases add to the demand of the segments they reach.
#pragma once

#include <span>
#include <vector>

#include "gpumarket/scenario/supply.hpp"

namespace gpumarket {

/// One segment between ticks: trend T, supply S and demand D (PF/year), and the index.
struct HardwareSegmentState {
  double trend = 1.0;
  double supply_pf_per_year = 0.0;
  double demand_pf_per_year = 0.0;
  double index = 1.0;
};

/// I = T · (D / S)^(1/ε): the price at which supply S meets demand D with elasticity ε.
double hardware_index_level(double trend, double demand_pf_per_year, double supply_pf_per_year,
                            double supply_elasticity);

/// One step of length dt (years): T' = T · (1 − decline)^dt; D = world + pool_share · P;
/// S' = D + (S − D) · exp(−dt / τ), the exact solution of dS/dt = (D − S) / τ over the step
/// with D held; I' = T' · (D / S')^(1/ε). P is the pool's purchase rate, PF/year.
void hardware_segment_step(HardwareSegmentState& state, const HardwareSegmentParams& params,
                           double pool_purchase_pf_per_year, double dt_years);

/// Every segment of the market, in the order of HardwareMarketParams::segments.
class HardwareMarket {
 public:
  /// Time 0: T = initial, S = D = world demand, so I = T.
  explicit HardwareMarket(const HardwareMarketParams& params);

  /// Moves every segment by dt (years) under `params` (the parameters in force; same segments).
  void step(const HardwareMarketParams& params, double pool_purchase_pf_per_year, double dt_years);

  /// A sanctions shock: segment `s` loses `share` of its supply, and its index moves at once.
  void cut_supply(const HardwareMarketParams& params, size_t s, double share);

  /// The index of each segment, contiguous.
  std::span<const double> indices() const { return indices_; }
  const std::vector<HardwareSegmentState>& segments() const { return segments_; }

  /// Saves or loads the state a continued run needs (core/state_archive.hpp); the parameters
  /// it points to are the scenario's, set again by the model.
  template <class Archive>
  void serialize(Archive& archive) {
    archive(segments_, indices_);
  }

 private:
  std::vector<HardwareSegmentState> segments_;
  std::vector<double> indices_;
};

}  // namespace gpumarket
