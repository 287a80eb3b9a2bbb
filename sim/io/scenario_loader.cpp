#include "gpumarket/io/scenario_loader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "gpumarket/core/check.hpp"
#include "gpumarket/io/config_reader.hpp"
#include "scenario_decode.hpp"

namespace gpumarket {
namespace scenario_decode {

std::string number_text(double x) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", x);
  return buffer;
}

std::string hours_text(Duration d) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%gh", d.in_hours());
  return buffer;
}

std::string written(const MapReader& r, std::string_view key) {
  const ConfigNode* value = r.node().find(key);
  return value != nullptr && value->is_scalar() ? value->scalar : std::string("the default");
}

void fail_expected(const MapReader& r, std::string_view key, std::string_view expected) {
  r.fail(key, "expected " + std::string(expected) + ", got " + written(r, key));
}

void check_sentence(const MapReader& r, std::string_view key,
                    const std::optional<std::string>& sentence) {
  if (sentence) r.fail(key, *sentence);
}

double optional_fraction_below_one(MapReader& r, std::string_view key, double fallback) {
  const double value = r.optional_fraction(key, fallback);
  if (!(value < 1.0)) fail_expected(r, key, "a fraction in [0, 1)");
  return value;
}

}  // namespace scenario_decode

namespace {

using namespace scenario_decode;

// ---------------------------------------------------------------------------------------------
// Small sections.

// Finishes `r`, which the caller keeps for located messages about the chain it names.
RoutingParams decode_routing(MapReader& r) {
  RoutingParams p;
  if (const ConfigNode* scale = r.find("logit_scale")) {
    if (scale->is_scalar() && (scale->scalar == "inf" || scale->scalar == ".inf")) {
      p.logit_scale = std::numeric_limits<double>::infinity();
    } else {
      p.logit_scale = read_number(*scale, r.key_path("logit_scale"), Check::Positive);
    }
  }
  p.settlement_tx_usd =
      r.optional_number("settlement_tx_usd", p.settlement_tx_usd, Check::NonNegative);
  if (r.has("settlement_chain")) p.settlement_chain = r.name("settlement_chain");
  r.finish();
  return p;
}

// A window {from, to} with from < to.
void decode_window(MapReader& parent, std::string_view key, Date& from, Date& to) {
  std::optional<MapReader> w = parent.optional_map(key);
  if (!w) return;
  if (w->has("from")) from = w->date("from");
  if (w->has("to")) to = w->date("to");
  w->finish();
  if (!(from < to)) {
    w->fail("to", "expected a date after 'from' (" + from.to_string() + "), got " + to.to_string());
  }
}

// Finishes `r`, which the caller keeps for located messages about cross-references.
// `daa_venue_given`: whether the key was written (a default that names no venue means "none").
IndicatorParams decode_indicators(MapReader& r, bool& daa_venue_given) {
  IndicatorParams p;
  daa_venue_given = r.has("daa_venue");
  if (daa_venue_given) p.daa_venue = r.name("daa_venue");
  decode_window(r, "daa_before", p.daa_before_from, p.daa_before_to);
  decode_window(r, "daa_after", p.daa_after_from, p.daa_after_to);
  if (r.has("bridge_split")) p.bridge_split = r.date("bridge_split");
  p.bridge_detail = r.optional_boolean("bridge_detail", p.bridge_detail);
  r.finish();
  return p;
}

// `outages: {rate_per_year, mean_duration, on_outage, pauses: [{from, to}, ...]}`.
BridgeOutageParams decode_outages(MapReader r) {
  BridgeOutageParams p;
  p.rate_per_year = r.optional_number("rate_per_year", p.rate_per_year, Check::NonNegative);
  p.mean_duration = r.optional_duration("mean_duration", p.mean_duration, Check::Positive);
  if (r.optional_enumeration("on_outage", "strand", {"strand", "reroute"}) == "reroute") {
    p.on_outage = BridgeOutageParams::Policy::Reroute;
  }
  SequenceReader pauses = r.optional_sequence("pauses");
  for (MapReader& w : pauses.maps()) {
    BridgePause pause{w.date("from"), w.date("to")};
    w.finish();
    if (!(pause.from < pause.to)) {
      w.fail("to", "expected a date after 'from' (" + pause.from.to_string() + "), got " +
                       pause.to.to_string());
    }
    p.pauses.push_back(pause);
  }
  r.finish();
  return p;
}

BridgeParams decode_bridge(MapReader& r, SequenceReader& connects, Date start) {
  BridgeParams b;
  b.name = r.name("name");
  // Absent: open throughout, also for a start before BridgeParams' default date (1970).
  b.open = r.has("open") ? r.date("open") : start;
  b.capacity_jobs_per_hour =
      r.optional_number("capacity_jobs_per_hour", b.capacity_jobs_per_hour, Check::Positive);
  b.fee_fixed_usd = r.optional_number("fee_fixed_usd", b.fee_fixed_usd, Check::NonNegative);
  b.fee_proportional = r.optional_fraction("fee_proportional", b.fee_proportional);
  b.latency = r.optional_duration("latency", b.latency, Check::NonNegative);
  b.proof_overhead = r.optional_number("proof_overhead", b.proof_overhead, Check::NonNegative);
  b.prover_price_usd_per_pf_hour = r.optional_number(
      "prover_price_usd_per_pf_hour", b.prover_price_usd_per_pf_hour, Check::NonNegative);
  b.prover_pf = r.optional_number("prover_pf", b.prover_pf, Check::Positive);
  b.alliance_accepts = r.optional_boolean("alliance_accepts", b.alliance_accepts);
  if (std::optional<MapReader> outages = r.optional_map("outages")) {
    b.outages = decode_outages(std::move(*outages));
  }
  if (r.has("chain")) b.chain = r.name("chain");
  if (auto prover = r.optional_map("prover")) b.prover = decode_prover(std::move(*prover));
  const ConfigNode* list = r.find("connects");
  if (list != nullptr) {
    connects = SequenceReader(*list, r.key_path("connects"));
    for (size_t i = 0; i < connects.size(); ++i) {
      b.connects.push_back(read_name(connects.item(i), connects.item_path(i)));
    }
  }
  r.finish();
  if (b.prover) {
    // Two descriptions of one proof would be counted twice.
    for (const char* key : {"proof_overhead", "prover_price_usd_per_pf_hour", "prover_pf"}) {
      if (r.node().find(key) != nullptr) {
        r.fail(key,
               "a bridge with a 'prover' pool takes its proof cost and time from the pool: "
               "remove this key or the 'prover' block");
      }
    }
  }
  if (list == nullptr || b.connects.empty()) {
    throw Error(list == nullptr ? r.node().location : list->location,
                r.key_path("connects") + ": bridge '" + b.name +
                    "' is a bridge to nowhere: expected a non-empty list of the venues it "
                    "connects");
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// Checks across sections.

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
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

double fixed_capacity_pf(const FixedVenueParams& v) {
  return static_cast<double>(v.servers) * v.pf_per_server;
}

// With only fixed venues, a constant job width must fit the largest one, or its jobs could never
// start. (Random widths and venues whose capacity moves are the model's business: a job that
// fits nowhere is priced out.)
void check_widths_fit(const Scenario& s, std::vector<MapReader>& segment_readers) {
  for (const VenueParams& v : s.venues) {
    if (v.as<FixedVenueParams>() == nullptr) return;
  }
  const VenueParams* largest = &s.venues.front();
  for (const VenueParams& v : s.venues) {
    if (fixed_capacity_pf(*v.as<FixedVenueParams>()) >
        fixed_capacity_pf(*largest->as<FixedVenueParams>()))
      largest = &v;
  }
  const FixedVenueParams& servers = *largest->as<FixedVenueParams>();
  const double capacity_pf = fixed_capacity_pf(servers);
  for (size_t i = 0; i < s.segments.size(); ++i) {
    const Segment& g = s.segments[i];
    const SizeDistribution& w = g.demand.width_pf;
    if (w.shape != SizeDistribution::Shape::Constant || w.mean <= capacity_pf) continue;
    segment_readers[i].fail(
        "width_pf", "segment '" + g.name + "' has jobs of " + number_text(w.mean) +
                        " PF, which fit no venue (the largest is '" + largest->name + "' with " +
                        std::to_string(servers.servers) + " servers of " +
                        number_text(servers.pf_per_server) + " PF = " + number_text(capacity_pf) +
                        " PF)");
  }
}

struct SectionReaders {
  std::vector<MapReader> venues;
  std::vector<MapReader> segments;
  std::vector<MapReader> bridges;
  std::vector<SequenceReader> connects;  // per bridge
  std::optional<MapReader> indicators;
  bool daa_venue_given = false;
  std::optional<MapReader> routing;
  std::vector<MapReader> chains;
};

// Chains have unique names, and every chain that routing or a bridge names exists.
void check_chain_references(const Scenario& s, SectionReaders& readers) {
  std::vector<std::string> chain_names;
  for (const ChainParams& c : s.chains) chain_names.push_back(c.name);
  check_unique_names(readers.chains, chain_names, "chain");
  auto known = [&](const std::string& name) {
    return std::find(chain_names.begin(), chain_names.end(), name) != chain_names.end();
  };
  // "there is no chain named 'x' (chains: a, b)"
  auto unknown = [&](const std::string& name) {
    std::string message = "there is no chain named '" + name;
    message += "' (chains: ";
    message += chain_names.empty() ? "none" : joined(chain_names);
    message += ")";
    return message;
  };
  if (!s.routing.settlement_chain.empty() && !known(s.routing.settlement_chain)) {
    readers.routing->fail("settlement_chain", unknown(s.routing.settlement_chain));
  }
  for (size_t b = 0; b < s.bridges.size(); ++b) {
    const std::string& chain = s.bridges[b].chain;
    if (!chain.empty() && !known(chain)) {
      readers.bridges[b].fail(
          "chain", "bridge '" + s.bridges[b].name + "' names no chain: " + unknown(chain));
    }
  }
}

void check_references(Scenario& s, SectionReaders& readers) {
  std::vector<std::string> venue_names;
  for (const VenueParams& v : s.venues) venue_names.push_back(v.name);
  std::vector<std::string> segment_names;
  for (const Segment& g : s.segments) segment_names.push_back(g.name);
  std::vector<std::string> bridge_names;
  for (const BridgeParams& b : s.bridges) bridge_names.push_back(b.name);
  check_unique_names(readers.venues, venue_names, "venue");
  check_unique_names(readers.segments, segment_names, "segment");
  check_unique_names(readers.bridges, bridge_names, "bridge");

  auto venue_index = [&](std::string_view name) -> std::optional<size_t> {
    for (size_t i = 0; i < venue_names.size(); ++i) {
      if (venue_names[i] == name) return i;
    }
    return std::nullopt;
  };

  std::optional<size_t> pool;
  for (size_t i = 0; i < s.venues.size(); ++i) {
    if (s.venues[i].as<AlliancePoolParams>() == nullptr) continue;
    if (pool) {
      readers.venues[i].fail("kind", "a scenario has at most one pool venue, and '" +
                                         s.venues[*pool].name + "' (" +
                                         readers.venues[*pool].path() + ") is one already");
    }
    pool = i;
  }
  check_hardware_references(s, readers.venues);

  std::vector<bool> bridged(s.venues.size(), false);
  for (size_t b = 0; b < s.bridges.size(); ++b) {
    const SequenceReader& connects = readers.connects[b];
    for (size_t i = 0; i < s.bridges[b].connects.size(); ++i) {
      const std::string& name = s.bridges[b].connects[i];
      const std::optional<size_t> v = venue_index(name);
      if (!v) {
        throw Error(connects.item(i).location,
                    connects.item_path(i) + ": bridge '" + s.bridges[b].name +
                        "' leads to nowhere: there is no venue named '" + name +
                        "' (venues: " + joined(venue_names) + ")");
      }
      bridged[*v] = true;
    }
  }
  for (size_t i = 0; i < s.venues.size(); ++i) {
    if (!s.venues[i].direct_access && !bridged[i]) {
      readers.venues[i].fail("direct_access", "venue '" + s.venues[i].name +
                                                  "' has no direct access and no bridge connects "
                                                  "it, so no job can reach it");
    }
  }

  for (size_t i = 0; i < s.segments.size(); ++i) {
    if (s.segments[i].internal && !pool) {
      readers.segments[i].fail("internal", "segment '" + s.segments[i].name +
                                               "' is internal (served by the pool's reserved "
                                               "share), but no venue has kind 'pool'");
    }
  }

  if (!venue_index(s.indicators.daa_venue)) {
    if (readers.daa_venue_given) {
      readers.indicators->fail("daa_venue", "there is no venue named '" + s.indicators.daa_venue +
                                                "' (venues: " + joined(venue_names) + ")");
    }
    s.indicators.daa_venue.clear();  // the default names no venue: no DAA indicator
  }
  check_widths_fit(s, readers.segments);
  check_chain_references(s, readers);
}

// ---------------------------------------------------------------------------------------------
// One state of the scenario (everything but the timeline).

Scenario decode_snapshot(const ConfigNode& root) {
  Scenario s;
  SectionReaders readers;
  MapReader r(root, "");
  r.allow({"timeline"});  // decoded by decode_timeline
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

  if (auto units = r.optional_map("units")) {
    if (units->has("precision")) s.precision = units->name("precision");
    s.pf_per_gpu = units->optional_number("pf_per_gpu", s.pf_per_gpu, Check::Positive);
    s.hpl_fp64_pf_per_gpu =
        units->optional_number("hpl_fp64_pf_per_gpu", s.hpl_fp64_pf_per_gpu, Check::Positive);
    units->finish();
  }
  if (auto hardware = r.optional_map("hardware"))
    s.hardware = decode_hardware(std::move(*hardware));
  readers.routing = r.optional_map("routing");
  if (readers.routing) s.routing = decode_routing(*readers.routing);
  readers.indicators = r.optional_map("indicators");
  if (readers.indicators) {
    s.indicators = decode_indicators(*readers.indicators, readers.daa_venue_given);
  }

  SequenceReader venues = r.sequence("venues", Length::NonEmpty);
  readers.venues = venues.maps();
  for (MapReader& venue : readers.venues) s.venues.push_back(decode_venue(venue));

  SequenceReader segments = r.sequence("segments", Length::NonEmpty);
  readers.segments = segments.maps();
  for (MapReader& segment : readers.segments) s.segments.push_back(decode_segment(segment));

  SequenceReader bridges = r.optional_sequence("bridges");
  readers.bridges = bridges.maps();
  readers.connects.assign(readers.bridges.size(), SequenceReader("", SourceLocation{}));
  for (size_t i = 0; i < readers.bridges.size(); ++i) {
    s.bridges.push_back(decode_bridge(readers.bridges[i], readers.connects[i], s.start));
  }
  SequenceReader chains = r.optional_sequence("chains");
  readers.chains = chains.maps();
  for (MapReader& chain : readers.chains) s.chains.push_back(decode_chain(chain));
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
  check_references(s, readers);
  return s;
}

// ---------------------------------------------------------------------------------------------
// The timeline.

// Keys a timeline step may not set: they define the run itself, not a parameter of it.
constexpr std::string_view kFixedKeys[] = {"seed", "start",  "horizon",  "end",
                                           "tick", "warmup", "timeline", "extends"};

// Compact one-line YAML of a value, for step labels.
std::string flow_text(const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::Null:
      return "~";
    case ConfigNode::Kind::Scalar:
      return node.scalar;
    case ConfigNode::Kind::Sequence: {
      std::string out = "[";
      for (size_t i = 0; i < node.items.size(); ++i) {
        out += (i == 0 ? "" : ", ") + flow_text(node.items[i]);
      }
      return out + "]";
    }
    case ConfigNode::Kind::Map: {
      std::string out = "{";
      for (size_t i = 0; i < node.entries.size(); ++i) {
        out += (i == 0 ? "" : ", ") + node.entries[i].key + ": " + flow_text(node.entries[i].value);
      }
      return out + "}";
    }
  }
  return "";
}

// Every location written in a subtree, as message prefixes "file:line:col: ".
void collect_locations(const ConfigNode& node, std::set<std::string>& out) {
  out.insert(node.location.to_string() + ": ");
  for (const ConfigEntry& e : node.entries) {
    out.insert(e.key_location.to_string() + ": ");
    collect_locations(e.value, out);
  }
  for (const ConfigNode& item : node.items) collect_locations(item, out);
}

// find_path for a tree the caller may modify: find_path only offers a const view.
ConfigNode* find_mutable_path(ConfigNode& root, std::string_view path) {
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): the node is part of mutable `root`
  return const_cast<ConfigNode*>(find_path(root, path));
}

// Replaces the value at `path` (apply_override's syntax) with `value`, keeping `value`'s
// locations and locating the key at `key_location`, so that later errors point into the step.
// Returns whether `value` is the one already in force (the same text), so nothing changes.
bool set_located(ConfigNode& root, const ConfigEntry& entry, const std::string& set_path) {
  const std::string& path = entry.key;
  const std::string assignment = path + "=~";
  // Found before the assignment: a step may replace the very `name` by which it was found.
  const bool ends_with_key = !path.empty() && path.back() != ']';
  const size_t dot = path.rfind('.');
  ConfigNode* target = nullptr;
  ConfigNode* parent = nullptr;
  bool unchanged = false;
  try {
    target = find_mutable_path(root, path);
    unchanged = target != nullptr && same_content(*target, entry.value);
    if (ends_with_key) {
      parent = dot == std::string::npos ? &root : find_mutable_path(root, path.substr(0, dot));
    }
    apply_override(root, assignment);
  } catch (const Error& e) {
    std::string why = e.what();
    const std::string prefix = "--set " + assignment + ": ";
    if (why.rfind(prefix, 0) == 0) why.erase(0, prefix.size());
    throw Error(entry.key_location, set_path + ": cannot set '" + path + "': " + why);
  }
  if (target == nullptr) target = find_mutable_path(root, path);  // a new key
  GPUMARKET_CHECK(target != nullptr);
  *target = entry.value;
  if (parent != nullptr && parent->is_map()) {
    ConfigEntry* key = parent->find_entry(dot == std::string::npos ? path : path.substr(dot + 1));
    GPUMARKET_CHECK(key != nullptr);
    key->key_location = entry.key_location;
  }
  return unchanged;
}

// A step may change values only: the items (and their kinds) and the run's frame stay.
void check_same_frame(const Scenario& base, const Scenario& state, const SourceLocation& where,
                      const std::string& set_path) {
  auto fail = [&](const std::string& what) {
    throw Error(where,
                set_path + ": a timeline step may change parameter values only, not " + what);
  };
  auto names = [](const auto& items) {
    std::vector<std::string> out;
    out.reserve(items.size());
    for (const auto& item : items) out.push_back(item.name);
    return out;
  };
  if (names(base.venues) != names(state.venues)) {
    fail("the list of venues (" + joined(names(base.venues)) + " became " +
         joined(names(state.venues)) + ")");
  }
  for (size_t i = 0; i < base.venues.size(); ++i) {
    if (base.venues[i].kind.index() != state.venues[i].kind.index()) {
      fail("the kind of venue '" + base.venues[i].name + "'");
    }
  }
  if (names(base.segments) != names(state.segments)) {
    fail("the list of segments (" + joined(names(base.segments)) + " became " +
         joined(names(state.segments)) + ")");
  }
  if (names(base.bridges) != names(state.bridges)) {
    fail("the list of bridges (" + joined(names(base.bridges)) + " became " +
         joined(names(state.bridges)) + ")");
  }
  if (names(base.chains) != names(state.chains)) {
    fail("the list of chains (" + joined(names(base.chains)) + " became " +
         joined(names(state.chains)) + ")");
  }
  // The run builds verification streams and prover pools once, from the base scenario.
  for (size_t i = 0; i < base.venues.size(); ++i) {
    const auto& before = base.venues[i].verification;
    const auto& after = state.venues[i].verification;
    if (before.has_value() != after.has_value() ||
        (before && before->prover.has_value() != after->prover.has_value())) {
      fail("whether venue '" + base.venues[i].name + "' has a verification or prover block");
    }
  }
  for (size_t i = 0; i < base.bridges.size(); ++i) {
    if (base.bridges[i].prover.has_value() != state.bridges[i].prover.has_value()) {
      fail("whether bridge '" + base.bridges[i].name + "' has a prover block");
    }
  }
}

// How a step changes the values at its paths: replaces them, or multiplies or adds to the
// numbers in force, so that a step inherited through `extends` composes with a child's values.
enum class StepOp { Set, Scale, Add };
constexpr std::string_view kStepOps[] = {"set", "scale", "add"};

// One of a step's `set`, `scale` or `add` mappings.
struct StepChanges {
  StepOp op = StepOp::Set;
  const ConfigNode* entries = nullptr;  // a non-empty mapping of path: value
  std::string path;                     // "timeline[i].set"
};

struct RawStep {
  Date date;
  std::string name;
  std::vector<StepChanges> changes;  // in the order set, scale, add
  // Where errors about the whole step point: its first mapping of changes.
  SourceLocation location;
  std::string path;  // e.g. "timeline[i].set"
};

// Throws Error at the step's `date` when it falls outside the run.
void check_step_date(const MapReader& r, const RawStep& step, const Scenario& base) {
  const SimTime end = SimTime::start() + base.horizon;
  const int64_t days = step.date.days_since_epoch() - base.start.days_since_epoch();
  const SimTime at = SimTime::start() + Duration::days(days);
  if (days < 0 || at >= end) {
    const int64_t last_day =
        (base.horizon.count_micros() + Duration::kMicrosPerDay - 1) / Duration::kMicrosPerDay - 1;
    r.fail("date", step.date.to_string() +
                       " is outside the horizon: expected a date from the start (" +
                       base.start.to_string() + ") to " +
                       Date::from_days(base.start.days_since_epoch() + last_day).to_string() +
                       " (the run lasts " + hours_text(base.horizon) + ")");
  }
}

// Throws Error at the first path of the step's `set` that names a key fixed for the run, or a
// name or kind.
void check_step_paths(const StepChanges& step) {
  const std::string& set_path = step.path;
  for (const ConfigEntry& e : step.entries->entries) {
    const std::string first = e.key.substr(0, e.key.find_first_of(".["));
    if (std::find(std::begin(kFixedKeys), std::end(kFixedKeys), first) != std::end(kFixedKeys)) {
      throw Error(e.key_location, set_path + ": a timeline step may not set '" + e.key +
                                      "': seed, start, horizon, end, tick and warmup define the "
                                      "run and stay fixed");
    }
    const size_t dot = e.key.rfind('.');
    const std::string last = dot == std::string::npos ? e.key : e.key.substr(dot + 1);
    if (dot != std::string::npos && (last == "name" || last == "kind")) {
      throw Error(e.key_location, set_path + ": a timeline step may not set '" + e.key +
                                      "': names and kinds stay fixed");
    }
    // The outage process is drawn for the whole run from the scenario as written.
    if (first == "bridges" && e.key.find(".outages") != std::string::npos) {
      throw Error(e.key_location, set_path + ": a timeline step may not set '" + e.key +
                                      "': a bridge's outages stay fixed for the run");
    }
  }
}

// One item of `timeline`, checked on its own: its keys, its date and the paths it changes.
RawStep decode_step(MapReader r, const Scenario& base) {
  RawStep step;
  step.date = r.date("date");
  if (r.has("name")) step.name = r.name("name");
  for (size_t k = 0; k < std::size(kStepOps); ++k) {
    const ConfigNode* entries = r.find(kStepOps[k]);
    if (entries == nullptr) continue;
    const std::string path = r.key_path(kStepOps[k]);
    if (!entries->is_map() || entries->entries.empty()) {
      throw Error(entries->location, path + ": expected a non-empty mapping of path: value, got " +
                                         std::string(entries->kind_description()));
    }
    step.changes.push_back({static_cast<StepOp>(k), entries, path});
  }
  r.finish();
  if (step.changes.empty()) {
    throw Error(r.node().location,
                r.path() + ": expected at least one of 'set', 'scale' or 'add' (path: value)");
  }
  step.location = step.changes.front().entries->location;
  step.path = step.changes.front().path;
  check_step_date(r, step, base);
  for (const StepChanges& changes : step.changes) check_step_paths(changes);
  return step;
}

// The scenario `state` describes once `step` is applied to it.
Scenario decode_step_state(const ConfigNode& state, const RawStep& step) {
  try {
    return decode_snapshot(state);
  } catch (const Error& e) {
    // An error at a value the step wrote is already located in the step; any other (a check
    // across fields) is reported at the step, with the original location inside.
    std::set<std::string> own;
    for (const StepChanges& changes : step.changes) collect_locations(*changes.entries, own);
    const std::string message = e.what();
    for (const std::string& prefix : own) {
      if (message.rfind(prefix, 0) == 0) throw;
    }
    throw Error(step.location, step.path + ": after this step the scenario is invalid: " + message);
  }
}

// Shortest text that reads back as `x` exactly, for a value a step computes.
std::string exact_number_text(double x) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(std::begin(buffer), std::end(buffer), x);
  GPUMARKET_CHECK(ec == std::errc());
  return {std::begin(buffer), end};
}

