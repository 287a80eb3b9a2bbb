#include "gpumarket/io/config_tree.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "gpumarket/core/interrupt.hpp"
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

// yaml-cpp 0.7's LoadAll never returns on a token its parser leaves where it is (found by
// fuzz/scenario_loader_fuzzer: memory grew until the fuzzer's limit); such a token is a syntax
// error at its place, and a real second document is still reported at its first node.
TEST(ConfigTree, ATokenTheParserIsStuckAtIsASyntaxErrorNotAHang) {
  EXPECT_EQ(error_of([] { parse_config_text(",", "c.yaml"); }),
            "c.yaml:1:1: YAML syntax error: unexpected ','");
  EXPECT_EQ(error_of([] { parse_config_text("[a],", "c.yaml"); }),
            "c.yaml:1:4: YAML syntax error: unexpected ','");
  EXPECT_EQ(error_of([] { parse_config_text("a: 1\n, b\n", "c.yaml"); }).rfind("c.yaml:2:1: ", 0),
            0u);
  EXPECT_EQ(error_of([] {
              parse_config_text("a: 1\n---\n\n  b: 2\n", "m.yaml");
            }).rfind("m.yaml:4:3: a second YAML document", 0),
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

// The fuzz target's way in: parents served from memory resolve as files would, with the same
// located errors.
TEST(ConfigTree, ExtendsCanReadItsParentsFromMemory) {
  const std::map<std::string, std::string> files = {
      {"mem/a/grand.yaml", "x: 1\ny: 1\nz: 1\n"},
      {"mem/a/b/parent.yaml", "extends: ../grand.yaml\ny: 2\n"},
      {"mem/loop.yaml", "extends: child.yaml\n"}};
  const ParentReader read_parent = [&files](const std::string& path, std::string& text) {
    const auto found = files.find(path);
    if (found == files.end()) return std::string("No such file or directory");
    text = found->second;
    return std::string();
  };
  const ConfigNode root =
      resolve_extends(parse_config_text("extends: a/b/parent.yaml\nz: 3\n", "mem/child.yaml"),
                      "mem/child.yaml", read_parent);
  EXPECT_EQ(root.find("x")->scalar, "1");
  EXPECT_EQ(root.find("y")->scalar, "2");
  EXPECT_EQ(root.find("z")->scalar, "3");
  EXPECT_EQ(root.find("extends"), nullptr);
  EXPECT_EQ(error_of([&] {
              resolve_extends(parse_config_text("extends: nowhere.yaml\n", "mem/child.yaml"),
                              "mem/child.yaml", read_parent);
            }),
            "mem/child.yaml:1:10: extends: cannot read the parent scenario file "
            "'mem/nowhere.yaml': No such file or directory");
  EXPECT_NE(error_of([&] {
              resolve_extends(parse_config_text("extends: loop.yaml\n", "mem/child.yaml"),
                              "mem/child.yaml", read_parent);
            }).find("makes a cycle: mem/child.yaml -> mem/loop.yaml -> mem/child.yaml"),
            std::string::npos);
}

TEST(ConfigTree, ExtendsAListMergesTheParentsInOrderThenTheChild) {
  TempDir dir;
  const std::string world = dir.write("world/central.yaml",
                                      "seed: 1\n"
                                      "venues:\n"
                                      "  - name: pool\n"
                                      "    capex: 50\n"
                                      "  - name: cloud\n"
                                      "    servers: 9\n");
  dir.write("policy/base.yaml", "venues:\n  - name: pool\n    subsidy: 0.3\n    fee: 1\n");
  const std::string policy = dir.write(
      "policy/deep.yaml", "extends: base.yaml\nvenues:\n  - name: pool\n    subsidy: 0.5\n");
  const std::string child = dir.write(
      "case.yaml", "extends: [world/central.yaml, policy/deep.yaml]\nname: case\nseed: 2\n");
  const ConfigNode root = load_config_file(child);
  EXPECT_EQ(root.find("extends"), nullptr);
  EXPECT_EQ(root.find("seed")->scalar, "2");
  const ConfigNode& venues = *root.find("venues");
  ASSERT_EQ(venues.items.size(), 2u);
  const ConfigNode& pool = venues.items[0];
  EXPECT_EQ(pool.find("capex")->location.to_string(), world + ":4:12");
  EXPECT_EQ(pool.find("subsidy")->scalar, "0.5");
  EXPECT_EQ(pool.find("subsidy")->location.to_string(), policy + ":4:14");
  EXPECT_EQ(pool.find("fee")->scalar, "1");
  EXPECT_EQ(venues.items[1].find("servers")->scalar, "9");
}

TEST(ConfigTree, ALaterParentOfAnExtendsListOverridesAnEarlierOne) {
  TempDir dir;
  dir.write("a.yaml", "x: 1\ny: 1\n");
  dir.write("b.yaml", "y: 2\n");
  const std::string child = dir.write("c.yaml", "extends: [a.yaml, b.yaml]\n");
  const ConfigNode root = load_config_file(child);
  EXPECT_EQ(root.find("x")->scalar, "1");
  EXPECT_EQ(root.find("y")->scalar, "2");
}

TEST(ConfigTree, TwoParentsMayShareAGrandparentButNotMakeACycle) {
  TempDir dir;
  dir.write("common.yaml", "x: 1\n");
  dir.write("a.yaml", "extends: common.yaml\ny: 1\n");
  dir.write("b.yaml", "extends: common.yaml\nz: 1\n");
  const std::string diamond = dir.write("d.yaml", "extends: [a.yaml, b.yaml]\n");
  const ConfigNode root = load_config_file(diamond);
  EXPECT_EQ(root.find("x")->scalar, "1");
  EXPECT_EQ(root.find("z")->scalar, "1");
  const std::string looped = dir.write("loop.yaml", "extends: [a.yaml, loop.yaml]\n");
  EXPECT_EQ(error_of([&] { load_config_file(looped); }),
            looped + ":1:19: extends: 'loop.yaml' makes a cycle: " + looped + " -> " +
                (dir / "loop.yaml").string());
}

TEST(ConfigTree, AnExtendsListOfNothingOrOfMappingsIsRefusedWhereItIsWritten) {
  TempDir dir;
  const std::string empty = dir.write("e.yaml", "name: x\nextends: []\n");
  EXPECT_EQ(error_of([&] { load_config_file(empty); }),
            empty +
                ":2:10: extends: expected the path of a parent scenario file or a list of "
                "them, got an empty list");
  const std::string mapping = dir.write("m.yaml", "extends: [{a: 1}]\n");
  EXPECT_EQ(error_of([&] { load_config_file(mapping); }),
            mapping + ":1:11: extends: expected the path of a parent scenario file, got a mapping");
  dir.write("fine.yaml", "x: 1\n");
  const std::string missing = dir.write("n.yaml", "extends: [fine.yaml, nope.yaml]\n");
  EXPECT_EQ(error_of([&] { load_config_file(missing); }),
            missing + ":1:22: extends: cannot read the parent scenario file '" +
                (dir / "nope.yaml").string() + "': No such file or directory");
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

// Inputs that would exhaust the stack or memory are refused with a located error.
TEST(ConfigTree, RefusesNestingDeeperThanTheLimit) {
  std::string deep = "a: ";
  for (size_t i = 0; i < kMaxConfigDepth; ++i) deep += "[";
  deep += "1";
  for (size_t i = 0; i < kMaxConfigDepth; ++i) deep += "]";
  EXPECT_EQ(
      error_of([&] { parse_config_text(deep + "\n", "deep.yaml"); }),
      "deep.yaml:1:" + std::to_string(4 + kMaxConfigDepth) +
          ": nesting deeper than 64 levels in 'a" +
          [] {
            std::string path;
            for (size_t i = 0; i < kMaxConfigDepth; ++i) path += "[0]";
            return path;
          }() +
          "'; a scenario needs a handful");
  // The scalar "1" is the 65th level below the top: one bracket fewer loads.
  const std::string shallower = "a: " + deep.substr(4, deep.size() - 5) + "\n";
  EXPECT_EQ(error_of([&] { parse_config_text(shallower, "ok.yaml"); }), "");
  // yaml-cpp's own guard, far deeper, is reported as such rather than as "bad file".
  const std::string very_deep = "a: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  EXPECT_NE(error_of([&] {
              parse_config_text(very_deep, "d.yaml");
            }).find("YAML nesting deeper than the parser allows"),
            std::string::npos);
}

