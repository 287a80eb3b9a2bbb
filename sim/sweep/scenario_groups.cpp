#include "gpumarket/sweep/scenario_groups.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "gpumarket/core/check.hpp"
#include "gpumarket/core/error.hpp"

namespace gpumarket {
namespace {

bool is_named_list(const ConfigNode* node) {
  if (node == nullptr || !node->is_sequence() || node->items.empty()) return false;
  return std::all_of(node->items.begin(), node->items.end(), [](const ConfigNode& item) {
    const ConfigNode* name = item.find("name");
    return item.is_map() && name != nullptr && name->is_scalar();
  });
}

const ConfigNode* named_item(const ConfigNode& list, const std::string& name) {
  for (const ConfigNode& item : list.items) {
    if (item.find("name")->scalar == name) return &item;
  }
  return nullptr;
}

// The names of a list's items, in order.
std::vector<std::string> item_names(const ConfigNode* list) {
  std::vector<std::string> names;
  if (list != nullptr) {
    for (const ConfigNode& item : list->items) names.push_back(item.find("name")->scalar);
  }
  return names;
}

bool differs(const ConfigNode* a, const ConfigNode* b) {
  if (a == nullptr || b == nullptr) return a != b;
  return !same_content(*a, *b);
}

// `key` of the mapping `from` (nullptr: absent) written into the mapping `to`: replaced,
// added at its end, or removed.
void take_key(ConfigNode& to, const ConfigNode* from, const std::string& key) {
  const ConfigNode* value = from != nullptr ? from->find(key) : nullptr;
  if (value == nullptr) {
    to.remove(key);
  } else if (ConfigNode* here = to.find(key)) {
    *here = *value;
  } else {
    to.add(key, *value);
  }
}

// `part` of `b` written into `tree`: "key", "key.item" or "key.item.field".
void take_part(ConfigNode& tree, const ConfigNode& b, const std::string& part) {
  const size_t dot = part.find('.');
  const std::string key = part.substr(0, dot);
  if (dot == std::string::npos) {
    take_key(tree, &b, key);
    return;
  }
  const size_t field_dot = part.find('.', dot + 1);
  const std::string name = part.substr(dot + 1, field_dot - dot - 1);
  const ConfigNode* from = b.find(key);
  const ConfigNode* item = from != nullptr ? named_item(*from, name) : nullptr;
  ConfigNode* list = tree.find(key);
  if (list == nullptr) list = &tree.add(key, ConfigNode::make_sequence());
  auto& items = list->items;
  const auto here = std::find_if(items.begin(), items.end(), [&](const ConfigNode& i) {
    return i.find("name")->scalar == name;
  });
  if (field_dot != std::string::npos) {
    // A field of an item both scenarios have (differing_parts makes no other field parts).
    GPUMARKET_CHECK(item != nullptr && here != items.end());
    take_key(*here, item, part.substr(field_dot + 1));
  } else if (item == nullptr) {
    if (here != items.end()) items.erase(here);
  } else if (here != items.end()) {
    *here = *item;
  } else {
    items.push_back(*item);
  }
}

// The keys of two mappings, a's then those only b has.
std::vector<std::string> keys_of(const ConfigNode& a, const ConfigNode& b) {
  std::vector<std::string> keys;
  for (const ConfigNode* tree : {&a, &b}) {
    for (const ConfigEntry& e : tree->entries) {
      if (std::find(keys.begin(), keys.end(), e.key) == keys.end()) keys.push_back(e.key);
    }
  }
  return keys;
}

// Whether `part` is `section` or inside it ("venues.alliance" holds
// "venues.alliance.subsidy_rate"; "venues" holds both).
bool in_section(const std::string& part, const std::string& section) {
  return part == section ||
         (part.size() > section.size() && part.starts_with(section) && part[section.size()] == '.');
}

}  // namespace

std::vector<ScenarioGroup> differing_parts(const ConfigNode& a, const ConfigNode& b) {
  static const std::set<std::string> kNotParts = {"name", "description", "seed", "extends"};
  std::vector<ScenarioGroup> parts;
  for (const std::string& key : keys_of(a, b)) {
    if (kNotParts.contains(key)) continue;
    const ConfigNode* in_a = a.find(key);
    const ConfigNode* in_b = b.find(key);
    const bool lists = (in_a == nullptr || is_named_list(in_a)) &&
                       (in_b == nullptr || is_named_list(in_b)) &&
                       (in_a != nullptr || in_b != nullptr);
    if (!lists || key == "timeline") {
      if (differs(in_a, in_b)) parts.push_back({key, {key}});
      continue;
    }
    std::vector<std::string> names = item_names(in_a);
    for (const std::string& n : item_names(in_b)) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
    for (const std::string& n : names) {
      const ConfigNode* item_a = in_a != nullptr ? named_item(*in_a, n) : nullptr;
      const ConfigNode* item_b = in_b != nullptr ? named_item(*in_b, n) : nullptr;
      if (!differs(item_a, item_b)) continue;
      std::string item = key;
      item += '.';
      item += n;
      if (item_a == nullptr || item_b == nullptr) {
        parts.push_back({item, {item}});
        continue;
      }
      // In both: its differing fields are the parts, so that a change of policy within one
      // venue is attributed field by field.
      for (const std::string& field : keys_of(*item_a, *item_b)) {
        if (differs(item_a->find(field), item_b->find(field))) {
          std::string part = item;
          part += '.';
          part += field;
          parts.push_back({part, {part}});
        }
      }
    }
  }
  return parts;
}

std::vector<ScenarioGroup> group_parts(const std::vector<ScenarioGroup>& parts,
                                       const std::vector<std::string>& groupings) {
  std::vector<ScenarioGroup> groups = parts;
  for (const std::string& grouping : groupings) {
    const size_t eq = grouping.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == grouping.size()) {
      throw Error(
          fmt::format("--group {}: expected NAME=PART,PART,... (parts: the names the "
                      "table lists, e.g. venues.alliance.subsidy_rate, hardware, or a section "
                      "such as venues.alliance for all its parts).",
                      grouping));
    }
    ScenarioGroup merged{grouping.substr(0, eq), {}};
    size_t position = groups.size();
    for (size_t at = eq + 1; at <= grouping.size();) {
      const size_t comma = std::min(grouping.find(',', at), grouping.size());
      const std::string section = grouping.substr(at, comma - at);
      at = comma + 1;
      // The parts still alone (no earlier grouping took them) that `section` names.
      const auto taken = [&](const ScenarioGroup& g) {
        return g.parts.size() == 1 && g.name == g.parts[0] && in_section(g.name, section);
      };
      const auto first = std::find_if(groups.begin(), groups.end(), taken);
      if (first == groups.end()) {
        std::string names;
        for (const ScenarioGroup& g : parts) names += (names.empty() ? "" : ", ") + g.name;
        throw Error(
            fmt::format("--group {}: '{}' is not a part in which the scenarios differ nor a "
                        "section holding one, or another group took it (parts: {}).",
                        grouping, section, names));
      }
      position = std::min(position, static_cast<size_t>(first - groups.begin()));
      for (const ScenarioGroup& g : groups) {
        if (taken(g)) merged.parts.push_back(g.name);
      }
      groups.erase(std::remove_if(groups.begin(), groups.end(), taken), groups.end());
    }
    groups.insert(groups.begin() + static_cast<std::ptrdiff_t>(std::min(position, groups.size())),
                  std::move(merged));
  }
  return groups;
}

ConfigNode switch_groups(const ConfigNode& a, const ConfigNode& b,
                         const std::vector<ScenarioGroup>& groups, uint32_t mask) {
  ConfigNode tree = a;
  for (size_t g = 0; g < groups.size(); ++g) {
    if ((mask & (1u << g)) == 0) continue;
    for (const std::string& part : groups[g].parts) take_part(tree, b, part);
  }
  return tree;
}

}  // namespace gpumarket
