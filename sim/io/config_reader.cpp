#include "gpumarket/io/config_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <exception>
#include <limits>
#include <type_traits>
#include <utility>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/unsigned_text.hpp"

namespace gpumarket {
namespace {

constexpr size_t kMaxSuggestionDistance = 2;

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

// A YAML number: decimal or exponent notation with an optional sign, or YAML's .inf / .nan
// spellings. Non-finite values are returned so that callers can say why they are rejected.
std::optional<double> parse_number(std::string_view text) {
  std::string_view body = text;
  bool negative = false;
  if (!body.empty() && (body.front() == '+' || body.front() == '-')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (body == ".nan" || body == ".NaN" || body == ".NAN") {
    return std::numeric_limits<double>::quiet_NaN();
  }
  // from_chars also reads "inf" and "nan", which YAML does not treat as numbers.
  if (body.empty() ||
      !(std::isdigit(static_cast<unsigned char>(body.front())) != 0 || body.front() == '.')) {
    return std::nullopt;
  }
  double value = 0;
  const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ptr != body.data() + body.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    value = std::numeric_limits<double>::infinity();
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

// What was written, for the end of a message: numbers as written, other scalars quoted.
std::string got(const ConfigNode& node) {
  if (!node.is_scalar()) return std::string(node.kind_description());
  if (parse_number(node.scalar)) return node.scalar;
  return "'" + node.scalar + "'";
}

[[noreturn]] void fail_value(const ConfigNode& node, std::string_view path,
                             std::string_view expected, std::string_view extra = {}) {
  std::string message = std::string(path) + ": expected " + std::string(expected) + ", got " +
                        got(node) + std::string(extra);
  throw Error(node.location, message);
}

std::string qualified(Check check, std::string_view noun) {
  switch (check) {
    case Check::Positive:
      return "a positive " + std::string(noun);
    case Check::NonNegative:
      return "a non-negative " + std::string(noun);
    case Check::Any:
      break;
  }
  return (noun.front() == 'i' ? "an " : "a ") + std::string(noun);
}

template <typename T>
bool passes(Check check, T value) {
  switch (check) {
    case Check::Positive:
      return value > T{};
    case Check::NonNegative:
      return value >= T{};
    case Check::Any:
      break;
  }
  return true;
}

const std::string* nearest(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  size_t best_distance = kMaxSuggestionDistance + 1;
  for (const std::string& candidate : candidates) {
    const size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = &candidate;
      best_distance = distance;
    }
  }
  return best;
}

// The value of a key as `read` reads it at the key's path, or `absent` when the key is not
// there (a required key's placeholder, or an optional key's fallback).
template <typename T, typename... Extra>
T read_or(const MapReader& r, const ConfigNode* value, std::string_view key,
          std::type_identity_t<T> absent, T (*read)(const ConfigNode&, std::string_view, Extra...),
          std::type_identity_t<Extra>... extra) {
  return value == nullptr ? absent : read(*value, r.key_path(key), extra...);
}

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1);
  std::vector<size_t> current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// ---------------------------------------------------------------------------------------------
// Values.

double read_number(const ConfigNode& node, std::string_view path, Check check) {
  const std::string expected = qualified(check, "number");
  if (!node.is_scalar()) fail_value(node, path, expected);
  const std::optional<double> value = parse_number(node.scalar);
  if (!value) fail_value(node, path, expected);
  if (!std::isfinite(*value)) fail_value(node, path, "a finite number");
  if (!passes(check, *value)) fail_value(node, path, expected);
  return *value;
}

int64_t read_integer(const ConfigNode& node, std::string_view path, Check check) {
  const std::string expected = qualified(check, "integer");
  if (!node.is_scalar()) fail_value(node, path, expected);
  std::string_view text = node.scalar;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ptr != text.data() + text.size() || text.empty()) fail_value(node, path, expected);
  if (ec == std::errc::result_out_of_range)
    fail_value(node, path, "an integer that fits in 64 bits");
  if (ec != std::errc()) fail_value(node, path, expected);
  if (!passes(check, value)) fail_value(node, path, expected);
  return value;
}

uint64_t read_unsigned(const ConfigNode& node, std::string_view path) {
  constexpr std::string_view kExpected = "a non-negative integer";
  if (!node.is_scalar()) fail_value(node, path, kExpected);
  uint64_t value = 0;
  switch (parse_unsigned(node.scalar, value)) {
    case UnsignedText::Ok:
      return value;
    case UnsignedText::TooLarge:
      fail_value(node, path, "an integer below 2^64");
    case UnsignedText::NotAnInteger:
      break;
  }
  fail_value(node, path, kExpected);
}

double read_fraction(const ConfigNode& node, std::string_view path) {
  constexpr std::string_view kExpected = "a fraction between 0 and 1";
  if (!node.is_scalar()) fail_value(node, path, kExpected);
  const std::optional<double> value = parse_number(node.scalar);
  // Written as !(in range) so that NaN is rejected too.
  if (!value || !(*value >= 0.0 && *value <= 1.0)) fail_value(node, path, kExpected);
  return *value;
}

bool read_boolean(const ConfigNode& node, std::string_view path) {
  if (node.is_scalar()) {
    const std::string& t = node.scalar;
    if (t == "true" || t == "True" || t == "TRUE") return true;
    if (t == "false" || t == "False" || t == "FALSE") return false;
  }
  fail_value(node, path, "true or false");
}

std::string read_string(const ConfigNode& node, std::string_view path) {
  if (!node.is_scalar()) fail_value(node, path, "a string");
  return node.scalar;
}

std::string read_name(const ConfigNode& node, std::string_view path) {
  constexpr std::string_view kExpected = "a name made of letters, digits, '_' and '-'";
  if (!node.is_scalar() || node.scalar.empty()) fail_value(node, path, kExpected);
  for (char c : node.scalar) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) fail_value(node, path, kExpected);
  }
  return node.scalar;
}

