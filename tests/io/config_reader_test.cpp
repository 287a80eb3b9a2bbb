#include "gpumarket/io/config_reader.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace gpumarket {
namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

ConfigNode doc(const std::string& text) { return parse_config_text(text, "r.yaml"); }

TEST(ConfigReader, ReadsTypedValuesAndDefaults) {
  const ConfigNode root =
      doc("rate: 2.5\n"
          "servers: +3\n"
          "share: 0.25\n"
          "on: true\n"
          "label: hello\n"
          "name: farm-1\n"
          "tick: 15min\n"
          "patience: never\n"
          "start: 2026-05-07\n"
          "shape: lognormal\n"
          "sub: {x: 1}\n"
          "list: [{name: a}, {name: b}]\n");
  MapReader r(root, "");
  EXPECT_DOUBLE_EQ(r.number("rate", Check::Positive), 2.5);
  EXPECT_EQ(r.integer("servers", Check::Positive), 3);
  EXPECT_DOUBLE_EQ(r.fraction("share"), 0.25);
  EXPECT_TRUE(r.boolean("on"));
  EXPECT_EQ(r.string("label"), "hello");
  EXPECT_EQ(r.name("name"), "farm-1");
  EXPECT_EQ(r.duration("tick").count_micros(), 15LL * 60 * 1'000'000);
  EXPECT_TRUE(r.duration("patience", Check::Positive, Infinity::Allowed).is_infinite());
  EXPECT_EQ(r.date("start").to_string(), "2026-05-07");
  EXPECT_EQ(r.enumeration("shape", {"exponential", "lognormal"}), "lognormal");
  MapReader sub = r.map("sub");
  EXPECT_EQ(sub.path(), "sub");
  EXPECT_EQ(sub.integer("x"), 1);
  sub.finish();
  std::vector<MapReader> items = r.sequence("list", Length::NonEmpty).maps();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].path(), "list[1]");
  for (MapReader& item : items) {
    item.name("name");
    item.finish();
  }
  EXPECT_DOUBLE_EQ(r.optional_number("absent", 7.0), 7.0);
  EXPECT_EQ(r.optional_integer("absent2", -2), -2);
  EXPECT_EQ(r.optional_unsigned("seed", 1), 1u);
  EXPECT_EQ(r.optional_string("description", "none"), "none");
  EXPECT_FALSE(r.optional_map("nothing").has_value());
  EXPECT_TRUE(r.optional_sequence("nolist").empty());
  EXPECT_TRUE(r.optional_duration("p", Duration::infinite()).is_infinite());
  EXPECT_NO_THROW(r.finish());
}

struct BadValue {
  const char* text;
  const char* expected;  // the whole message
};

void PrintTo(const BadValue& value, std::ostream* out) { *out << "'" << value.text << "'"; }

class ConfigReaderBadValue : public ::testing::TestWithParam<BadValue> {};

