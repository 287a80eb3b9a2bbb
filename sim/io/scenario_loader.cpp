#include "gpumarket/io/scenario_loader.hpp"

#include <cstdio>
#include <map>
#include <optional>
#include <utility>

#include "gpumarket/io/config_reader.hpp"

namespace gpumarket {
namespace {

// One decoder per struct: each reads its keys, calls finish(), then checks what involves more
// than one field. Checks across sections live in decode_scenario.

std::string hours_text(Duration d) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%gh", d.in_hours());
  return buffer;
}

std::string number_text(double x) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", x);
  return buffer;
}

// What a value was written as, for messages about values that are valid on their own.
std::string written(const MapReader& r, std::string_view key) {
  const ConfigNode* value = r.node().find(key);
  return value != nullptr && value->is_scalar() ? value->scalar : std::string("the default");
}

DurationDistribution decode_duration_distribution(MapReader r) {
  DurationDistribution d;
  const std::string shape = r.enumeration("distribution", {"exponential", "lognormal"});
  if (shape == "exponential") {
    d.shape = DurationDistribution::Shape::Exponential;
    d.mean_h = r.duration("mean").in_hours();
  } else {
    d.shape = DurationDistribution::Shape::Lognormal;
    d.median_h = r.duration("median").in_hours();
    d.sigma = r.number("sigma", Check::Positive);
  }
  r.finish();
  return d;
}

FixedVenue decode_fixed_venue(MapReader& r, std::string name) {
  FixedVenue v;
  v.name = std::move(name);
  v.servers = r.integer("servers", Check::Positive);
  v.pf_per_server = r.optional_number("pf_per_server", 1.0, Check::Positive);
  v.price_usd_per_pf_hour = r.number("price_usd_per_pf_hour", Check::NonNegative);
  r.finish();
  return v;
}

void decode_venue(MapReader& r, Scenario& s) {
  std::string name = r.name("name");
  // Later venue kinds (pool, marketplace) dispatch here to their own decoders.
  r.enumeration("kind", {"fixed"});
  s.fixed_venues.push_back(decode_fixed_venue(r, std::move(name)));
}

Segment decode_segment(MapReader& r) {
  Segment g;
  g.name = r.name("name");
  g.arrival_rate_per_hour = r.number("arrival_rate_per_hour", Check::Positive);
  g.width_pf = r.optional_number("width_pf", 1.0, Check::Positive);
  g.duration = decode_duration_distribution(r.map("duration"));
  g.patience =
      r.optional_duration("patience", Duration::infinite(), Check::NonNegative, Infinity::Allowed);
  r.finish();
  return g;
}

// `what` names the items in the message, e.g. "venue".
void check_unique_names(std::vector<MapReader>& items, const std::vector<std::string>& names,
                        std::string_view what) {
  std::map<std::string, size_t, std::less<>> first;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto [it, inserted] = first.emplace(names[i], i);
    if (!inserted) {
      items[i].fail("name", "duplicate " + std::string(what) + " name '" + names[i] + "' (also " +
                                items[it->second].key_path("name") + ")");
    }
  }
}

// Every segment's job width must fit in at least one venue, or its jobs could never start.
void check_widths_fit(const Scenario& s, std::vector<MapReader>& segment_readers) {
  auto capacity_of = [](const FixedVenue& v) {
    return static_cast<double>(v.servers) * v.pf_per_server;
  };
  const FixedVenue* largest = &s.fixed_venues.front();
  for (const FixedVenue& v : s.fixed_venues) {
    if (capacity_of(v) > capacity_of(*largest)) largest = &v;
  }
  const double capacity_pf = capacity_of(*largest);
  for (size_t i = 0; i < s.segments.size(); ++i) {
    const Segment& g = s.segments[i];
    if (g.width_pf <= capacity_pf) continue;
    segment_readers[i].fail(
        "width_pf", "segment '" + g.name + "' has jobs of " + number_text(g.width_pf) +
                        " PF, which fit no venue (the largest is '" + largest->name + "' with " +
                        std::to_string(largest->servers) + " servers of " +
                        number_text(largest->pf_per_server) + " PF = " + number_text(capacity_pf) +
                        " PF)");
  }
}

}  // namespace

Scenario decode_scenario(const ConfigNode& root) {
  Scenario s;
  MapReader r(root, "");
  s.name = r.string("name");
  s.description = r.optional_string("description", "");
  s.seed = r.optional_unsigned("seed", s.seed);
  s.start = r.date("start");
  const bool has_horizon = r.has("horizon");
  const bool has_end = r.has("end");
  if (has_horizon && has_end) {
    r.fail("end", "give either 'horizon' (a duration) or 'end' (a date), not both");
  }
  std::optional<Date> end;
  if (has_end) {
    end = r.date("end");
  } else if (has_horizon) {
    s.horizon = r.duration("horizon");
  }
  s.tick = r.optional_duration("tick", s.tick);
  s.warmup = r.optional_duration("warmup", Duration(), Check::NonNegative);

  SequenceReader venues = r.sequence("venues", Length::NonEmpty);
  std::vector<MapReader> venue_readers = venues.maps();
  for (MapReader& venue : venue_readers) decode_venue(venue, s);

  SequenceReader segments = r.sequence("segments", Length::NonEmpty);
  std::vector<MapReader> segment_readers = segments.maps();
  for (MapReader& segment : segment_readers) s.segments.push_back(decode_segment(segment));
  r.finish();

  if (!has_horizon && !has_end) {
    throw Error(root.location,
                "missing required key 'horizon' (a duration such as 2000h), or "
                "'end' (a date after start)");
  }
  if (end) {
    if (*end <= s.start) {
      r.fail("end",
             "expected a date after start (" + s.start.to_string() + "), got " + end->to_string());
    }
    s.horizon = Duration::days(end->days_since_epoch() - s.start.days_since_epoch());
  }
  if (s.tick > s.horizon) {
    r.fail("tick", "expected a duration no longer than the horizon (" + hours_text(s.horizon) +
                       "), got " + written(r, "tick"));
  }
  if (s.warmup >= s.horizon) {
    r.fail("warmup", "expected a duration shorter than the horizon (" + hours_text(s.horizon) +
                         "), got " + written(r, "warmup"));
  }

  std::vector<std::string> venue_names;
  for (const FixedVenue& v : s.fixed_venues) venue_names.push_back(v.name);
  check_unique_names(venue_readers, venue_names, "venue");
  std::vector<std::string> segment_names;
  for (const Segment& g : s.segments) segment_names.push_back(g.name);
  check_unique_names(segment_readers, segment_names, "segment");
  check_widths_fit(s, segment_readers);
  return s;
}

LoadedScenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  LoadedScenario loaded;
  loaded.path = path;
  loaded.text = read_config_text(path);
  ConfigNode root = resolve_extends(parse_config_text(loaded.text, path), path);
  for (const std::string& assignment : overrides) apply_override(root, assignment);
  loaded.scenario = decode_scenario(root);
  loaded.resolved_yaml = to_yaml(root);
  return loaded;
}

}  // namespace gpumarket
