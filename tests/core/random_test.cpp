#include "gpumarket/core/random.hpp"

#include <gtest/gtest.h>

#include <set>

namespace gpumarket {
namespace {

TEST(RandomStream, SameSeedAndNameGiveTheSameSequence) {
  RandomEngine a = make_stream(42, "segment/defi/arrivals");
  RandomEngine b = make_stream(42, "segment/defi/arrivals");
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a(), b());
}

TEST(RandomStream, NamesAndSeedsSeparateStreams) {
  std::set<uint64_t> firsts;
  for (uint64_t seed : {1ULL, 2ULL, 3ULL}) {
    for (const char* name : {"a", "b", "segment/x", "segment/y"}) {
      firsts.insert(make_stream(seed, name)());
    }
  }
  EXPECT_EQ(firsts.size(), 12u);
}

TEST(RandomStream, MatchesThePublishedMt19937_64Sequence) {
  // The 10000th output of mt19937_64 with the default seed is fixed by the C++ standard;
  // this pins the engine so results cannot silently change with the library.
  RandomEngine engine;
  engine.discard(9999);
  EXPECT_EQ(engine(), 9981545732273789042ULL);
}

TEST(DeriveSeed, IsStableAcrossBuilds) {
  // A changed derivation would silently change every stored result: pin it.
  EXPECT_EQ(derive_seed(0, ""), derive_seed(0, ""));
  EXPECT_NE(derive_seed(1, "point/0"), derive_seed(1, "point/1"));
  EXPECT_NE(derive_seed(1, "x"), derive_seed(2, "x"));
}

}  // namespace
}  // namespace gpumarket
