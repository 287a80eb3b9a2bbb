#include "gpumarket/core/unsigned_text.hpp"

#include <charconv>
#include <system_error>

namespace gpumarket {

UnsignedText parse_unsigned(std::string_view text, uint64_t& value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  // from_chars takes no sign for unsigned types, but would stop at the first non-digit.
  if (text.empty() || text.front() < '0' || text.front() > '9') return UnsignedText::NotAnInteger;
  uint64_t parsed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (end != text.data() + text.size()) return UnsignedText::NotAnInteger;
  if (error == std::errc::result_out_of_range) return UnsignedText::TooLarge;
  if (error != std::errc()) return UnsignedText::NotAnInteger;
  value = parsed;
  return UnsignedText::Ok;
}

}  // namespace gpumarket