// The entry a `scale` or `add` entry amounts to: `path: <number in force> × or + <operand>`,
// located at the operand.
ConfigEntry relative_entry(const ConfigNode& state, const ConfigEntry& e,
                           const StepChanges& changes) {
  const std::string operand_path = changes.path + "." + e.key;
  const double operand = read_number(e.value, operand_path);
  const std::string op(kStepOps[static_cast<size_t>(changes.op)]);
  double before = 0.0;
  const ConfigNode* current = nullptr;
  try {
    current = find_path(state, e.key);
    if (current != nullptr) before = read_number(*current, e.key);
  } catch (const Error&) {
    current = nullptr;  // a bad path or not a number: reported below, at the step
  }
  if (current == nullptr) {
    throw Error(e.key_location, changes.path + ": cannot " + op + " '" + e.key +
                                    "': expected a number written in the scenario before this "
                                    "step (a default cannot be scaled or added to; set it first)");
  }
  const double after = changes.op == StepOp::Scale ? before * operand : before + operand;
  if (!std::isfinite(after)) {
    throw Error(e.value.location, operand_path + ": " + current->scalar +
                                      (changes.op == StepOp::Scale ? " × " : " + ") +
                                      e.value.scalar + " is not a finite number");
  }
  return {e.key, e.key_location,
          ConfigNode::make_scalar(exact_number_text(after), e.value.location)};
}

