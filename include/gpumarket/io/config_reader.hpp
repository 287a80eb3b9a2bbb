// Typed, located reading of ConfigNode trees: each decoder of a scenario section is a few
// calls on a MapReader, and every error is one sentence "file:line:col: key.path: expected ...".
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/io/config_tree.hpp"

namespace gpumarket {

/// A sign constraint on a number or duration.
enum class Check { Any, Positive, NonNegative };
/// Whether a duration may be `inf` / `never` (Duration::infinite()).
enum class Infinity { Rejected, Allowed };
/// Whether a sequence may be empty.
enum class Length { Any, NonEmpty };

// Reading one value. `path` names the value in messages ("segments[0].width_pf"); each function
// throws Error at node.location with "<path>: expected <what>, got <what was written>".

/// A finite number (YAML's .inf and .nan are rejected).
double read_number(const ConfigNode& node, std::string_view path, Check check = Check::Any);
/// A whole number written without a fraction or exponent ("2.5" is rejected).
int64_t read_integer(const ConfigNode& node, std::string_view path, Check check = Check::Any);
/// A whole number in [0, 2^64), e.g. a seed.
uint64_t read_unsigned(const ConfigNode& node, std::string_view path);
/// A number in [0, 1].
double read_fraction(const ConfigNode& node, std::string_view path);
/// true or false (also True/TRUE/False/FALSE).
bool read_boolean(const ConfigNode& node, std::string_view path);
/// Any scalar, as written.
std::string read_string(const ConfigNode& node, std::string_view path);
/// A non-empty name of letters, digits, '_' and '-': usable in --set paths and output columns.
std::string read_name(const ConfigNode& node, std::string_view path);
/// A duration such as "15min" or "6h" (core/calendar.hpp's parse_duration); with
/// Infinity::Allowed also "inf" or "never".
Duration read_duration(const ConfigNode& node, std::string_view path, Check check = Check::Positive,
                       Infinity infinity = Infinity::Rejected);
/// A date "YYYY-MM-DD".
Date read_date(const ConfigNode& node, std::string_view path);
/// One of `choices`, returned as written; suggests the nearest choice on a misspelling.
std::string read_enumeration(const ConfigNode& node, std::string_view path,
                             std::initializer_list<std::string_view> choices);

class SequenceReader;

/// Reads the keys of one mapping. Each key the decoder asks about (read, optional or has())
/// becomes allowed; finish() then rejects any other key, suggesting the nearest allowed one.
///
/// A missing required scalar key is reported by finish(), after unknown keys, so that a
/// misspelt key reads "unknown key 'sever'; did you mean 'servers'?" rather than "missing
/// required key 'servers'"; until then the getter returns a placeholder. So: read all keys,
/// call finish(), then validate across fields. A missing required map() or sequence() throws
/// at once. Destroying a reader without finish() (other than while an exception unwinds) is a
/// bug and aborts. The node must outlive the reader.
class MapReader {
 public:
  /// `path` is the mapping's key path, e.g. "segments[0]"; "" for the top level.
  /// Throws Error if `node` is not a mapping.
  MapReader(const ConfigNode& node, std::string path);
  MapReader(MapReader&& other) noexcept;
  MapReader& operator=(MapReader&& other) noexcept;
  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;
  ~MapReader();

  const std::string& path() const { return path_; }
  const ConfigNode& node() const { return *node_; }
  /// "<path>.<key>", or "<key>" at the top level.
  std::string key_path(std::string_view key) const;
  /// Where `key`'s value is written, or where the mapping is when the key is absent.
  const SourceLocation& location(std::string_view key) const;
  /// Throws Error(location(key), "<key_path>: <message>").
  [[noreturn]] void fail(std::string_view key, std::string_view message) const;

  /// Whether `key` is present (even with an empty value); allows the key.
  bool has(std::string_view key);
  /// Allows keys without reading them.
  void allow(std::initializer_list<std::string_view> keys);
  /// The raw value, or nullptr when absent; allows the key.
  const ConfigNode* find(std::string_view key);

  double number(std::string_view key, Check check = Check::Any);
  double optional_number(std::string_view key, double fallback, Check check = Check::Any);
  int64_t integer(std::string_view key, Check check = Check::Any);
  int64_t optional_integer(std::string_view key, int64_t fallback, Check check = Check::Any);
  uint64_t optional_unsigned(std::string_view key, uint64_t fallback);
  double fraction(std::string_view key);
  double optional_fraction(std::string_view key, double fallback);
  bool boolean(std::string_view key);
  bool optional_boolean(std::string_view key, bool fallback);
  std::string string(std::string_view key);
  std::string optional_string(std::string_view key, std::string fallback);
  std::string name(std::string_view key);
  Duration duration(std::string_view key, Check check = Check::Positive,
                    Infinity infinity = Infinity::Rejected);
  Duration optional_duration(std::string_view key, Duration fallback, Check check = Check::Positive,
                             Infinity infinity = Infinity::Rejected);
  Date date(std::string_view key);
  std::string enumeration(std::string_view key, std::initializer_list<std::string_view> choices);
  std::string optional_enumeration(std::string_view key, std::string fallback,
                                   std::initializer_list<std::string_view> choices);

  /// The mapping under `key`, read with path key_path(key). Throws at once when absent.
  MapReader map(std::string_view key);
  std::optional<MapReader> optional_map(std::string_view key);
  /// The sequence under `key`. Throws at once when absent, or empty with Length::NonEmpty.
  SequenceReader sequence(std::string_view key, Length length = Length::Any);
  /// The sequence under `key`, or an empty one when absent.
  SequenceReader optional_sequence(std::string_view key);

  /// Throws Error for the first key (in document order) that was never asked about:
  /// "<path>: unknown key 'sever'; did you mean 'servers'? (allowed: name, kind, servers)",
  /// located at that key; otherwise for the first missing required key:
  /// "<path>: missing required key 'servers'", located at the mapping.
  void finish();

 private:
  const ConfigNode* lookup(std::string_view key);
  // For a required scalar: the value, or nullptr after recording the key as missing.
  const ConfigNode* required(std::string_view key);
  [[noreturn]] void throw_missing(std::string_view key) const;
  std::string prefix() const;

  const ConfigNode* node_;
  std::string path_;
  std::vector<std::string> allowed_;
  std::optional<std::string> missing_;
  bool finished_ = false;
};

/// Reads the items of one sequence, each with path "<path>[i]".
class SequenceReader {
 public:
  /// An empty sequence named `path`, located at `where`.
  SequenceReader(std::string path, SourceLocation where);
  /// Throws Error if `node` is not a sequence.
  SequenceReader(const ConfigNode& node, std::string path);

  size_t size() const { return node_ == nullptr ? 0 : node_->items.size(); }
  bool empty() const { return size() == 0; }
  const std::string& path() const { return path_; }
  /// "<path>[i]".
  std::string item_path(size_t i) const;
  const ConfigNode& item(size_t i) const { return node_->items.at(i); }
  const SourceLocation& location() const { return location_; }

  /// Item i as a mapping (its reader still needs finish()).
  MapReader map(size_t i) const;
  /// Every item as a mapping, in order.
  std::vector<MapReader> maps() const;

 private:
  const ConfigNode* node_ = nullptr;
  std::string path_;
  SourceLocation location_;
};

/// The number of single-character insertions, deletions and substitutions between a and b.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace gpumarket
