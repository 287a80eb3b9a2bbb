// A small YAML document model in which every key and value remembers the file, line and
// column it came from, so that errors stay located after `extends` merges and `--set` overrides.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gpumarket/core/error.hpp"

namespace gpumarket {

struct ConfigEntry;

/// One node of a configuration document: null, a scalar (kept as its text, typed only when
/// decoded), an ordered mapping or a sequence.
struct ConfigNode {
  enum class Kind { Null, Scalar, Map, Sequence };

  Kind kind = Kind::Null;
  std::string scalar;                // Kind::Scalar: the text as written, without quotes
  std::vector<ConfigEntry> entries;  // Kind::Map: in document order, keys unique
  std::vector<ConfigNode> items;     // Kind::Sequence
  SourceLocation location;           // where the value starts

  static ConfigNode make_scalar(std::string text, SourceLocation where = {});
  static ConfigNode make_map(SourceLocation where = {});
  static ConfigNode make_sequence(SourceLocation where = {});

  bool is_null() const { return kind == Kind::Null; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_map() const { return kind == Kind::Map; }
  bool is_sequence() const { return kind == Kind::Sequence; }

  /// The entry with this key of a mapping, or nullptr (also when this is not a mapping).
  const ConfigEntry* find_entry(std::string_view key) const;
  ConfigEntry* find_entry(std::string_view key);
  /// The value of `key` in a mapping, or nullptr.
  const ConfigNode* find(std::string_view key) const;
  ConfigNode* find(std::string_view key);
  /// Appends an entry to a mapping; the key must not be present yet.
  ConfigNode& add(std::string key, ConfigNode value, SourceLocation key_location = {});
  /// Removes `key` from a mapping; returns whether it was present.
  bool remove(std::string_view key);

  /// For messages: "a mapping", "a sequence", "a scalar" or "an empty value".
  std::string_view kind_description() const;
};

/// A key of a mapping, where it was written, and its value.
struct ConfigEntry {
  std::string key;
  SourceLocation key_location;
  ConfigNode value;
};

/// Whether two trees have the same kinds, scalars, keys (in order) and items; locations ignored.
bool same_content(const ConfigNode& a, const ConfigNode& b);

/// Limits on what a configuration document may be, so that no input exhausts the stack or
/// memory: shipped scenarios are ~15 KB, 6 levels deep, ~1,500 values and 2 files long.
inline constexpr uint64_t kMaxConfigFileBytes = 16ull << 20;  // one file: 16 MiB
inline constexpr size_t kMaxConfigDepth = 64;                 // nested mappings and sequences
/// Values of one document after its YAML aliases are expanded: an alias is copied where it is
/// used, so aliases of aliases multiply (a 2 KB "billion laughs" would be 10^9 values).
inline constexpr size_t kMaxConfigValues = 1'000'000;
inline constexpr size_t kMaxExtendsDepth = 64;  // files in one `extends` chain

/// The bytes of a file. Throws Error("path: cannot read the <kind>: <reason>"), also
/// for a path that is not a regular file (a FIFO, a device, a directory: reading one could
/// block or never end) and for a file larger than kMaxConfigFileBytes.
std::string read_config_text(const std::string& path, std::string_view kind = "scenario file");

/// Parses YAML text that must hold one mapping; `path` names the text in locations.
/// Throws Error on a YAML syntax error, an empty document, more than one document, a top
/// level that is not a mapping, a key that is not a scalar, a key given twice in one mapping,
/// nesting deeper than kMaxConfigDepth, or more than kMaxConfigValues values.
ConfigNode parse_config_text(std::string_view text, const std::string& path);

/// read_config_text + parse_config_text. `extends` is not resolved.
ConfigNode parse_config_file(const std::string& path);

/// Resolves a top-level `extends: <file>` (relative to `path`'s directory) recursively: the
/// parent is loaded and resolved first, then `root` is merged over it with merge_config, and the
/// `extends` key is removed. Throws Error at the `extends` value for a missing or unreadable
/// parent, for a cycle (the message lists the chain of files) and for a chain longer than
/// kMaxExtendsDepth files.
ConfigNode resolve_extends(ConfigNode root, const std::string& path);

/// Puts the bytes of the parent file `path` (as resolve_extends spells it: joined to the
/// child's directory and normalised) into `text`; returns "" on success, otherwise why not.
using ParentReader = std::function<std::string(const std::string& path, std::string& text)>;

/// resolve_extends with the parents' bytes from `read_parent` instead of the file system, for
/// parents that live in memory (the fuzz targets); errors are the same.
ConfigNode resolve_extends(ConfigNode root, const std::string& path,
                           const ParentReader& read_parent);

/// parse_config_file + resolve_extends.
ConfigNode load_config_file(const std::string& path);

/// Deep-merges `overlay` into `base`: mappings merge key by key (new keys are appended);
/// sequences whose items are all mappings with a scalar `name` merge item by item by name
/// (new names are appended in order); any other value of `overlay` replaces the one in `base`.
/// Merged nodes keep the locations of the file each value came from.
void merge_config(ConfigNode& base, const ConfigNode& overlay);

/// Applies a command-line assignment "<path>=<value>", e.g. "segments.jobs.width_pf=2",
/// "segments[0].width_pf=2" or "venues.farm.servers=4". Path steps are separated by '.';
/// a step into a sequence names an item by its `name` or by its index (`[i]` or a plain number).
/// The value is parsed as YAML (a scalar or a flow node such as `[1, 2]`). Every node of the
/// value is located at SourceLocation{"--set <assignment>"}. Every step but the last must exist;
/// the last may add a new key to an existing mapping. Throws Error naming the assignment for a
/// malformed assignment, a missing step or a value that is not valid YAML.
void apply_override(ConfigNode& root, std::string_view assignment);

/// The node at `path` (apply_override's path syntax), or nullptr when a step does not exist.
/// Throws Error for malformed path syntax (an empty step, an unclosed or non-numeric `[...]`).
const ConfigNode* find_path(const ConfigNode& root, std::string_view path);

/// The tree as block-style YAML text, ending with a newline. Scalars are written plain when
/// they read back as the same text, and double-quoted otherwise; null is written as `~`.
/// parse_config_text(to_yaml(x)) has the same content as x.
std::string to_yaml(const ConfigNode& root);

}  // namespace gpumarket