// A value written in one file (or by --set) that a step written elsewhere replaces: the
// writer of the value cannot see that it holds only until the step, as when a variant sets
// a key that its parent's timeline sets again later.
void warn_overwritten(const ConfigNode& state, const ConfigEntry& e, const RawStep& step,
                      const StepChanges& changes, std::vector<Warning>& warnings) {
  const ConfigNode* current = nullptr;
  try {
    current = find_path(state, e.key);
  } catch (const Error&) {
    return;  // set_located reports a bad path
  }
  // A step rewritten by --set (line 0) is the user's own change of the step.
  if (current == nullptr || current->location.file.empty() || e.key_location.line == 0 ||
      current->location.file == e.key_location.file || same_content(*current, e.value)) {
    return;
  }
  warnings.push_back(
      {current->location,
       "'" + e.key + "' is " + flow_text(*current) + " here only until " + step.date.to_string() +
           ": from then on " + changes.path + " (" + e.key_location.to_string() + ") sets it to " +
           flow_text(e.value) +
           "; state the value for after the step too (restate the step by name), or make the "
           "step relative (scale or add)"});
}

// Applies `step` to `state` (the scenario tree so far) and returns the step as the run sees
// it: when, a label, and the whole scenario from then on. With `warnings`, appends one for each
// value the step sets to the one already in force, and one for each value written elsewhere
// that the step replaces.
TimelineStep apply_step(ConfigNode& state, const RawStep& step, const Scenario& base,
                        std::vector<Warning>* warnings) {
  std::string label = step.date.to_string() + (step.name.empty() ? "" : " " + step.name) + ":";
  const char* separator = " ";
  for (const StepChanges& changes : step.changes) {
    for (const ConfigEntry& written : changes.entries->entries) {
      const bool relative = changes.op != StepOp::Set;
      const ConfigEntry e = relative ? relative_entry(state, written, changes) : written;
      if (!relative && warnings != nullptr) warn_overwritten(state, e, step, changes, *warnings);
      if (set_located(state, e, changes.path) && warnings != nullptr) {
        warnings->push_back({written.value.location,
                             changes.path + ": '" + e.key + "' is already " + flow_text(e.value) +
                                 " before this step, which does not change it"});
      }
      const char* op = changes.op == StepOp::Set ? "=" : changes.op == StepOp::Scale ? "*=" : "+=";
      label += separator + e.key + op + flow_text(written.value);
      separator = ", ";
    }
  }
  Scenario snapshot = decode_step_state(state, step);
  check_same_frame(base, snapshot, step.location, step.path);
  TimelineStep t;
  t.at = midnight_of(step.date, base.start);
  t.label = std::move(label);
  t.state = std::make_shared<const Scenario>(std::move(snapshot));
  return t;
}

