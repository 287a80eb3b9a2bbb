#include "gpumarket/io/config_tree.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/interrupt.hpp"
#include "gpumarket/core/unsigned_text.hpp"
#include "yaml_documents.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Conversion from yaml-cpp.

SourceLocation location_of(const YAML::Mark& mark, const std::string& path) {
  if (mark.is_null() || mark.line < 0) return SourceLocation{path, 0, 0};
  return SourceLocation{path, mark.line + 1, mark.column + 1};
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string where_in(const std::string& key_path) {
  return key_path.empty() ? std::string("at the top level") : "in '" + key_path + "'";
}

// `fallback` is the location of the key that holds this value. yaml-cpp marks an empty value
// (`key:` followed by a newline) at the next token, often on a later line, so an empty value is
// located at its key instead.
// How much of the limits one document has used while it is converted.
struct ConversionBudget {
  size_t values = 0;
};

ConfigNode convert(const YAML::Node& yaml, const std::string& path, const std::string& key_path,
                   const SourceLocation& fallback, size_t depth, ConversionBudget& budget) {
  ConfigNode node;
  node.location = location_of(yaml.Mark(), path);
  if (depth > kMaxConfigDepth) {
    throw Error(node.location, "nesting deeper than " + std::to_string(kMaxConfigDepth) +
                                   " levels " + where_in(key_path) +
                                   "; a scenario needs a handful");
  }
  if (++budget.values > kMaxConfigValues) {
    throw Error(node.location,
                "the document expands to more than " + std::to_string(kMaxConfigValues) +
                    " values (at '" + key_path +
                    "'); YAML aliases (*name) are copied where they are used, so aliases of "
                    "aliases multiply the size");
  }
  switch (yaml.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      node.kind = ConfigNode::Kind::Null;
      if (fallback.line > 0 && (node.location.line == 0 || node.location.line != fallback.line)) {
        node.location = fallback;
      }
      return node;
    case YAML::NodeType::Scalar:
      node.kind = ConfigNode::Kind::Scalar;
      node.scalar = yaml.Scalar();
      return node;
    case YAML::NodeType::Sequence: {
      node.kind = ConfigNode::Kind::Sequence;
      size_t index = 0;
      for (const YAML::Node& item : yaml) {
        node.items.push_back(convert(item, path, key_path + "[" + std::to_string(index) + "]",
                                     node.location, depth + 1, budget));
        ++index;
      }
      return node;
    }
    case YAML::NodeType::Map:
      node.kind = ConfigNode::Kind::Map;
      for (auto it = yaml.begin(); it != yaml.end(); ++it) {
        const SourceLocation key_location = location_of(it->first.Mark(), path);
        if (!it->first.IsScalar()) {
          const std::string got = it->first.IsNull() ? "an empty key" : "a complex key";
          throw Error(key_location, "expected a plain key " + where_in(key_path) + ", got " + got);
        }
        const std::string& key = it->first.Scalar();
        if (const ConfigEntry* first = node.find_entry(key)) {
          throw Error(key_location, "duplicate key '" + key + "' " + where_in(key_path) +
                                        " (first given at line " +
                                        std::to_string(first->key_location.line) + ")");
        }
        node.add(
            key,
            convert(it->second, path, child_path(key_path, key), key_location, depth + 1, budget),
            key_location);
      }
      return node;
  }
  return node;
}

void relocate(ConfigNode& node, const SourceLocation& where) {
  node.location = where;
  for (ConfigEntry& entry : node.entries) {
    entry.key_location = where;
    relocate(entry.value, where);
  }
  for (ConfigNode& item : node.items) relocate(item, where);
}

// Reads a whole regular file into `text`; returns "" or why it could not. The type is checked
// before opening: opening a FIFO blocks until a writer comes, and /dev/zero never ends.
std::string read_file(const std::string& path, std::string& text) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec) return ec.message();
  if (!fs::is_regular_file(status)) {
    return fs::is_directory(status) ? "it is a directory"
                                    : "it is not a regular file (a FIFO, socket or device)";
  }
  struct Closer {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  errno = 0;
  std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
  if (!file) return std::strerror(errno == 0 ? EIO : errno);
  char buffer[65536];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    if (interrupt_signal() != 0) throw_if_interrupted("reading " + path);
    text.append(buffer, n);
    if (text.size() > kMaxConfigFileBytes) {
      return "it is larger than " + std::to_string(kMaxConfigFileBytes >> 20) +
             " MiB; a scenario is a few kilobytes";
    }
  }
  if (std::ferror(file.get()) != 0) return std::strerror(errno == 0 ? EIO : errno);
  return "";
}

