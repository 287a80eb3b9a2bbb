// The shipped scenarios compose a world (scenarios/world/) and an alliance policy
// (scenarios/policy/). These tests hold the split to what it promises: no key is set by both
// kinds of file, bull and bear share every world key, and every world composes with every
// policy into a scenario that loads.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "gpumarket/io/config_tree.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;

const fs::path kScenarios = fs::path(GPUMARKET_SOURCE_DIR) / "scenarios";

bool is_named_list(const ConfigNode& node) {
  return node.is_sequence() && !node.items.empty() &&
         std::all_of(node.items.begin(), node.items.end(), [](const ConfigNode& item) {
           const ConfigNode* name = item.find("name");
           return item.is_map() && name != nullptr && name->is_scalar();
         });
}

// Every leaf of `node` by its path ("venues.alliance.subsidy_rate"; a named item by its name,
// a list of plain values as one leaf), as its node.
void add_leaves(const ConfigNode& node, const std::string& path,
                std::map<std::string, const ConfigNode*>& leaves) {
  if (node.is_map()) {
    for (const ConfigEntry& entry : node.entries) {
      if (entry.key == "extends" || entry.key == "name") continue;
      add_leaves(entry.value, path.empty() ? entry.key : path + "." + entry.key, leaves);
    }
  } else if (is_named_list(node)) {
    for (const ConfigNode& item : node.items) {
      add_leaves(item, path + "." + item.find("name")->scalar, leaves);
    }
  } else {
    leaves[path] = &node;
  }
}

std::map<std::string, const ConfigNode*> leaves_of(const ConfigNode& tree) {
  std::map<std::string, const ConfigNode*> leaves;
  add_leaves(tree, "", leaves);
  return leaves;
}

std::vector<fs::path> files_in(const std::string& kind) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kScenarios / kind)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The key paths that the files of one kind set themselves (not through extends).
std::map<std::string, std::string> keys_set_by(const std::string& kind) {
  std::map<std::string, std::string> keys;  // path -> file
  for (const fs::path& file : files_in(kind)) {
    const ConfigNode own = parse_config_file(file.string());
    for (const auto& [path, node] : leaves_of(own)) keys[path] = file.filename().string();
  }
  return keys;
}

// Whether `a` is `b` or one of its ancestors, or the other way round.
bool overlaps(const std::string& a, const std::string& b) {
  const std::string& shorter = a.size() <= b.size() ? a : b;
  const std::string& longer = a.size() <= b.size() ? b : a;
  return longer.compare(0, shorter.size(), shorter) == 0 &&
         (longer.size() == shorter.size() || longer[shorter.size()] == '.');
}

TEST(WorldPolicy, NoKeyIsSetByBothAWorldFileAndAPolicyFile) {
  const auto world = keys_set_by("world");
  const auto policy = keys_set_by("policy");
  ASSERT_GT(world.size(), 100u);
  ASSERT_GT(policy.size(), 10u);
  for (const auto& [w, world_file] : world) {
    for (const auto& [p, policy_file] : policy) {
      EXPECT_FALSE(overlaps(w, p))
          << w << " (world/" << world_file << ") and " << p << " (policy/" << policy_file << ")";
    }
  }
}

TEST(WorldPolicy, BullAndBearShareEveryWorldKeyAndDifferOnlyInPolicyKeys) {
  const ConfigNode bull = load_config_file((kScenarios / "bull.yaml").string());
  const ConfigNode bear = load_config_file((kScenarios / "bear.yaml").string());
  const auto bull_leaves = leaves_of(bull);
  const auto bear_leaves = leaves_of(bear);
  const auto policy = keys_set_by("policy");
  const auto is_policy = [&](const std::string& path) {
    return std::any_of(policy.begin(), policy.end(),
                       [&](const auto& entry) { return overlaps(path, entry.first); });
  };
  size_t world_keys = 0, differing = 0;
  for (const auto& [path, node] : bull_leaves) {
    const auto in_bear = bear_leaves.find(path);
    const bool same = in_bear != bear_leaves.end() && same_content(*node, *in_bear->second);
    if (path == "description") continue;
    if (!is_policy(path)) {
      ++world_keys;
      EXPECT_TRUE(same) << "world key " << path << " differs between bull and bear";
    } else if (!same) {
      ++differing;
    }
  }
  for (const auto& [path, node] : bear_leaves) {
    if (!bull_leaves.contains(path)) {
      EXPECT_TRUE(is_policy(path)) << "world key " << path << " is set in bear only";
    }
  }
  EXPECT_GT(world_keys, 100u);
  EXPECT_GE(differing, 5u);  // the two policies do differ
}

TEST(WorldPolicy, EveryWorldComposesWithEveryPolicy) {
  const std::vector<fs::path> worlds = files_in("world");
  const std::vector<fs::path> policies = files_in("policy");
  ASSERT_GE(worlds.size(), 2u);
  ASSERT_GE(policies.size(), 3u);
  const testing::TempDir dir;
  for (const fs::path& world : worlds) {
    for (const fs::path& policy : policies) {
      const fs::path file =
          dir.write(world.stem().string() + "-" + policy.stem().string() + ".yaml",
                    "extends: [" + world.string() + ", " + policy.string() + "]\nname: composed\n");
      EXPECT_NO_THROW(load_scenario(file.string())) << world << " + " << policy;
    }
  }
}

}  // namespace
}  // namespace gpumarket
