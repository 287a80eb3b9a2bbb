#include "gpumarket/io/config_tree.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using testing::TempDir;

// The message of the Error thrown by `f`, or "" when nothing is thrown.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigTree, KeepsKindsTextOrderAndOneBasedLocations) {
  const ConfigNode root = parse_config_text(
      "name: demo\n"
      "empty:\n"
      "tilde: ~\n"
      "list:\n"
      "  - 1\n"
      "  - {a: \"x y\", b: [2, 3]}\n",
      "demo.yaml");
  ASSERT_TRUE(root.is_map());
  ASSERT_EQ(root.entries.size(), 4u);
  EXPECT_EQ(root.entries[0].key, "name");
  EXPECT_EQ(root.entries[3].key, "list");
  EXPECT_EQ(root.find("name")->scalar, "demo");
  EXPECT_EQ(root.find("name")->location.to_string(), "demo.yaml:1:7");
  EXPECT_EQ(root.entries[0].key_location.to_string(), "demo.yaml:1:1");
  // An empty value is located at its key, not at the next line's token.
  EXPECT_TRUE(root.find("empty")->is_null());
  EXPECT_EQ(root.find("empty")->location.to_string(), "demo.yaml:2:1");
  EXPECT_TRUE(root.find("tilde")->is_null());
  const ConfigNode& list = *root.find("list");
  ASSERT_TRUE(list.is_sequence());
  ASSERT_EQ(list.items.size(), 2u);
  EXPECT_EQ(list.items[0].location.to_string(), "demo.yaml:5:5");
  EXPECT_EQ(list.items[1].find("a")->scalar, "x y");
  EXPECT_EQ(list.items[1].find("b")->items[1].scalar, "3");
  EXPECT_EQ(list.items[1].find("b")->items[1].location.to_string(), "demo.yaml:6:23");
}

TEST(ConfigTree, RejectsADuplicateKeyAtItsSecondOccurrence) {
  const std::string message = error_of([] {
    parse_config_text("venues:\n  - name: a\n    servers: 1\n    servers: 2\n", "d.yaml");
  });
  EXPECT_EQ(message, "d.yaml:4:5: duplicate key 'servers' in 'venues[0]' (first given at line 3)");
  EXPECT_EQ(error_of([] { parse_config_text("a: 1\nb: 2\na: 3\n", "t.yaml"); }),
            "t.yaml:3:1: duplicate key 'a' at the top level (first given at line 1)");
}

TEST(ConfigTree, ReportsYamlSyntaxErrorsAtTheirLocation) {
  const std::string message = error_of([] { parse_config_text("a: [1, 2\nb: 3\n", "s.yaml"); });
  EXPECT_EQ(message.rfind("s.yaml:2:2: YAML syntax error: ", 0), 0u) << message;
}

TEST(ConfigTree, RejectsEmptyAndCommentOnlyFiles) {
  for (const char* text : {"", "# nothing here\n\n# at all\n"}) {
    EXPECT_EQ(error_of([&] { parse_config_text(text, "e.yaml"); }),
              "e.yaml: the file is empty; expected a mapping of scenario keys");
  }
}

TEST(ConfigTree, RejectsATopLevelThatIsNotAMapping) {
  EXPECT_EQ(error_of([] { parse_config_text("- a\n- b\n", "l.yaml"); }),
            "l.yaml:1:1: expected a mapping of scenario keys at the top level, got a sequence");
  EXPECT_EQ(error_of([] {
              parse_config_text("a: 1\n---\nb: 2\n", "m.yaml");
            }).rfind("m.yaml:3:1: a second YAML document", 0),
            0u);
}

TEST(ConfigTree, ReportsAMissingFileWithTheSystemReason) {
  EXPECT_EQ(error_of([] { parse_config_file("/nonexistent/dir/x.yaml"); }),
            "/nonexistent/dir/x.yaml: cannot read the scenario file: No such file or directory");
}

