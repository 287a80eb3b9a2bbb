// Shapley attribution of a difference to groups of inputs: the value of each group is its
// marginal contribution averaged over every order in which the groups can be switched on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace gpumarket {

/// The largest number of groups attributed exactly (2^k evaluations of v).
inline constexpr size_t kMaxShapleyGroups = 16;

/// Exact Shapley values of the k groups of the game `v`, which gives the outcome with the
/// groups of `mask` switched on (bit g for group g; v(0) the start, v(2^k − 1) the end):
///   φ_g = Σ_{S ⊆ G∖{g}} |S|! (k − |S| − 1)! / k! · (v(S ∪ {g}) − v(S)).
/// They add up to v(2^k − 1) − v(0). `v` is called once per subset. Requires 1 ≤ k ≤
/// kMaxShapleyGroups.
std::vector<double> shapley_values(size_t k, const std::function<double(uint32_t)>& v);

}  // namespace gpumarket