Duration read_duration(const ConfigNode& node, std::string_view path, Check check,
                       Infinity infinity) {
  const bool allow_inf = infinity == Infinity::Allowed;
  const std::string examples =
      allow_inf ? "such as 15min, 6h or 30d, or inf" : "such as 15min, 6h or 30d";
  if (!node.is_scalar()) fail_value(node, path, "a duration " + examples);
  const std::string& text = node.scalar;
  if (allow_inf && (text == "inf" || text == "never" || text == ".inf")) {
    return Duration::infinite();
  }
  const std::optional<Duration> value = parse_duration(text);
  if (!value) fail_value(node, path, "a duration " + examples);
  if (!passes(check, value->count_micros())) fail_value(node, path, qualified(check, "duration"));
  return *value;
}

Date read_date(const ConfigNode& node, std::string_view path) {
  if (!node.is_scalar()) fail_value(node, path, "a date YYYY-MM-DD");
  const std::optional<Date> value = parse_date(node.scalar);
  if (!value) fail_value(node, path, "a date YYYY-MM-DD");
  return *value;
}

std::string read_enumeration(const ConfigNode& node, std::string_view path,
                             std::initializer_list<std::string_view> choices) {
  std::vector<std::string> names(choices.begin(), choices.end());
  const std::string expected = "one of " + join(names);
  if (!node.is_scalar()) fail_value(node, path, expected);
  for (const std::string& name : names) {
    if (name == node.scalar) return name;
  }
  if (const std::string* suggestion = nearest(node.scalar, names)) {
    fail_value(node, path, expected, "; did you mean '" + *suggestion + "'?");
  }
  fail_value(node, path, expected);
}

// ---------------------------------------------------------------------------------------------
// MapReader.

MapReader::MapReader(const ConfigNode& node, std::string path)
    : node_(&node), path_(std::move(path)) {
  if (!node.is_map()) {
    fail_value(node, path_.empty() ? std::string_view("the top level") : path_, "a mapping");
  }
}