TEST(ConfigTree, ExtendsMergesMapsAndNamedItemsAndKeepsEachFilesLocations) {
  TempDir dir;
  const std::string base = dir.write("base/common.yaml",
                                     "name: base\n"
                                     "seed: 1\n"
                                     "options: {a: 1, b: 2}\n"
                                     "venues:\n"
                                     "  - name: farm\n"
                                     "    servers: 3\n"
                                     "    price: 2\n"
                                     "  - name: cloud\n"
                                     "    servers: 9\n"
                                     "tags: [x, y]\n");
  const std::string child = dir.write("child.yaml",
                                      "extends: base/common.yaml\n"
                                      "name: child\n"
                                      "options: {b: 5, c: 6}\n"
                                      "venues:\n"
                                      "  - name: farm\n"
                                      "    servers: 4\n"
                                      "  - name: edge\n"
                                      "    servers: 1\n"
                                      "tags: [z]\n");
  const ConfigNode root = load_config_file(child);
  EXPECT_EQ(root.find("extends"), nullptr);
  EXPECT_EQ(root.find("name")->scalar, "child");
  EXPECT_EQ(root.find("seed")->scalar, "1");
  EXPECT_EQ(root.find("seed")->location.to_string(), base + ":2:7");
  const ConfigNode& options = *root.find("options");
  ASSERT_EQ(options.entries.size(), 3u);
  EXPECT_EQ(options.find("a")->scalar, "1");
  EXPECT_EQ(options.find("b")->scalar, "5");
  EXPECT_EQ(options.find("c")->scalar, "6");
  const ConfigNode& venues = *root.find("venues");
  ASSERT_EQ(venues.items.size(), 3u);
  EXPECT_EQ(venues.items[0].find("name")->scalar, "farm");
  EXPECT_EQ(venues.items[0].find("servers")->scalar, "4");
  EXPECT_EQ(venues.items[0].find("servers")->location.to_string(), child + ":6:14");
  EXPECT_EQ(venues.items[0].find("price")->location.to_string(), base + ":7:12");
  EXPECT_EQ(venues.items[1].find("name")->scalar, "cloud");
  EXPECT_EQ(venues.items[2].find("name")->scalar, "edge");
  // A sequence of plain values is replaced, not merged.
  ASSERT_EQ(root.find("tags")->items.size(), 1u);
  EXPECT_EQ(root.find("tags")->items[0].scalar, "z");
}

TEST(ConfigTree, ExtendsResolvesGrandparentsRelativeToEachFile) {
  TempDir dir;
  dir.write("a/grand.yaml", "x: 1\ny: 1\nz: 1\n");
  dir.write("a/b/parent.yaml", "extends: ../grand.yaml\ny: 2\n");
  const std::string child = dir.write("child.yaml", "extends: a/b/parent.yaml\nz: 3\n");
  const ConfigNode root = load_config_file(child);
  EXPECT_EQ(root.find("x")->scalar, "1");
  EXPECT_EQ(root.find("y")->scalar, "2");
  EXPECT_EQ(root.find("z")->scalar, "3");
}

TEST(ConfigTree, AnEmptyChildSequenceReplacesTheParents) {
  TempDir dir;
  dir.write("p.yaml", "venues:\n  - name: farm\n");
  const std::string child = dir.write("c.yaml", "extends: p.yaml\nvenues: []\n");
  EXPECT_TRUE(load_config_file(child).find("venues")->items.empty());
}

TEST(ConfigTree, ExtendsCyclesAreReportedAtTheExtendsValueWithTheChain) {
  TempDir dir;
  const std::string a = dir.write("a.yaml", "extends: b.yaml\nx: 1\n");
  const std::string b = dir.write("b.yaml", "x: 2\nextends: a.yaml\n");
  EXPECT_EQ(error_of([&] { load_config_file(a); }),
            b + ":2:10: extends: 'a.yaml' makes a cycle: " + a + " -> " + b + " -> " + a);
  const std::string self = dir.write("self.yaml", "extends: ./self.yaml\n");
  EXPECT_EQ(error_of([&] { load_config_file(self); }),
            self + ":1:10: extends: './self.yaml' makes a cycle: " + self + " -> " + self);
}

TEST(ConfigTree, AMissingParentIsReportedAtTheExtendsValue) {
  TempDir dir;
  const std::string child = dir.write("c.yaml", "name: x\nextends: nope.yaml\n");
  EXPECT_EQ(error_of([&] { load_config_file(child); }),
            child + ":2:10: extends: cannot read the parent scenario file '" +
                (dir / "nope.yaml").string() + "': No such file or directory");
}

ConfigNode sample_tree() {
  return parse_config_text(
      "seed: 1\n"
      "venues:\n"
      "  - name: farm\n"
      "    servers: 3\n"
      "segments:\n"
      "  - name: jobs\n"
      "    rate: 2.5\n"
      "  - name: batch\n"
      "    rate: 1\n",
      "s.yaml");
}

