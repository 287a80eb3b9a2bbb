#include "gpumarket/core/random.hpp"

#include "gpumarket/core/hash.hpp"

namespace gpumarket {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t derive_seed(uint64_t parent, std::string_view name) {
  // Two rounds so that nearby parents with equal names land far apart.
  return splitmix64(splitmix64(parent) ^ fnv1a(name));
}

RandomEngine make_stream(uint64_t seed, std::string_view name) {
  return RandomEngine(derive_seed(seed, name));
}

double uniform01(RandomEngine& engine) { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }

uint64_t uniform_below(RandomEngine& engine, uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    const uint64_t x = engine();
    if (x < limit) return x % n;
  }
}

}  // namespace gpumarket
