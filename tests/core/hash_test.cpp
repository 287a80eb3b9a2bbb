#include "gpumarket/core/hash.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gpumarket {
namespace {

// Reference values of the FNV-1a-64 test suite (Fowler, Noll, Vo).
static_assert(fnv1a("") == 0xcbf29ce484222325ULL);
static_assert(fnv1a("a") == 0xaf63dc4c8601ec8cULL);

TEST(Fnv1a, MatchesThePublishedVectors) {
  EXPECT_EQ(fnv1a(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a("foobar"), 0x85944171f73967e8ULL);
}

TEST(Fnv1a, EmptyInputIsTheOffsetBasis) { EXPECT_EQ(fnv1a(""), kFnv1aOffsetBasis); }

TEST(Fnv1a, ContinuesOverPieces) {
  EXPECT_EQ(fnv1a("bar", fnv1a("foo")), fnv1a("foobar"));
  EXPECT_EQ(fnv1a("", fnv1a("foobar")), fnv1a("foobar"));
}

TEST(Fnv1a, ReadsBytesAboveSevenBitsAsUnsigned) {
  // 0xff as an unsigned byte: (basis ^ 0xff) * prime, not a sign-extended value.
  const std::string byte(1, static_cast<char>(0xff));
  EXPECT_EQ(fnv1a(byte), (kFnv1aOffsetBasis ^ 0xffULL) * kFnv1aPrime);
}

TEST(Fnv1a, CountsEmbeddedZeroBytes) {
  const std::string with_zero("a\0b", 3);
  EXPECT_NE(fnv1a(with_zero), fnv1a("ab"));
}

}  // namespace
}  // namespace gpumarket
