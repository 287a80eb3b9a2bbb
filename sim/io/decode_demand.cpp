// Decoders of the demand side: segments, their arrival rates and size distributions.
#include <array>
#include <string>
#include <utility>

#include "gpumarket/scenario/demand_validation.hpp"
#include "scenario_decode.hpp"

namespace gpumarket::scenario_decode {
namespace {

// Which unit a size is written in: widths are plain numbers of PF, durations are written with
// a unit ("20min") and stored in hours.
enum class SizeUnit { Pf, Hours };

double read_size(const ConfigNode& node, std::string_view path, SizeUnit unit) {
  if (unit == SizeUnit::Hours) return read_duration(node, path, Check::Positive).in_hours();
  return read_number(node, path, Check::Positive);
}

double size_key(MapReader& r, std::string_view key, SizeUnit unit) {
  const ConfigNode* node = r.find(key);
  if (node == nullptr) {
    throw Error(r.node().location, r.path() + ": missing required key '" + std::string(key) + "'");
  }
  return read_size(*node, r.key_path(key), unit);
}

// A constant (a scalar) or a distribution mapping.
SizeDistribution decode_size(MapReader& parent, std::string_view key, SizeUnit unit) {
  const ConfigNode& node = *parent.find(key);
  const std::string path = parent.key_path(key);
  SizeDistribution d;
  if (node.is_scalar()) {
    d = SizeDistribution::constant(read_size(node, path, unit));
  } else {
    MapReader m(node, path);
    const std::string shape = m.enumeration("distribution", {"lognormal", "exponential"});
    if (shape == "exponential") {
      d = SizeDistribution::exponential(size_key(m, "mean", unit));
    } else if (shape == "lognormal") {
      const double median = size_key(m, "median", unit);
      const double sigma = m.number("sigma", Check::Positive);
      std::optional<ParetoTail> tail;
      const ConfigNode* tail_node = m.find("tail");
      if (tail_node != nullptr && !tail_node->is_null()) {
        MapReader t(*tail_node, m.key_path("tail"));
        ParetoTail value;
        value.quantile = t.optional_number("quantile", value.quantile);
        value.alpha = t.optional_number("alpha", value.alpha, Check::Positive);
        t.finish();
        if (!(value.quantile > 0.0 && value.quantile < 1.0)) {
          fail_expected(t, "quantile", "a number strictly between 0 and 1");
        }
        tail = value;
      }
      d = SizeDistribution::lognormal(median, sigma, tail);
    }
    m.finish();
  }
  check_sentence(parent, key, validation_error(d));
  return d;
}

template <size_t N>
std::array<double, N> decode_profile(MapReader& r, std::string_view key, std::string_view what,
                                     std::array<double, N> fallback) {
  const ConfigNode* node = r.find(key);
  if (node == nullptr) return fallback;
  const SequenceReader items(*node, r.key_path(key));
  if (items.size() != N) {
    throw Error(items.location(), items.path() + ": expected " + std::to_string(N) + " factors (" +
                                      std::string(what) + "), got " + std::to_string(items.size()));
  }
  std::array<double, N> profile{};
  for (size_t i = 0; i < N; ++i) {
    profile[i] = read_number(items.item(i), items.item_path(i), Check::NonNegative);
  }
  return profile;
}

ArrivalParams decode_arrivals(MapReader r) {
  ArrivalParams a;
  a.base_rate_per_hour = r.number("rate_per_hour", Check::NonNegative);
  a.trend_per_year = r.optional_number("trend_per_year", a.trend_per_year);
  a.diurnal = decode_profile(r, "diurnal", "hours 0-23", a.diurnal);
  a.weekly = decode_profile(r, "weekly", "Monday..Sunday", a.weekly);
  r.finish();
  return a;
}

AddressPoolParams decode_addresses(MapReader r) {
  AddressPoolParams a;
  a.count = r.optional_integer("count", a.count, Check::Positive);
  a.zipf_exponent = r.optional_number("zipf_exponent", a.zipf_exponent, Check::NonNegative);
  r.finish();
  return a;
}

}  // namespace

Segment decode_segment(MapReader& r) {
  Segment g;
  SegmentDemandParams& d = g.demand;
  g.name = r.name("name");
  const std::string origin =
      r.optional_enumeration("origin", "public_chain", {"public_chain", "sovereign"});
  d.origin = origin == "sovereign" ? Origin::Sovereign : Origin::PublicChain;
  g.internal = r.optional_boolean("internal", g.internal);
  d.licensed_share = r.optional_fraction("licensed_share", d.licensed_share);
  d.uses_open_source_models =
      r.optional_boolean("uses_open_source_models", d.uses_open_source_models);

  const bool has_rate = r.has("arrival_rate_per_hour");
  const bool has_arrivals = r.has("arrivals");
  if (has_rate && has_arrivals) {
    r.fail("arrivals",
           "give either 'arrival_rate_per_hour' (a flat rate) or 'arrivals' (a mapping), not both");
  }
  if (has_rate) {
    d.arrivals.base_rate_per_hour = r.number("arrival_rate_per_hour", Check::NonNegative);
  } else if (has_arrivals) {
    d.arrivals = decode_arrivals(r.map("arrivals"));
  }

  if (r.has("width_pf")) d.width_pf = decode_size(r, "width_pf", SizeUnit::Pf);
  if (r.has("duration")) d.duration_h = decode_size(r, "duration", SizeUnit::Hours);
  d.value_usd_per_pf_hour =
      r.optional_number("value_usd_per_pf_hour", d.value_usd_per_pf_hour, Check::Positive);
  d.value_of_time_usd_per_pf_hour_per_hour =
      r.optional_number("value_of_time_usd_per_pf_hour_per_hour",
                        d.value_of_time_usd_per_pf_hour_per_hour, Check::NonNegative);
  d.patience = r.optional_duration("patience", d.patience, Check::Positive, Infinity::Allowed);
  if (auto addresses = r.optional_map("addresses"))
    d.addresses = decode_addresses(std::move(*addresses));
  r.finish();

  if (!has_rate && !has_arrivals) {
    throw Error(r.node().location, r.path() +
                                       ": missing required key 'arrival_rate_per_hour' (a flat "
                                       "rate) or 'arrivals' (a mapping)");
  }
  check_sentence(r, has_rate ? "arrival_rate_per_hour" : "arrivals", validation_error(d.arrivals));
  check_sentence(r, "addresses", validation_error(d.addresses));
  // Everything above is checked key by key; this catches anything the decoder missed.
  if (auto sentence = validation_error(d)) {
    throw Error(r.node().location, r.path() + ": " + *sentence);
  }
  return g;
}

}  // namespace gpumarket::scenario_decode
