// Sample quantiles: the one definition that ensemble bands and bootstrap intervals share.
#pragma once

#include <span>

namespace gpumarket {

/// The p-quantile of `sorted` (ascending, not empty, no NaN) by Hyndman and Fan's definition 7,
/// numpy's default: linear between the order statistics at h = (n - 1) p.
double type7_quantile(std::span<const double> sorted, double p);

}  // namespace gpumarket