MapReader::MapReader(MapReader&& other) noexcept
    : node_(other.node_),
      path_(std::move(other.path_)),
      allowed_(std::move(other.allowed_)),
      missing_(std::move(other.missing_)),
      finished_(other.finished_) {
  other.finished_ = true;  // a moved-from reader has nothing left to report
}

MapReader& MapReader::operator=(MapReader&& other) noexcept {
  node_ = other.node_;
  path_ = std::move(other.path_);
  allowed_ = std::move(other.allowed_);
  missing_ = std::move(other.missing_);
  finished_ = other.finished_;
  other.finished_ = true;
  return *this;
}

MapReader::~MapReader() {
  // Without finish(), unknown and missing keys would pass silently.
  GPUMARKET_CHECK_MSG(finished_ || std::uncaught_exceptions() > 0,
                      "a MapReader was destroyed without finish()");
}

std::string MapReader::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string MapReader::prefix() const { return path_.empty() ? std::string() : path_ + ": "; }

const SourceLocation& MapReader::location(std::string_view key) const {
  const ConfigNode* value = node_->find(key);
  return value == nullptr ? node_->location : value->location;
}

void MapReader::fail(std::string_view key, std::string_view message) const {
  throw Error(location(key), key_path(key) + ": " + std::string(message));
}

const ConfigNode* MapReader::lookup(std::string_view key) {
  if (std::find(allowed_.begin(), allowed_.end(), key) == allowed_.end()) {
    allowed_.emplace_back(key);
  }
  return node_->find(key);
}

const ConfigNode* MapReader::required(std::string_view key) {
  const ConfigNode* value = lookup(key);
  if (value == nullptr && !missing_) missing_ = std::string(key);
  return value;
}

void MapReader::throw_missing(std::string_view key) const {
  // A near-miss among the keys not asked about yet is most likely the misspelt key.
  for (const ConfigEntry& entry : node_->entries) {
    if (std::find(allowed_.begin(), allowed_.end(), entry.key) != allowed_.end()) continue;
    if (edit_distance(entry.key, key) <= kMaxSuggestionDistance) {
      throw Error(entry.key_location, prefix() + "unknown key '" + entry.key + "'; did you mean '" +
                                          std::string(key) + "'?");
    }
  }
  throw Error(node_->location, prefix() + "missing required key '" + std::string(key) + "'");
}

bool MapReader::has(std::string_view key) { return lookup(key) != nullptr; }

void MapReader::allow(std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) lookup(key);
}

const ConfigNode* MapReader::find(std::string_view key) { return lookup(key); }

double MapReader::number(std::string_view key, Check check) {
  return read_or(*this, required(key), key, 1.0, read_number, check);
}

double MapReader::optional_number(std::string_view key, double fallback, Check check) {
  return read_or(*this, lookup(key), key, fallback, read_number, check);
}

int64_t MapReader::integer(std::string_view key, Check check) {
  return read_or(*this, required(key), key, 1, read_integer, check);
}

int64_t MapReader::optional_integer(std::string_view key, int64_t fallback, Check check) {
  return read_or(*this, lookup(key), key, fallback, read_integer, check);
}

uint64_t MapReader::optional_unsigned(std::string_view key, uint64_t fallback) {
  return read_or(*this, lookup(key), key, fallback, read_unsigned);
}

double MapReader::fraction(std::string_view key) {
  return read_or(*this, required(key), key, 0.0, read_fraction);
}

double MapReader::optional_fraction(std::string_view key, double fallback) {
  return read_or(*this, lookup(key), key, fallback, read_fraction);
}

bool MapReader::boolean(std::string_view key) {
  return read_or(*this, required(key), key, false, read_boolean);
}

bool MapReader::optional_boolean(std::string_view key, bool fallback) {
  return read_or(*this, lookup(key), key, fallback, read_boolean);
}

