// FNV-1a, 64 bits: the stable digest behind seed derivation, sweep fingerprints and journal
// checksums. Its bits are fixed by its definition, so stored digests stay valid everywhere.
#pragma once

#include <cstdint>
#include <string_view>

namespace gpumarket {

inline constexpr uint64_t kFnv1aOffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnv1aPrime = 0x100000001b3ULL;

/// FNV-1a-64 of `bytes`. To digest data in pieces, pass the digest so far as `hash`:
/// fnv1a("bar", fnv1a("foo")) == fnv1a("foobar").
constexpr uint64_t fnv1a(std::string_view bytes, uint64_t hash = kFnv1aOffsetBasis) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnv1aPrime;
  }
  return hash;
}

}  // namespace gpumarket