// ---------------------------------------------------------------------------------------------
// `extends`.

struct ChainLink {
  fs::path identity;  // canonical when the file exists, so that two spellings compare equal
  std::string display;
};

fs::path identity_of(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::path(path), ec);
  if (ec) return fs::absolute(fs::path(path)).lexically_normal();
  return canonical;
}

ConfigNode resolve_chain(ConfigNode root, const std::string& path, std::vector<ChainLink>& chain,
                         const ParentReader& read_parent);

// The parent that `ref` (one path of an `extends`) names, relative to `path`, with its own
// `extends` resolved.
ConfigNode resolve_parent(const ConfigNode& ref, const std::string& path,
                          std::vector<ChainLink>& chain, const ParentReader& read_parent) {
  if (!ref.is_scalar() || ref.scalar.empty()) {
    throw Error(ref.location, "extends: expected the path of a parent scenario file, got " +
                                  std::string(ref.kind_description()));
  }
  const std::string parent_path =
      (fs::path(path).parent_path() / fs::path(ref.scalar)).lexically_normal().string();
  const fs::path parent_identity = identity_of(parent_path);
  for (size_t i = 0; i < chain.size(); ++i) {
    if (chain[i].identity != parent_identity) continue;
    std::string cycle;
    for (size_t j = i; j < chain.size(); ++j) cycle += chain[j].display + " -> ";
    cycle += parent_path;
    throw Error(ref.location, "extends: '" + ref.scalar + "' makes a cycle: " + cycle);
  }
  if (chain.size() >= kMaxExtendsDepth) {
    throw Error(ref.location, "extends: more than " + std::to_string(kMaxExtendsDepth) +
                                  " files in one chain (from " + chain.front().display + ")");
  }
  std::string text;
  if (const std::string reason = read_parent(parent_path, text); !reason.empty()) {
    throw Error(ref.location,
                "extends: cannot read the parent scenario file '" + parent_path + "': " + reason);
  }
  return resolve_chain(parse_config_text(text, parent_path), parent_path, chain, read_parent);
}

// `extends: parent.yaml` or `extends: [first.yaml, second.yaml, ...]`: the parents merged in
// order (a later one overrides an earlier one), then the file itself on top.
ConfigNode resolve_chain(ConfigNode root, const std::string& path, std::vector<ChainLink>& chain,
                         const ParentReader& read_parent) {
  ConfigEntry* extends = root.find_entry("extends");
  if (extends == nullptr) return root;
  ConfigNode refs = std::move(extends->value);
  if (refs.is_null()) refs.location = extends->key_location;
  root.remove("extends");
  if (refs.is_sequence() && refs.items.empty()) {
    throw Error(refs.location,
                "extends: expected the path of a parent scenario file or a list "
                "of them, got an empty list");
  }
  chain.push_back(ChainLink{identity_of(path), path});
  ConfigNode merged;
  if (refs.is_sequence()) {
    merged = resolve_parent(refs.items.front(), path, chain, read_parent);
    for (size_t i = 1; i < refs.items.size(); ++i) {
      merge_config(merged, resolve_parent(refs.items[i], path, chain, read_parent));
    }
  } else {
    merged = resolve_parent(refs, path, chain, read_parent);
  }
  chain.pop_back();
  merge_config(merged, root);
  return merged;
}

// ---------------------------------------------------------------------------------------------
// Merging.

bool is_named_item(const ConfigNode& item) {
  const ConfigNode* name = item.find("name");
  return name != nullptr && name->is_scalar();
}

bool is_named_list(const ConfigNode& node) {
  if (!node.is_sequence()) return false;
  for (const ConfigNode& item : node.items) {
    if (!is_named_item(item)) return false;
  }
  return true;
}