std::string MapReader::string(std::string_view key) {
  return read_or(*this, required(key), key, std::string(), read_string);
}

std::string MapReader::optional_string(std::string_view key, std::string fallback) {
  return read_or(*this, lookup(key), key, std::move(fallback), read_string);
}

std::string MapReader::name(std::string_view key) {
  return read_or(*this, required(key), key, std::string(), read_name);
}

Duration MapReader::duration(std::string_view key, Check check, Infinity infinity) {
  return read_or(*this, required(key), key, Duration::hours(1), read_duration, check, infinity);
}

Duration MapReader::optional_duration(std::string_view key, Duration fallback, Check check,
                                      Infinity infinity) {
  return read_or(*this, lookup(key), key, fallback, read_duration, check, infinity);
}

Date MapReader::date(std::string_view key) {
  return read_or(*this, required(key), key, Date(), read_date);
}

std::string MapReader::enumeration(std::string_view key,
                                   std::initializer_list<std::string_view> choices) {
  return read_or(*this, required(key), key, std::string(*choices.begin()), read_enumeration,
                 choices);
}

std::string MapReader::optional_enumeration(std::string_view key, std::string fallback,
                                            std::initializer_list<std::string_view> choices) {
  return read_or(*this, lookup(key), key, std::move(fallback), read_enumeration, choices);
}

MapReader MapReader::map(std::string_view key) {
  const ConfigNode* value = lookup(key);
  if (value == nullptr) throw_missing(key);
  return MapReader(*value, key_path(key));
}

std::optional<MapReader> MapReader::optional_map(std::string_view key) {
  const ConfigNode* value = lookup(key);
  if (value == nullptr) return std::nullopt;
  return MapReader(*value, key_path(key));
}

SequenceReader MapReader::sequence(std::string_view key, Length length) {
  const ConfigNode* value = lookup(key);
  if (value == nullptr) throw_missing(key);
  SequenceReader reader(*value, key_path(key));
  if (length == Length::NonEmpty && reader.empty()) {
    throw Error(value->location,
                key_path(key) + ": expected a non-empty sequence, got an empty one");
  }
  return reader;
}

SequenceReader MapReader::optional_sequence(std::string_view key) {
  const ConfigNode* value = lookup(key);
  if (value == nullptr) return SequenceReader(key_path(key), node_->location);
  return SequenceReader(*value, key_path(key));
}

void MapReader::finish() {
  finished_ = true;
  for (const ConfigEntry& entry : node_->entries) {
    if (std::find(allowed_.begin(), allowed_.end(), entry.key) != allowed_.end()) continue;
    std::string message = prefix() + "unknown key '" + entry.key + "'";
    if (const std::string* suggestion = nearest(entry.key, allowed_)) {
      message += "; did you mean '" + *suggestion + "'?";
    }
    throw Error(entry.key_location, message + " (allowed: " + join(allowed_) + ")");
  }
  if (missing_) {
    throw Error(node_->location, prefix() + "missing required key '" + *missing_ + "'");
  }
}

// ---------------------------------------------------------------------------------------------
// SequenceReader.

SequenceReader::SequenceReader(std::string path, SourceLocation where)
    : path_(std::move(path)), location_(std::move(where)) {}

SequenceReader::SequenceReader(const ConfigNode& node, std::string path)
    : node_(&node), path_(std::move(path)), location_(node.location) {
  if (!node.is_sequence()) fail_value(node, path_, "a sequence");
}

std::string SequenceReader::item_path(size_t i) const {
  return path_ + "[" + std::to_string(i) + "]";
}

MapReader SequenceReader::map(size_t i) const { return MapReader(item(i), item_path(i)); }

std::vector<MapReader> SequenceReader::maps() const {
  std::vector<MapReader> readers;
  readers.reserve(size());
  for (size_t i = 0; i < size(); ++i) readers.push_back(map(i));
  return readers;
}

}  // namespace gpumarket