std::vector<TimelineStep> decode_timeline(const ConfigNode& root, const Scenario& base,
                                          std::vector<Warning>* warnings) {
  const ConfigNode* node = root.find("timeline");
  if (node == nullptr || node->is_null()) return {};
  const SequenceReader list(*node, "timeline");
  std::vector<RawStep> raw;
  for (size_t i = 0; i < list.size(); ++i) raw.push_back(decode_step(list.map(i), base));
  std::stable_sort(raw.begin(), raw.end(),
                   [](const RawStep& a, const RawStep& b) { return a.date < b.date; });

  std::vector<TimelineStep> timeline;
  timeline.reserve(raw.size());
  ConfigNode state = root;
  state.remove("timeline");
  for (const RawStep& step : raw) timeline.push_back(apply_step(state, step, base, warnings));
  return timeline;
}

// ---------------------------------------------------------------------------------------------
// Warnings: settings that validate but can have no effect in the run.

class WarningList {
 public:
  WarningList(const ConfigNode& root, std::vector<Warning>& out) : root_(root), out_(out) {}
  const ConfigNode& root() const { return root_; }

  // A warning at the first of `paths` (apply_override's syntax) that is written, e.g. a key
  // and then its mapping for a default; the last must always be written.
  void add(std::initializer_list<std::string> paths, const std::string& sentence) {
    for (const std::string& path : paths) {
      if (const ConfigNode* node = find_path(root_, path)) {
        std::string message = path;
        message += ": ";
        message += sentence;
        out_.push_back({node->location, std::move(message)});
        return;
      }
    }
    GPUMARKET_CHECK(false);
  }

