// Shapley attribution of a difference to groups of inputs: the value of each group is its
// marginal contribution averaged over every order in which the groups can be switched on,
// exactly (every subset) or estimated from a sample of orders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace gpumarket {

/// The largest number of groups attributed exactly (2^k evaluations of v).
inline constexpr size_t kMaxShapleyGroups = 16;
/// The largest number of groups a sampled attribution takes: a subset is a 32-bit mask.
inline constexpr size_t kMaxSampledShapleyGroups = 31;

/// Exact Shapley values of the k groups of the game `v`, which gives the outcome with the
/// groups of `mask` switched on (bit g for group g; v(0) the start, v(2^k − 1) the end):
///   φ_g = Σ_{S ⊆ G∖{g}} |S|! (k − |S| − 1)! / k! · (v(S ∪ {g}) − v(S)).
/// They add up to v(2^k − 1) − v(0). `v` is called once per subset. Requires 1 ≤ k ≤
/// kMaxShapleyGroups.
std::vector<double> shapley_values(size_t k, const std::function<double(uint32_t)>& v);

/// An order in which the groups 0..k−1 are switched on.
using Permutation = std::vector<uint8_t>;

/// `count` orders of k groups, each uniform over the k! orders and independent, drawn from
/// the stream `stream` of `seed` (Fisher–Yates with boost's uniform_int_distribution, whose
/// bits are fixed across platforms): the same arguments give the same orders. Requires
/// 1 ≤ k ≤ kMaxSampledShapleyGroups.
std::vector<Permutation> sample_permutations(size_t k, size_t count, uint64_t seed,
                                             std::string_view stream);

/// The subsets that walking each order visits (the empty set, then each order's prefixes;
/// the last is every group), distinct and sorted: the only values sampled_shapley_values
/// asks `v` for. At most count · (k − 1) + 2 of them.
std::vector<uint32_t> visited_subsets(size_t k, const std::vector<Permutation>& orders);

/// For each order p and group g, the marginal contribution v(S ∪ {g}) − v(S) of g when it is
/// switched on after the groups S before it in p: [p][g]. Each order's marginals add up to
/// v(2^k − 1) − v(0).
std::vector<std::vector<double>> permutation_marginals(size_t k,
                                                       const std::vector<Permutation>& orders,
                                                       const std::function<double(uint32_t)>& v);

/// The Shapley values estimated from the orders (Castro, Gómez & Tejada 2009, "Polynomial
/// calculation of the Shapley value based on sampling"): each group's marginal
/// contributions averaged over the orders. Unbiased for uniform orders; they add up to
/// v(2^k − 1) − v(0) (up to rounding) whatever the orders, since each order's marginals do.
std::vector<double> sampled_shapley_values(size_t k, const std::vector<Permutation>& orders,
                                           const std::function<double(uint32_t)>& v);

}  // namespace gpumarket
