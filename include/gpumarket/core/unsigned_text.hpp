// Whole numbers written as text (a YAML value, a command-line option, a path index): one
// rule everywhere, so that `--seed`, `seed:`, `--shard` and `[i]` accept and refuse alike.
#pragma once

#include <cstdint>
#include <string_view>

namespace gpumarket {

enum class UnsignedText {
  Ok,
  NotAnInteger,  // empty, signed (other than '+'), or anything but decimal digits
  TooLarge,      // 2^64 or more
};

/// Reads `text` as a decimal integer in [0, 2^64), an optional leading '+' allowed; sets
/// `value` only on Ok.
UnsignedText parse_unsigned(std::string_view text, uint64_t& value);

/// What parse_unsigned accepts, for messages: "a whole number from 0 to 2^64 − 1".
inline constexpr std::string_view kUnsignedExpected =
    "a whole number from 0 to 18446744073709551615";

}  // namespace gpumarket