 private:
  const ConfigNode& root_;
  std::vector<Warning>& out_;
};

// Where the run ends: "2026-09-15", or "2026-09-15 + 6h" within a day.
std::string run_end_text(const Scenario& s) {
  const int64_t days = s.horizon.count_micros() / Duration::kMicrosPerDay;
  const Duration rest = s.horizon - Duration::days(days);
  std::string out = Date::from_days(s.start.days_since_epoch() + days).to_string();
  if (rest > Duration()) out += " + " + hours_text(rest);
  return out;
}

// The DAA windows and the bridge split against the run's dates.
void warn_indicator_dates(const Scenario& s, WarningList& warn) {
  const SimTime end = SimTime::start() + s.horizon;
  const std::string ends = "the run ends on " + run_end_text(s);
  const std::string starts = "the run starts on " + s.start.to_string();
  const IndicatorParams& ind = s.indicators;
  auto at = [&](Date d) { return midnight_of(d, s.start); };
  if (!ind.daa_venue.empty()) {
    const std::string nan = ": the DAA indicators of '" + ind.daa_venue + "' will be NaN";
    if (at(ind.daa_before_to) <= SimTime::start()) {
      warn.add({"indicators.daa_before.to", "indicators", "start"},
               starts + ", after the DAA 'before' window ends (" + ind.daa_before_to.to_string() +
                   ")" + nan);
    } else if (end <= at(ind.daa_before_from)) {
      warn.add({"indicators.daa_before.from", "indicators", "end", "horizon"},
               ends + ", before the DAA 'before' window starts (" +
                   ind.daa_before_from.to_string() + ")" + nan);
    }
    if (at(ind.daa_after_to) <= SimTime::start()) {
      warn.add({"indicators.daa_after.to", "indicators", "start"},
               starts + ", after the DAA 'after' window ends (" + ind.daa_after_to.to_string() +
                   ")" + nan);
    } else if (end < at(ind.daa_after_to)) {
      warn.add({"indicators.daa_after.to", "indicators", "end", "horizon"},
               ends + ", before the DAA 'after' window ends (" + ind.daa_after_to.to_string() +
                   ")" +
                   (end <= at(ind.daa_after_from)
                        ? nan
                        : ": the 'after' mean covers only the part of the window in the run"));
    }
  }
  if (s.bridges.empty()) return;
  const std::string split = "the bridge split (" + ind.bridge_split.to_string() + ")";
  if (at(ind.bridge_split) <= SimTime::start()) {
    warn.add({"indicators.bridge_split", "indicators", "start"},
             split + " is not after the start: " + starts +
                 ", so the bridge volume before the split will be NaN");
  } else if (at(ind.bridge_split) >= end) {
    warn.add({"indicators.bridge_split", "indicators", "end", "horizon"},
             split + " is not before the end: " + ends +
                 ", so the bridge volume after the split will be NaN");
  }
}

