// Whole-number command-line options, read by the rule the scenario's integer keys follow
// (core/unsigned_text.hpp) instead of CLI11's, which takes "0x10" and " 5" and, for 64-bit
// targets, wraps "-1" to 2^64 − 1.
#pragma once

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "gpumarket/core/unsigned_text.hpp"

namespace gpumarket {

/// `text` as a whole number in [0, max] for option `name`; throws CLI::ValidationError (a
/// usage error, exit 2) that quotes the option and says what was expected.
inline uint64_t unsigned_option_value(const std::string& name, const std::string& text,
                                      uint64_t max = std::numeric_limits<uint64_t>::max()) {
  const std::string expected = max == std::numeric_limits<uint64_t>::max()
                                   ? std::string(kUnsignedExpected)
                                   : fmt::format("a whole number from 0 to {}", max);
  uint64_t value = 0;
  const UnsignedText read = parse_unsigned(text, value);
  if (read == UnsignedText::Ok && value <= max) return value;
  throw CLI::ValidationError(
      name, fmt::format("'{}': expected {}{}", text, expected,
                        read == UnsignedText::NotAnInteger ? " (decimal digits only)"
                                                           : ", and this is larger"));
}

/// Adds option `name` that stores a whole number in `target`.
inline CLI::Option* add_unsigned_option(CLI::App* app, const std::string& name,
                                        std::optional<uint64_t>& target, const std::string& help) {
  return app
      ->add_option_function<std::string>(
          name,
          [&target, name](const std::string& text) { target = unsigned_option_value(name, text); },
          help)
      ->type_name("UINT");
}

inline CLI::Option* add_unsigned_option(CLI::App* app, const std::string& name, unsigned& target,
                                        const std::string& help) {
  return app
      ->add_option_function<std::string>(
          name,
          [&target, name](const std::string& text) {
            target = static_cast<unsigned>(
                unsigned_option_value(name, text, std::numeric_limits<unsigned>::max()));
          },
          help)
      ->type_name("UINT");
}

}  // namespace gpumarket