// A "billion laughs": nine levels of ten aliases each would expand to 10^9 values.
TEST(ConfigTree, RefusesAliasesThatExpandBeyondTheLimit) {
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
    const std::string prev = std::string("*a") + std::to_string(level - 1);
    const std::string name = std::to_string(level);
    bomb += "a";
    bomb += name;
    bomb += ": &a";
    bomb += name;
    bomb += " [";
    for (int k = 0; k < 10; ++k) {
      if (k > 0) bomb += ", ";
      bomb += prev;
    }
    bomb += "]\n";
  }
  const std::string message = error_of([&] { parse_config_text(bomb, "bomb.yaml"); });
  EXPECT_EQ(message.rfind("bomb.yaml:", 0), 0u) << message;
  EXPECT_NE(message.find("the document expands to more than 1000000 values"), std::string::npos)
      << message;
  // A few aliases, as a user writes them, are fine.
  const ConfigNode ok = parse_config_text("base: &b {x: 1}\nc: *b\nd: *b\n", "ok.yaml");
  EXPECT_EQ(ok.find("d")->find("x")->scalar, "1");
}

TEST(ConfigTree, RefusesFilesThatAreNotRegularOrTooLarge) {
  TempDir dir;
  const std::string fifo = (dir / "fifo.yaml").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Opening a FIFO for reading would block until a writer came.
  EXPECT_EQ(error_of([&] { read_config_text(fifo); }),
            fifo +
                ": cannot read the scenario file: it is not a regular file (a FIFO, socket "
                "or device)");
  EXPECT_EQ(error_of([&] { read_config_text("/dev/zero"); }),
            "/dev/zero: cannot read the scenario file: it is not a regular file (a FIFO, socket "
            "or device)");
  EXPECT_EQ(error_of([&] { read_config_text(dir.path().string()); }),
            dir.path().string() + ": cannot read the scenario file: it is a directory");
  const std::string big = (dir / "big.yaml").string();
  {
    std::ofstream out(big);
    const std::string line = "# " + std::string(1022, 'x') + "\n";
    for (uint64_t written = 0; written <= kMaxConfigFileBytes; written += line.size()) out << line;
  }
  EXPECT_EQ(error_of([&] { read_config_text(big); }),
            big +
                ": cannot read the scenario file: it is larger than 16 MiB; a scenario is a few "
                "kilobytes");
  const std::string child = dir.write("child.yaml", "extends: /dev/zero\n");
  EXPECT_EQ(error_of([&] { load_config_file(child); }),
            child +
                ":1:10: extends: cannot read the parent scenario file '/dev/zero': it is not a "
                "regular file (a FIFO, socket or device)");
}