// Bridges that never open, and a pool that no licensed job, or no licensed public-chain job,
// can use.
void warn_routes(const Scenario& s, WarningList& warn) {
  const SimTime end = SimTime::start() + s.horizon;
  const std::string ends = "the run ends on " + run_end_text(s);
  for (size_t b = 0; b < s.bridges.size(); ++b) {
    const BridgeParams& bridge = s.bridges[b];
    if (midnight_of(bridge.open, s.start) < end) continue;
    const std::string item = "bridges[" + std::to_string(b) + "]";
    warn.add({item + ".open"}, "bridge '" + bridge.name + "' opens on " + bridge.open.to_string() +
                                   ", but " + ends + ": no job can use it");
  }
  for (size_t v = 0; v < s.venues.size(); ++v) {
    const AlliancePoolParams* pool = s.venues[v].as<AlliancePoolParams>();
    if (pool == nullptr) continue;
    const std::string& name = s.venues[v].name;
    const std::string item = "venues[" + std::to_string(v) + "]";
    // As addresses decide to apply (market/market_licences.cpp): the wait for approval is at
    // least the review time, and no address applies when it outlasts the planning horizon.
    const LicensingParams& licensing = pool->licensing;
    if (licensing.applications &&
        licensing.licence_delay >= licensing.applications->planning_horizon) {
      warn.add({item + ".licence_delay", item},
               "pool '" + name + "': a licence takes " + hours_text(licensing.licence_delay) +
                   ", no less than the planning horizon of " +
                   hours_text(licensing.applications->planning_horizon) + ": no address applies");
    }
    if (pool->procurement && pool->procurement->rule == ProcurementParams::Rule::Schedule) {
      const auto& schedule = pool->procurement->schedule;
      const auto late = std::count_if(schedule.begin(), schedule.end(), [&](const auto& order) {
        return midnight_of(order.date, s.start) >= end;
      });
      if (late > 0) {
        warn.add({item + ".procurement.schedule", item + ".procurement", item},
                 std::to_string(late) + " of the pool's " + std::to_string(schedule.size()) +
                     " scheduled orders fall on or after the end (" + ends +
                     "): they are never placed");
      }
    }
    if (!licensing.ban_tokenized_access) {
      if (licensing.ban_detection_probability) {
        warn.add({item + ".ban_evasion", item},
                 "pool '" + name +
                     "' does not ban tokenized access: there is no ban to evade, and the "
                     "detection probability has no effect");
      }
      continue;
    }
    // Licensed public-chain jobs reach the pool over a bridge it accepts, or by evading the ban.
    bool reachable = licensing.ban_detection_probability.has_value();
    for (size_t b = 0; b < s.bridges.size(); ++b) {
      const BridgeParams& bridge = s.bridges[b];
      if (!bridge.alliance_accepts ||
          std::find(bridge.connects.begin(), bridge.connects.end(), name) == bridge.connects.end())
        continue;
      // Under the ban the pool takes bridged work only when the bridge proves it.
      if (licensing.accepts_zk_bridged_work && bridge.proves()) {
        reachable = true;
        continue;
      }
      warn.add({"bridges[" + std::to_string(b) + "].alliance_accepts"},
               "bridge '" + bridge.name + "' has alliance_accepts, but pool '" + name +
                   "' bans tokenized access and " +
                   (licensing.accepts_zk_bridged_work
                        ? std::string("the bridge does not prove its jobs")
                        : std::string("does not accept ZK-verified bridged work")) +
                   ": the pool refuses its work");
    }
    if (reachable) continue;
    for (size_t g = 0; g < s.segments.size(); ++g) {
      const Segment& segment = s.segments[g];
      if (segment.internal || segment.demand.origin != Origin::PublicChain ||
          !(segment.demand.licensed_share > 0.0))
        continue;
      warn.add({"segments[" + std::to_string(g) + "].licensed_share"},
               "segment '" + segment.name + "' has licensed public-chain jobs, but pool '" + name +
                   "' bans tokenized access and no bridge with alliance_accepts connects it: "
                   "they have no route to the pool");
    }
  }
}