TEST(ConfigOverride, SetsValuesByItemNameIndexAndBracket) {
  ConfigNode root = sample_tree();
  apply_override(root, "segments.jobs.rate=3.5");
  apply_override(root, "segments[1].rate=7");
  apply_override(root, "venues.0.servers=4");
  apply_override(root, "seed=99");
  EXPECT_EQ(root.find("segments")->items[0].find("rate")->scalar, "3.5");
  EXPECT_EQ(root.find("segments")->items[1].find("rate")->scalar, "7");
  EXPECT_EQ(root.find("venues")->items[0].find("servers")->scalar, "4");
  EXPECT_EQ(root.find("seed")->scalar, "99");
  EXPECT_EQ(root.find("seed")->location.to_string(), "--set seed=99");
}

TEST(ConfigOverride, ParsesFlowValuesAndAddsAMissingLastKey) {
  ConfigNode root = sample_tree();
  apply_override(root, "segments.jobs.widths=[1, 2]");
  apply_override(root, "venues.farm.extra={a: 1}");
  const ConfigNode& widths = *find_path(root, "segments.jobs.widths");
  ASSERT_TRUE(widths.is_sequence());
  ASSERT_EQ(widths.items.size(), 2u);
  EXPECT_EQ(widths.items[1].scalar, "2");
  EXPECT_EQ(widths.items[1].location.to_string(), "--set segments.jobs.widths=[1, 2]");
  EXPECT_EQ(find_path(root, "venues[0].extra.a")->scalar, "1");
}

TEST(ConfigOverride, ReportsBadAssignmentsNamingThem) {
  ConfigNode root = sample_tree();
  EXPECT_EQ(error_of([&] { apply_override(root, "segments.nosuch.rate=1"); }),
            "--set segments.nosuch.rate=1: no item named 'nosuch' in 'segments' "
            "(items: jobs, batch)");
  EXPECT_EQ(error_of([&] { apply_override(root, "seed"); }),
            "--set seed: expected <path>=<value>, e.g. "
            "segments.jobs.arrival_rate_per_hour=3.5");
  EXPECT_EQ(error_of([&] { apply_override(root, "nosuch.x=1"); }),
            "--set nosuch.x=1: no key 'nosuch' at the top level (keys: seed, venues, segments)");
  EXPECT_EQ(error_of([&] { apply_override(root, "segments[5].rate=1"); }),
            "--set segments[5].rate=1: index 5 is out of range for 'segments' (2 items)");
  EXPECT_EQ(error_of([&] { apply_override(root, "seed.x=1"); }),
            "--set seed.x=1: cannot look up 'x' in 'seed': it is a scalar");
  EXPECT_EQ(error_of([&] { apply_override(root, "segments..rate=1"); }),
            "--set segments..rate=1: malformed path 'segments..rate': expected a key before "
            "position 10");
  EXPECT_EQ(error_of([&] {
              apply_override(root, "seed=[1,");
            }).rfind("--set seed=[1,: the value is not valid YAML: ", 0),
            0u);
}

TEST(ConfigOverride, FindPathReturnsNullForMissingSteps) {
  const ConfigNode root = sample_tree();
  EXPECT_EQ(find_path(root, "segments.batch.rate")->scalar, "1");
  EXPECT_EQ(find_path(root, "segments[0].name")->scalar, "jobs");
  EXPECT_EQ(find_path(root, "segments.nosuch.rate"), nullptr);
  EXPECT_EQ(find_path(root, "seed.x"), nullptr);
  EXPECT_THROW(find_path(root, "segments[x]"), Error);
}

TEST(ConfigToYaml, RoundTripsStructureAndScalars) {
  const ConfigNode original = parse_config_text(
      "name: \"M/M/c: ground truth\"\n"
      "plain: hello world\n"
      "number: -3.5e2\n"
      "quoted_null: \"null\"\n"
      "real_null: ~\n"
      "empty_text: \"\"\n"
      "dash: \"- x\"\n"
      "hash: \"a #b\"\n"
      "colon_end: \"key:\"\n"
      "multi: |\n  line one\n  line \"two\"\n"
      "spaces: \"  padded \"\n"
      "unicode: \"PF·h\"\n"
      "empty_map: {}\n"
      "empty_list: []\n"
      "nested:\n"
      "  - [1, [2, 3]]\n"
      "  - {a: {b: [x, {c: d}]}}\n"
      "  - ~\n"
      "  - name: farm\n"
      "    servers: 3\n",
      "r.yaml");
  const std::string text = to_yaml(original);
  const ConfigNode again = parse_config_text(text, "again.yaml");
  EXPECT_TRUE(same_content(original, again)) << text;
  EXPECT_EQ(to_yaml(again), text);
  EXPECT_NE(text.find("  - name: farm\n    servers: 3\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace gpumarket