TEST_P(ConfigReaderBadValue, ReportsTheKeyPathAndWhatWasExpected) {
  const ConfigNode root = doc(std::string("v:\n  x: ") + GetParam().text + "\n");
  const std::string message = error_of([&] {
    MapReader top(root, "");
    MapReader r = top.map("v");
    const std::string_view kind = GetParam().expected;
    // The expected message names the reader to use.
    if (kind.find("integer") != std::string_view::npos) {
      r.integer("x", Check::Positive);
    } else if (kind.find("duration") != std::string_view::npos) {
      r.duration("x");
    } else if (kind.find("date") != std::string_view::npos) {
      r.date("x");
    } else if (kind.find("fraction") != std::string_view::npos) {
      r.fraction("x");
    } else if (kind.find("one of") != std::string_view::npos) {
      r.enumeration("x", {"exponential", "lognormal"});
    } else if (kind.find("true or false") != std::string_view::npos) {
      r.boolean("x");
    } else if (kind.find("a name") != std::string_view::npos) {
      r.name("x");
    } else {
      r.number("x", Check::Positive);
    }
    r.finish();
    top.finish();
  });
  EXPECT_EQ(message, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Values, ConfigReaderBadValue,
    ::testing::Values(
        BadValue{"-3", "r.yaml:2:6: v.x: expected a positive number, got -3"},
        BadValue{"0", "r.yaml:2:6: v.x: expected a positive number, got 0"},
        BadValue{"abc", "r.yaml:2:6: v.x: expected a positive number, got 'abc'"},
        BadValue{".nan", "r.yaml:2:6: v.x: expected a finite number, got .nan"},
        BadValue{".inf", "r.yaml:2:6: v.x: expected a finite number, got .inf"},
        BadValue{"{a: 1}", "r.yaml:2:6: v.x: expected a positive number, got a mapping"},
        BadValue{"[1]", "r.yaml:2:6: v.x: expected a positive number, got a sequence"},
        BadValue{"2.5", "r.yaml:2:6: v.x: expected a positive integer, got 2.5"},
        BadValue{"abc ", "r.yaml:2:6: v.x: expected a positive integer, got 'abc'"},
        BadValue{"1e3", "r.yaml:2:6: v.x: expected a positive integer, got 1e3"},
        BadValue{"\"3 hours\"",
                 "r.yaml:2:6: v.x: expected a duration such as 15min, 6h or 30d, got '3 hours'"},
        BadValue{"inf", "r.yaml:2:6: v.x: expected a duration such as 15min, 6h or 30d, got 'inf'"},
        BadValue{"0h", "r.yaml:2:6: v.x: expected a positive duration, got '0h'"},
        BadValue{"2026-02-30", "r.yaml:2:6: v.x: expected a date YYYY-MM-DD, got '2026-02-30'"},
        BadValue{"1.5", "r.yaml:2:6: v.x: expected a fraction between 0 and 1, got 1.5"},
        BadValue{"lognormall",
                 "r.yaml:2:6: v.x: expected one of exponential, lognormal, got 'lognormall'; "
                 "did you mean 'lognormal'?"},
        BadValue{"weibull",
                 "r.yaml:2:6: v.x: expected one of exponential, lognormal, got "
                 "'weibull'"},
        BadValue{"maybe", "r.yaml:2:6: v.x: expected true or false, got 'maybe'"},
        BadValue{"my farm",
                 "r.yaml:2:6: v.x: expected a name made of letters, digits, '_' and "
                 "'-', got 'my farm'"}));

TEST(ConfigReader, ReportsTheFirstUnknownKeyWithASuggestionAndTheAllowedKeys) {
  const ConfigNode root = doc("venues:\n  - name: farm\n    sever: 3\n    price: 2\n");
  const std::string message = error_of([&] {
    MapReader top(root, "");
    MapReader venue = top.sequence("venues").map(0);
    venue.name("name");
    venue.optional_integer("servers", 1);
    venue.optional_number("price", 0);
    venue.finish();
  });
  EXPECT_EQ(message,
            "r.yaml:3:5: venues[0]: unknown key 'sever'; did you mean 'servers'? "
            "(allowed: name, servers, price)");
}

TEST(ConfigReader, PrefersAnUnknownKeyOverTheRequiredKeyItProbablyMisspells) {
  const ConfigNode root = doc("name: farm\nsever: 3\n");
  const std::string message = error_of([&] {
    MapReader r(root, "venues[0]");
    r.name("name");
    r.integer("servers", Check::Positive);
    r.number("price_usd_per_pf_hour");
    r.finish();
  });
  EXPECT_EQ(message,
            "r.yaml:2:1: venues[0]: unknown key 'sever'; did you mean 'servers'? "
            "(allowed: name, servers, price_usd_per_pf_hour)");
}

TEST(ConfigReader, ReportsAMissingRequiredKeyAtTheMapping) {
  const ConfigNode root = doc("segments:\n  - name: jobs\n    width_pf: 1\n");
  const std::string message = error_of([&] {
    MapReader top(root, "");
    MapReader segment = top.sequence("segments").map(0);
    segment.name("name");
    segment.number("arrival_rate_per_hour", Check::Positive);
    segment.optional_number("width_pf", 1);
    segment.finish();
  });
  EXPECT_EQ(message, "r.yaml:2:5: segments[0]: missing required key 'arrival_rate_per_hour'");
}

TEST(ConfigReader, AMissingMapOrSequenceIsReportedAtOnce) {
  const ConfigNode root = doc("name: x\nduraton: {mean: 1h}\n");
  EXPECT_EQ(error_of([&] {
              MapReader r(root, "segments[0]");
              r.map("duration");
            }),
            "r.yaml:2:1: segments[0]: unknown key 'duraton'; did you mean 'duration'?");
  EXPECT_EQ(error_of([&] {
              MapReader r(root, "");
              r.sequence("venues");
            }),
            "r.yaml:1:1: missing required key 'venues'");
  const ConfigNode empty = doc("venues: []\n");
  EXPECT_EQ(error_of([&] {
              MapReader r(empty, "");
              r.sequence("venues", Length::NonEmpty);
            }),
            "r.yaml:1:9: venues: expected a non-empty sequence, got an empty one");
}

TEST(ConfigReader, RejectsAMappingReaderOverOtherKinds) {
  const ConfigNode root = doc("venues: [1, 2]\n");
  EXPECT_EQ(error_of([&] {
              MapReader r(root, "");
              r.sequence("venues").map(1);
            }),
            "r.yaml:1:13: venues[1]: expected a mapping, got 2");
}

TEST(ConfigReader, FailNamesTheKeyPathAtTheValue) {
  const ConfigNode root = doc("seg:\n  width_pf: 4\n");
  MapReader top(root, "");
  MapReader seg = top.map("seg");
  seg.optional_number("width_pf", 1);
  seg.finish();
  top.finish();
  EXPECT_EQ(error_of([&] { seg.fail("width_pf", "fits no venue"); }),
            "r.yaml:2:13: seg.width_pf: fits no venue");
  EXPECT_EQ(error_of([&] { seg.fail("absent", "is needed"); }),
            "r.yaml:2:3: seg.absent: is needed");
}

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("sever", "servers"), 2u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

}  // namespace
}  // namespace gpumarket