// Pool operation settings that cannot act: a price controller the rule does not use, research
// grants that raise no segment's value or only after the end, and open-source segments with no
// grants to gain from.
void warn_pool_operation(const Scenario& s, WarningList& warn) {
  const SimTime end = SimTime::start() + s.horizon;
  bool any_grants = false;
  const bool any_open_source =
      std::any_of(s.segments.begin(), s.segments.end(),
                  [](const Segment& g) { return g.demand.uses_open_source_models; });
  for (size_t v = 0; v < s.venues.size(); ++v) {
    const AlliancePoolParams* pool = s.venues[v].as<AlliancePoolParams>();
    if (pool == nullptr) continue;
    const std::string item = "venues[" + std::to_string(v) + "]";
    if (pool->price_rule == PoolPriceRule::CostBased) {
      if (find_path(warn.root(), item + ".utilisation_target") != nullptr) {
        warn.add({item + ".utilisation_target"},
                 "the pool's price_rule is cost: the utilisation target is not used");
      }
    }
    if (!pool->research_grants) continue;
    any_grants = true;
    const ResearchGrantParams& g = *pool->research_grants;
    const Date from = g.from.value_or(pool->capacity_ramp.front().date);
    if (midnight_of(from, s.start) + g.lag >= end) {
      warn.add({item + ".research_grants.lag", item + ".research_grants"},
               "research grants start on " + from.to_string() + " and act after " +
                   hours_text(g.lag) + ", but the run ends on " + run_end_text(s) +
                   ": they raise no value in the run");
    } else if (!any_open_source) {
      warn.add({item + ".research_grants"},
               "no segment has uses_open_source_models: the research grants raise no value");
    }
  }
  if (any_grants) return;
  for (size_t g = 0; g < s.segments.size(); ++g) {
    if (!s.segments[g].demand.uses_open_source_models) continue;
    warn.add({"segments[" + std::to_string(g) + "].uses_open_source_models"},
             "no pool has research_grants: segment '" + s.segments[g].name +
                 "' gains nothing from using open-source models");
  }
}

}  // namespace

