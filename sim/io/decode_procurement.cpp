// Decoders of the pool's capacity (ramp, target, procurement) and of the hardware market's
// segments, and their checks against the run and the other sections (docs/model.md,
// "Procurement", "Hardware markets").
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "scenario_decode.hpp"

namespace gpumarket::scenario_decode {
namespace {

std::vector<CapacityPoint> decode_ramp(const SequenceReader& points) {
  std::vector<CapacityPoint> ramp;
  std::vector<MapReader> readers = points.maps();
  for (MapReader& p : readers) {
    CapacityPoint point;
    point.date = p.date("date");
    point.capacity_pf = p.number("pf", Check::NonNegative);
    p.finish();
    ramp.push_back(point);
  }
  for (size_t i = 1; i < ramp.size(); ++i) {
    if (ramp[i].date <= ramp[i - 1].date) {
      readers[i].fail("date", "expected a date after the previous point's (" +
                                  ramp[i - 1].date.to_string() +
                                  "): ramp dates must increase, got " + ramp[i].date.to_string());
    }
  }
  return ramp;
}

CapacityTarget decode_target(MapReader r) {
  CapacityTarget t;
  t.pf = r.number("pf", Check::Positive);
  t.by = r.date("by");
  t.precision = r.name("precision");
  r.finish();
  return t;
}

LognormalDelayParams decode_lead_time(MapReader r, LognormalDelayParams d) {
  d.median = r.optional_duration("median", d.median, Check::Positive);
  d.log_sd = r.optional_number("sigma", d.log_sd, Check::NonNegative);
  r.finish();
  return d;
}

void decode_sanctions(MapReader r, SanctionsParams& s) {
  s.rate_per_year = r.optional_number("rate_per_year", s.rate_per_year, Check::NonNegative);
  s.deliverable_share = r.optional_fraction("deliverable_share", s.deliverable_share);
  s.grey_premium = r.optional_number("grey_premium", s.grey_premium, Check::NonNegative);
  s.duration = r.optional_duration("duration", s.duration, Check::Positive);
  s.supply_cut = optional_fraction_below_one(r, "supply_cut", s.supply_cut);
  r.finish();
}

void decode_volume_discount(MapReader r, VolumeDiscountParams& v) {
  v.max = optional_fraction_below_one(r, "max", v.max);
  v.half_pf = r.optional_number("half_pf", v.half_pf, Check::Positive);
  r.finish();
}

// Either equal tranches every `interval` from `from` to `to` (both included when the steps
// land on it), or explicit dated USD orders.
void decode_schedule(MapReader r, ProcurementParams& p) {
  const bool tranches = r.has("from") || r.has("to") || r.has("interval");
  if (tranches && r.has("orders")) {
    r.fail("orders", "give either equal tranches (from, to, interval) or dated orders, not both");
  }
  p.schedule.clear();
  if (tranches) {
    const Date from = r.date("from");
    const Date to = r.date("to");
    const Duration interval = r.duration("interval", Check::Positive);
    r.finish();
    if (to < from) fail_expected(r, "to", "a date no earlier than from (" + from.to_string() + ")");
    const int64_t step_days =
        std::max<int64_t>(1, interval.count_micros() / Duration::kMicrosPerDay);
    for (int64_t d = from.days_since_epoch(); d <= to.days_since_epoch(); d += step_days) {
      p.schedule.push_back({Date::from_days(d), 0.0});
    }
    p.equal_tranches = true;
    return;
  }
  std::vector<MapReader> orders = r.sequence("orders", Length::NonEmpty).maps();
  r.finish();
  for (size_t i = 0; i < orders.size(); ++i) {
    ScheduledOrder order;
    order.date = orders[i].date("date");
    order.usd = orders[i].number("usd", Check::Positive);
    orders[i].finish();
    if (i > 0 && order.date <= p.schedule.back().date) {
      orders[i].fail("date", "expected a date after the previous order's (" +
                                 p.schedule.back().date.to_string() + "), got " +
                                 order.date.to_string());
    }
    p.schedule.push_back(order);
  }
  p.equal_tranches = false;
}

ProcurementParams decode_procurement(MapReader r) {
  ProcurementParams p;
  const std::string rule =
      r.optional_enumeration("rule", "utilisation", {"utilisation", "schedule"});
  p.rule =
      rule == "schedule" ? ProcurementParams::Rule::Schedule : ProcurementParams::Rule::Utilisation;
  p.initial_pf = r.optional_number("initial_pf", p.initial_pf, Check::NonNegative);
  if (auto schedule = r.optional_map("schedule")) {
    if (p.rule != ProcurementParams::Rule::Schedule) {
      r.fail("schedule", "a schedule is read only under rule: schedule (the rule is " + rule + ")");
    }
    decode_schedule(std::move(*schedule), p);
  } else if (p.rule == ProcurementParams::Rule::Schedule) {
    r.fail("schedule", "rule: schedule needs a schedule: {from, to, interval} or {orders: [...]}");
  }
  p.target_utilisation = r.optional_number("target_utilisation", p.target_utilisation);
  p.review_interval = r.optional_duration("review_interval", p.review_interval, Check::Positive);
  if (auto lead = r.optional_map("lead_time"))
    p.lead_time = decode_lead_time(std::move(*lead), p.lead_time);
  if (auto s = r.optional_map("sanctions")) decode_sanctions(std::move(*s), p.sanctions);
  if (auto v = r.optional_map("volume_discount"))
    decode_volume_discount(std::move(*v), p.volume_discount);
  r.finish();
  if (!(p.target_utilisation > 0.0 && p.target_utilisation <= 1.0)) {
    fail_expected(r, "target_utilisation", "a number in (0, 1]");
  }
  return p;
}

void decode_segment(MapReader r, HardwareSegmentParams& h) {
  h.initial = r.optional_number("initial", h.initial, Check::Positive);
  h.decline_per_year = optional_fraction_below_one(r, "decline_per_year", h.decline_per_year);
  h.world_demand_pf_per_year =
      r.optional_number("world_demand_pf_per_year", h.world_demand_pf_per_year, Check::NonNegative);
  h.pool_share = r.optional_fraction("pool_share", h.pool_share);
  h.supply_lag = r.optional_duration("supply_lag", h.supply_lag, Check::Positive);
  h.supply_elasticity =
      r.optional_number("supply_elasticity", h.supply_elasticity, Check::Positive);
  r.finish();
}

// Where the pool's block `block` (capacity, procurement) holds `key`, for checks made after
// decoding: "venues[0].procurement.schedule: ...".
[[noreturn]] void fail_in(const MapReader& venue, std::string_view block, std::string_view key,
                          const std::string& message) {
  const ConfigNode* map = venue.node().find(block);
  const ConfigNode* value = map == nullptr ? nullptr : map->find(key);
  const SourceLocation& where =
      value != nullptr ? value->location : (map != nullptr ? map->location : venue.node().location);
  throw Error(where, venue.key_path(block) + "." + std::string(key) + ": " + message);
}

// The ramp's cost: every rise of its capacity, bought at the initial unit cost.
double ramp_cost_usd(const AlliancePoolParams& p, double index) {
  double pf = 0.0;
  double last = 0.0;
  for (const CapacityPoint& point : p.capacity_ramp) {
    pf += std::max(0.0, point.capacity_pf - last);
    last = point.capacity_pf;
  }
  return pf * p.capex_usd_per_pf * index;
}

void check_pool(const Scenario& s, const MapReader& venue, const AlliancePoolParams& p) {
  const double budget = p.budget.usd(kHardwareBudget);
  const double index = s.hardware.segments[s.hardware.position(p.hardware_segment)].initial;
  if (p.capacity_target && p.capacity_target->precision != s.precision &&
      p.capacity_target->precision != "hpl_fp64") {
    const ConfigNode* capacity = venue.node().find("capacity");
    throw Error(capacity != nullptr && capacity->find("target") != nullptr
                    ? capacity->find("target")->location
                    : venue.node().location,
                venue.key_path("capacity") + ".target.precision: expected units.precision (" +
                    s.precision + ") or hpl_fp64, got " + p.capacity_target->precision);
  }
  if (!p.procurement) {
    const double cost = ramp_cost_usd(p, index);
    if (cost > budget) {
      fail_in(venue, "capacity", "ramp",
              "the ramp costs " + number_text(cost) +
                  " USD at the initial unit cost (capex_usd_per_pf × the index), above the "
                  "hardware budget (budget.total_usd × split.hardware = " +
                  number_text(budget) + " USD)");
    }
    return;
  }
  const ProcurementParams& q = *p.procurement;
  const double initial_cost = q.initial_pf * p.capex_usd_per_pf * index;
  if (initial_cost > budget) {
    fail_in(venue, "procurement", "initial_pf",
            "the initial capacity costs " + number_text(initial_cost) +
                " USD, above the hardware budget (" + number_text(budget) + " USD)");
  }
  if (q.rule != ProcurementParams::Rule::Schedule) return;
  // Orders after the end are a warning (a shortened run); a schedule that starts before the
  // run or places no order in it is an error.
  const SimTime end = SimTime::start() + s.horizon;
  const ScheduledOrder& first = q.schedule.front();
  if (midnight_of(first.date, s.start) < SimTime::start() ||
      midnight_of(first.date, s.start) >= end) {
    fail_in(venue, "procurement", "schedule",
            "expected a first order date inside the run [" + s.start.to_string() + ", end), got " +
                first.date.to_string());
  }
  if (q.equal_tranches) return;
  double total = initial_cost;
  for (const ScheduledOrder& order : q.schedule) total += order.usd;
  if (total > budget) {
    fail_in(venue, "procurement", "schedule",
            "the orders and the initial capacity cost " + number_text(total) +
                " USD, above the hardware budget (" + number_text(budget) + " USD)");
  }
}

std::string segment_list(const HardwareMarketParams& h) {
  std::string names;
  for (const HardwareSegmentParams& s : h.segments) names += (names.empty() ? "" : ", ") + s.name;
  return names;
}

}  // namespace

void decode_pool_capacity(MapReader& r, AlliancePoolParams& p) {
  if (std::optional<MapReader> capacity = r.optional_map("capacity")) {
    MapReader& c = *capacity;
    for (std::string_view old : {"budget_usd", "hardware_share"}) {
      if (c.has(old)) {
        c.fail(old,
               "replaced: the pool's money is budget: {total_usd: ..., split: {hardware: ...}} "
               "and procurement: {rule: utilisation or schedule, ...} spends the hardware share "
               "(docs/model.md, \"Procurement\")");
      }
    }
    if (c.has("ramp")) p.capacity_ramp = decode_ramp(c.sequence("ramp", Length::NonEmpty));
    if (auto target = c.optional_map("target"))
      p.capacity_target = decode_target(std::move(*target));
    c.finish();
  }
  if (auto procurement = r.optional_map("procurement")) {
    const ConfigNode* capacity = r.node().find("capacity");
    if (capacity != nullptr && capacity->find("ramp") != nullptr) {
      r.fail("procurement",
             "give either capacity.ramp (capacity as given) or procurement "
             "(capacity bought from the hardware budget), not both");
    }
    p.procurement = decode_procurement(std::move(*procurement));
  }
  p.hardware_segment = r.optional_string("hardware_segment", p.hardware_segment);
}

HardwareMarketParams decode_hardware(MapReader r) {
  HardwareMarketParams h;
  for (const ConfigEntry& entry : r.node().entries) {
    if (entry.value.kind != ConfigNode::Kind::Map) {
      r.fail(entry.key,
             "the hardware market is per segment: write hardware: {datacentre: {decline_per_year: "
             "..., world_demand_pf_per_year: ...}, consumer: {...}} (docs/model.md, \"Hardware "
             "markets\")");
    }
    size_t position = h.position(entry.key);
    if (position == h.segments.size()) {
      h.segments.push_back({});
      h.segments.back().name = entry.key;
    }
    decode_segment(r.map(entry.key), h.segments[position]);
  }
  r.finish();
  return h;
}

void check_hardware_references(const Scenario& s, const std::vector<MapReader>& venues) {
  for (size_t i = 0; i < s.venues.size(); ++i) {
    const auto* pool = s.venues[i].as<AlliancePoolParams>();
    const auto* marketplace = s.venues[i].as<MarketplaceParams>();
    const std::string* segment = pool != nullptr          ? &pool->hardware_segment
                                 : marketplace != nullptr ? &marketplace->hardware_segment
                                                          : nullptr;
    if (segment == nullptr) continue;
    if (s.hardware.position(*segment) == s.hardware.segments.size()) {
      venues[i].fail("hardware_segment", "there is no hardware segment named '" + *segment +
                                             "' (hardware: " + segment_list(s.hardware) + ")");
    }
    if (pool != nullptr) check_pool(s, venues[i], *pool);
  }
}

}  // namespace gpumarket::scenario_decode