ConfigNode* find_named_item(ConfigNode& sequence, std::string_view name) {
  for (ConfigNode& item : sequence.items) {
    const ConfigNode* item_name = item.find("name");
    if (item_name != nullptr && item_name->is_scalar() && item_name->scalar == name) return &item;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Paths: "a.b[0].c", "venues.farm.servers".

struct PathStep {
  std::string key;  // a key, an item name or a plain number; empty for an `[i]` step
  std::optional<size_t> index;
  std::string display;  // the path up to and including this step, as written
};

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A map whose keys are themselves paths (a timeline step's `set`, `scale` and `add`) is reached
// by the rest of the path as one key: "timeline.late.set.venues.alliance.subsidy_rate" names the
// key "venues.alliance.subsidy_rate" of the step's `set`. The entry of `node` whose key is the
// path from step `i` on, or null.
template <class Node>  // ConfigNode or const ConfigNode
auto* entry_named_by_rest(Node& node, std::string_view path, const std::vector<PathStep>& steps,
                          size_t i) {
  using Entry = decltype(node.find_entry(path));
  if (!node.is_map() || steps[i].index) return Entry{nullptr};
  const size_t start = i == 0 ? 0 : steps[i - 1].display.size() + 1;
  return node.find_entry(path.substr(start));
}

std::vector<PathStep> parse_path(std::string_view path) {
  std::vector<PathStep> steps;
  auto malformed = [&](const std::string& why) {
    return Error("malformed path '" + std::string(path) + "': " + why);
  };
  size_t pos = 0;
  while (true) {
    size_t end = pos;
    while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
    if (end == pos) throw malformed("expected a key before position " + std::to_string(pos + 1));
    const std::string_view key = path.substr(pos, end - pos);
    if (key.find(']') != std::string_view::npos) throw malformed("unexpected ']'");
    // `--set path=value` splits at the first '=': a key holding one could not be set.
    if (key.find('=') != std::string_view::npos) {
      throw malformed("'=' cannot appear in a key of a path");
    }
    steps.push_back(PathStep{std::string(key), std::nullopt, std::string(path.substr(0, end))});
    pos = end;
    while (pos < path.size() && path[pos] == '[') {
      const size_t close = path.find(']', pos);
      if (close == std::string_view::npos) throw malformed("unclosed '['");
      const std::string_view digits = path.substr(pos + 1, close - pos - 1);
      uint64_t index = 0;
      if (!all_digits(digits) || parse_unsigned(digits, index) != UnsignedText::Ok) {
        throw malformed("expected an index in '[...]' (" + std::string(kUnsignedExpected) +
                        "), got '" + std::string(digits) + "'");
      }
      steps.push_back(PathStep{"", index, std::string(path.substr(0, close + 1))});
      pos = close + 1;
    }
    if (pos == path.size()) return steps;
    if (path[pos] != '.') throw malformed("expected '.' or '[' after ']'");
    ++pos;
    if (pos == path.size()) throw malformed("ends with '.'");
  }
}

std::string list_keys(const ConfigNode& map) {
  std::string out;
  for (const ConfigEntry& entry : map.entries) out += (out.empty() ? "" : ", ") + entry.key;
  return out.empty() ? "none" : out;
}

std::string list_item_names(const ConfigNode& sequence) {
  std::string out;
  for (const ConfigNode& item : sequence.items) {
    const ConfigNode* name = item.find("name");
    if (name == nullptr || !name->is_scalar()) {
      return std::to_string(sequence.items.size()) + " unnamed items";
    }
    out += (out.empty() ? "" : ", ") + name->scalar;
  }
  return out.empty() ? "none" : out;
}

// One step down from `node` (whose path so far is `parent`), or nullptr with the reason in `why`.
template <typename Node>
Node* step_into(Node& node, const PathStep& step, std::string_view parent, std::string& why) {
  const std::string name = "'" + std::string(parent) + "'";
  const std::string in = parent.empty() ? "at the top level" : "in " + name;
  if (node.is_map()) {
    if (step.index) {
      why = "cannot index " + name + " with [" + std::to_string(*step.index) +
            "]: it is a mapping (keys: " + list_keys(node) + ")";
      return nullptr;
    }
    Node* child = node.find(step.key);
    if (child == nullptr)
      why = "no key '" + step.key + "' " + in + " (keys: " + list_keys(node) + ")";
    return child;
  }
  if (node.is_sequence()) {
    if (!step.index) {
      for (auto& item : node.items) {
        const ConfigNode* item_name = item.find("name");
        if (item_name != nullptr && item_name->is_scalar() && item_name->scalar == step.key) {
          return &item;
        }
      }
    }
    uint64_t index = step.index.value_or(0);
    if (step.index ||
        (all_digits(step.key) && parse_unsigned(step.key, index) == UnsignedText::Ok)) {
      if (index < node.items.size()) return &node.items[index];
      why = "index " + std::to_string(index) + " is out of range for " + name + " (" +
            std::to_string(node.items.size()) + " items)";
      return nullptr;
    }
    why = "no item named '" + step.key + "' " + in + " (items: " + list_item_names(node) + ")";
    return nullptr;
  }
  why = "cannot look up '" +
        std::string(step.index ? "[" + std::to_string(*step.index) + "]" : step.key) + "' " + in +
        ": it is " + std::string(node.kind_description());
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Emitting YAML.

bool is_plain_safe(std::string_view text) {
  if (text.empty()) return false;
  if (text == "~" || text == "null" || text == "Null" || text == "NULL") return false;
  if (text.front() == ' ' || text.back() == ' ' || text.back() == ':') return false;
  static constexpr std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@`";
  if (kIndicators.find(text.front()) != std::string_view::npos) {
    // "-3" and "-.5" are plain numbers; anything else starting with an indicator is quoted.
    const bool negative_number =
        text.front() == '-' && text.size() > 1 &&
        (std::isdigit(static_cast<unsigned char>(text[1])) != 0 || text[1] == '.');
    if (!negative_number) return false;
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
    if (std::string_view("{}[],#&*!|>'\"%@`").find(c) != std::string_view::npos) return false;
  }
  return text.find(": ") == std::string_view::npos && text.find(" #") == std::string_view::npos;
}

std::string scalar_yaml(std::string_view text) {
  if (is_plain_safe(text)) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// An inline form for null, scalars and empty collections; nullopt for a block collection.
std::optional<std::string> inline_yaml(const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::Null:
      return std::string("~");
    case ConfigNode::Kind::Scalar:
      return scalar_yaml(node.scalar);
    case ConfigNode::Kind::Map:
      if (node.entries.empty()) return std::string("{}");
      return std::nullopt;
    case ConfigNode::Kind::Sequence:
      if (node.items.empty()) return std::string("[]");
      return std::nullopt;
  }
  return std::nullopt;
}

void emit_block(const ConfigNode& node, size_t indent, std::string& out);

// A sequence item: "- " followed by the item, whose block lines are indented by indent + 2.
void emit_item(const ConfigNode& item, size_t indent, std::string& out) {
  const std::string pad(indent, ' ');
  if (auto text = inline_yaml(item)) {
    out += pad + "- " + *text + "\n";
    return;
  }
  std::string block;
  emit_block(item, indent + 2, block);
  // The first line's indentation is replaced by the dash: "  - name: farm".
  out += pad + "- " + block.substr(indent + 2);
}

void emit_block(const ConfigNode& node, size_t indent, std::string& out) {
  const std::string pad(indent, ' ');
  if (node.is_map()) {
    for (const ConfigEntry& entry : node.entries) {
      out += pad + scalar_yaml(entry.key) + ":";
      if (auto text = inline_yaml(entry.value)) {
        out += " " + *text + "\n";
      } else {
        out += "\n";
        emit_block(entry.value, indent + 2, out);
      }
    }
  } else if (node.is_sequence()) {
    for (const ConfigNode& item : node.items) emit_item(item, indent, out);
  } else {
    out += pad + *inline_yaml(node) + "\n";
  }
}

}  // namespace

// -----------------------------------------------------------------------------------------------

ConfigNode ConfigNode::make_scalar(std::string text, SourceLocation where) {
  ConfigNode node;
  node.kind = Kind::Scalar;
  node.scalar = std::move(text);
  node.location = std::move(where);
  return node;
}

ConfigNode ConfigNode::make_map(SourceLocation where) {
  ConfigNode node;
  node.kind = Kind::Map;
  node.location = std::move(where);
  return node;
}

ConfigNode ConfigNode::make_sequence(SourceLocation where) {
  ConfigNode node;
  node.kind = Kind::Sequence;
  node.location = std::move(where);
  return node;
}

const ConfigEntry* ConfigNode::find_entry(std::string_view key) const {
  for (const ConfigEntry& entry : entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

ConfigEntry* ConfigNode::find_entry(std::string_view key) {
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): const overload; *this is mutable
  return const_cast<ConfigEntry*>(std::as_const(*this).find_entry(key));
}

const ConfigNode* ConfigNode::find(std::string_view key) const {
  const ConfigEntry* entry = find_entry(key);
  return entry == nullptr ? nullptr : &entry->value;
}

ConfigNode* ConfigNode::find(std::string_view key) {
  ConfigEntry* entry = find_entry(key);
  return entry == nullptr ? nullptr : &entry->value;
}

ConfigNode& ConfigNode::add(std::string key, ConfigNode value, SourceLocation key_location) {
  GPUMARKET_CHECK(is_map() && find_entry(key) == nullptr);
  entries.push_back(ConfigEntry{std::move(key), std::move(key_location), std::move(value)});
  return entries.back().value;
}

bool ConfigNode::remove(std::string_view key) {
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->key == key) {
      entries.erase(it);
      return true;
    }
  }
  return false;
}

std::string_view ConfigNode::kind_description() const {
  switch (kind) {
    case Kind::Null:
      return "an empty value";
    case Kind::Scalar:
      return "a scalar";
    case Kind::Map:
      return "a mapping";
    case Kind::Sequence:
      return "a sequence";
  }
  return "an empty value";
}

bool same_content(const ConfigNode& a, const ConfigNode& b) {
  if (a.kind != b.kind || a.scalar != b.scalar || a.entries.size() != b.entries.size() ||
      a.items.size() != b.items.size()) {
    return false;
  }
  for (size_t i = 0; i < a.entries.size(); ++i) {
    if (a.entries[i].key != b.entries[i].key ||
        !same_content(a.entries[i].value, b.entries[i].value)) {
      return false;
    }
  }
  for (size_t i = 0; i < a.items.size(); ++i) {
    if (!same_content(a.items[i], b.items[i])) return false;
  }
  return true;
}

std::string read_config_text(const std::string& path, std::string_view kind) {
  std::string text;
  if (const std::string reason = read_file(path, text); !reason.empty()) {
    throw Error(path + ": cannot read the " + std::string(kind) + ": " + reason);
  }
  return text;
}

ConfigNode parse_config_text(std::string_view text, const std::string& path) {
  const std::string yaml(text);
  YAML::Node document;
  try {
    const YamlTail tail = yaml_tail(yaml);
    if (tail.kind == YamlTail::Kind::Stuck) {
      throw Error(location_of(tail.mark, path),
                  "YAML syntax error: unexpected '" + std::string(1, yaml[tail.mark.pos]) + "'");
    }
    if (tail.kind == YamlTail::Kind::SecondDocument) {
      throw Error(location_of(tail.mark, path),
                  "a second YAML document ('---') is not supported; expected one mapping of "
                  "scenario keys");
    }
    document = YAML::Load(yaml);
  } catch (const YAML::DeepRecursion& e) {
    throw Error(location_of(e.mark, path), "YAML nesting deeper than the parser allows (" +
                                               std::to_string(e.depth()) +
                                               " levels); a scenario needs a handful");
  } catch (const YAML::Exception& e) {
    throw Error(location_of(e.mark, path), "YAML syntax error: " + e.msg);
  }
  if (document.IsNull()) {
    throw Error(SourceLocation{path, 0, 0},
                "the file is empty; expected a mapping of scenario keys");
  }
  ConversionBudget budget;
  ConfigNode root = convert(document, path, "", SourceLocation{}, 0, budget);
  if (!root.is_map()) {
    throw Error(root.location, "expected a mapping of scenario keys at the top level, got " +
                                   std::string(root.kind_description()));
  }
  return root;
}

ConfigNode parse_config_file(const std::string& path) {
  return parse_config_text(read_config_text(path), path);
}

ConfigNode resolve_extends(ConfigNode root, const std::string& path) {
  return resolve_extends(std::move(root), path, read_file);
}

ConfigNode resolve_extends(ConfigNode root, const std::string& path,
                           const ParentReader& read_parent) {
  std::vector<ChainLink> chain;
  return resolve_chain(std::move(root), path, chain, read_parent);
}

ConfigNode load_config_file(const std::string& path) {
  return resolve_extends(parse_config_file(path), path);
}

void merge_config(ConfigNode& base, const ConfigNode& overlay) {
  if (base.is_map() && overlay.is_map()) {
    for (const ConfigEntry& entry : overlay.entries) {
      if (ConfigEntry* existing = base.find_entry(entry.key)) {
        existing->key_location = entry.key_location;
        merge_config(existing->value, entry.value);
      } else {
        base.entries.push_back(entry);
      }
    }
    base.location = overlay.location;
    return;
  }
  if (base.is_sequence() && !overlay.items.empty() && is_named_list(base) &&
      is_named_list(overlay)) {
    for (const ConfigNode& item : overlay.items) {
      if (ConfigNode* existing = find_named_item(base, item.find("name")->scalar)) {
        merge_config(*existing, item);
      } else {
        base.items.push_back(item);
      }
    }
    base.location = overlay.location;
    return;
  }
  base = overlay;
}

void apply_override(ConfigNode& root, std::string_view assignment) {
  const SourceLocation where{"--set " + std::string(assignment), 0, 0};
  const size_t equals = assignment.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    throw Error(where, "expected <path>=<value>, e.g. segments.jobs.arrival_rate_per_hour=3.5");
  }
  const std::string_view path = assignment.substr(0, equals);
  const std::string_view value_text = assignment.substr(equals + 1);

  std::vector<PathStep> steps;
  try {
    steps = parse_path(path);
  } catch (const Error& e) {
    throw Error(where, e.what());
  }

  ConfigNode value;
  try {
    const YAML::Node yaml = YAML::Load(std::string(value_text));
    ConversionBudget budget;
    value = convert(yaml, where.file, "", SourceLocation{}, 0, budget);
  } catch (const YAML::Exception& e) {
    throw Error(where, "the value is not valid YAML: " + e.msg);
  } catch (const Error& e) {
    throw Error(where, std::string("the value is not valid: ") + e.what());
  }
  relocate(value, where);

  ConfigNode* node = &root;
  std::string_view parent;
  std::string why;
  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    if (ConfigEntry* whole = entry_named_by_rest(*node, path, steps, i)) {
      whole->value = std::move(value);
      whole->key_location = where;
      return;
    }
    node = step_into(*node, steps[i], parent, why);
    if (node == nullptr) throw Error(where, why);
    parent = steps[i].display;
  }
  const PathStep& last = steps.back();
  if (node->is_map() && !last.index && node->find(last.key) == nullptr) {
    node->add(last.key, std::move(value), where);
    return;
  }
  ConfigNode* target = step_into(*node, last, parent, why);
  if (target == nullptr) throw Error(where, why);
  if (node->is_map()) node->find_entry(last.key)->key_location = where;
  *target = std::move(value);
}

const ConfigNode* find_path(const ConfigNode& root, std::string_view path) {
  const ConfigNode* node = &root;
  std::string_view parent;
  std::string why;
  const std::vector<PathStep> steps = parse_path(path);
  for (size_t i = 0; i < steps.size(); ++i) {
    if (i + 1 < steps.size()) {
      const ConfigEntry* whole = entry_named_by_rest(*node, path, steps, i);
      if (whole != nullptr) return &whole->value;
    }
    node = step_into(*node, steps[i], parent, why);
    if (node == nullptr) return nullptr;
    parent = steps[i].display;
  }
  return node;
}

std::string to_yaml(const ConfigNode& root) {
  std::string out;
  if (auto text = inline_yaml(root)) return *text + "\n";
  emit_block(root, 0, out);
  return out;
}

}  // namespace gpumarket