// 11,000 files used to overflow the stack, and 10,000 took 27 s.
// A signal while a file is read stops the read at its next 64 KiB block.
TEST(ConfigTree, StopsReadingAFileWhenInterrupted) {
  TempDir dir;
  const std::string path =
      dir.write("long.yaml", std::string(1 << 17, '#') + "\nname: x\n").string();
  request_interrupt(SIGINT);
  std::string message;
  try {
    read_config_text(path);
  } catch (const Interrupted& interrupted) {
    message = interrupted.what();
  }
  request_interrupt(0);
  EXPECT_EQ(message,
            "interrupted by signal 2 while reading " + path + "; no output file was written");
  EXPECT_NO_THROW(read_config_text(path));
}

TEST(ConfigTree, RefusesAnExtendsChainLongerThanTheLimit) {
  TempDir dir;
  for (size_t i = 0; i <= kMaxExtendsDepth; ++i) {
    const std::string parent = std::string("extends: f") + std::to_string(i + 1) + ".yaml\n";
    dir.write(std::string("f") + std::to_string(i) + ".yaml",
              i == kMaxExtendsDepth ? std::string("x: 1\n") : parent);
  }
  const std::string first = (dir / "f0.yaml").string();
  EXPECT_EQ(error_of([&] { load_config_file(first); }),
            (dir / "f63.yaml").string() + ":1:10: extends: more than 64 files in one chain (from " +
                first + ")");
  // One file fewer loads.
  EXPECT_EQ(load_config_file((dir / "f1.yaml").string()).find("x")->scalar, "1");
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