std::string Warning::to_string() const {
  const std::string at = where.to_string();
  return (at.empty() ? "" : at + ": ") + "warning: " + message;
}

// The warnings `check` gives in every state of the run (the start and after each timeline
// step), in the start's order: a setting that acts in some state is not without effect.
template <class Check>
void warn_in_every_state(const ConfigNode& root, const Scenario& s, const Check& check,
                         std::vector<Warning>& out) {
  std::vector<Warning> at_start;
  WarningList start_list(root, at_start);
  check(s, start_list);
  for (const TimelineStep& step : s.timeline) {
    if (at_start.empty()) return;
    std::vector<Warning> then;
    WarningList then_list(root, then);
    check(*step.state, then_list);
    std::erase_if(at_start, [&](const Warning& w) {
      return std::none_of(then.begin(), then.end(),
                          [&](const Warning& t) { return t.to_string() == w.to_string(); });
    });
  }
  out.insert(out.end(), at_start.begin(), at_start.end());
}

Scenario decode_scenario(const ConfigNode& root, std::vector<Warning>* warnings) {
  Scenario s = decode_snapshot(root);
  std::vector<Warning> timeline_warnings;
  s.timeline = decode_timeline(root, s, warnings != nullptr ? &timeline_warnings : nullptr);
  if (warnings != nullptr) {
    WarningList warn(root, *warnings);
    warn_indicator_dates(s, warn);
    warn_in_every_state(root, s, warn_routes, *warnings);
    warn_in_every_state(root, s, warn_pool_operation, *warnings);
    warnings->insert(warnings->end(), timeline_warnings.begin(), timeline_warnings.end());
  }
  return s;
}

LoadedScenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  LoadedScenario loaded;
  loaded.path = path;
  loaded.text = read_config_text(path);
  ConfigNode root = resolve_extends(parse_config_text(loaded.text, path), path);
  for (const std::string& assignment : overrides) apply_override(root, assignment);
  loaded.scenario = decode_scenario(root, &loaded.warnings);
  loaded.resolved_yaml = to_yaml(root);
  loaded.tree = std::move(root);
  return loaded;
}

}  // namespace gpumarket
