// Reproducible random streams: each stochastic process owns one, derived from the
// run's seed and a stable stream name, never from the clock, thread or rank.
#pragma once

#include <boost/random/mersenne_twister.hpp>
#include <cstdint>
#include <string_view>

namespace gpumarket {

/// Boost's mt19937_64: its algorithm (and so its bits) is fixed across platforms.
using RandomEngine = boost::random::mt19937_64;

/// Mixes a parent seed with a stable name into a child seed (FNV-1a of the name,
/// then SplitMix64 finalisation). Used for streams, sweep points and replications.
uint64_t derive_seed(uint64_t parent, std::string_view name);

/// A generator for the stream `name` (e.g. "segment/defi/arrivals") of a run seeded with `seed`.
RandomEngine make_stream(uint64_t seed, std::string_view name);

/// A uniform number in [0, 1) from the top 53 bits of one draw: the same on every platform
/// (Boost's uniform_01 and the standard distributions do not promise that).
double uniform01(RandomEngine& engine);

/// A uniform integer in [0, n), n > 0, by rejection: unbiased and platform-independent.
uint64_t uniform_below(RandomEngine& engine, uint64_t n);

}  // namespace gpumarket
