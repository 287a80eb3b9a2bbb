// Decoders of the supply side: venues (fixed, pool, marketplace); the pool's capacity and
// the hardware market are in decode_procurement.cpp.
#include <cmath>
#include <string>
#include <utility>

#include "scenario_decode.hpp"

namespace gpumarket::scenario_decode {
namespace {

void decode_fixed(MapReader& r, FixedVenueParams& v) {
  v.servers = r.integer("servers", Check::Positive);
  v.pf_per_server = r.optional_number("pf_per_server", v.pf_per_server, Check::Positive);
  v.price_usd_per_pf_hour = r.number("price_usd_per_pf_hour", Check::NonNegative);
}

// `split` names each share; any names may appear, and the shares must sum to 1 so that no
// money is left unassigned or assigned twice.
void decode_budget(MapReader r, AllianceBudgetParams& b) {
  b.total_usd = r.optional_number("total_usd", b.total_usd, Check::NonNegative);
  if (std::optional<MapReader> split = r.optional_map("split")) {
    std::vector<BudgetShare> shares;
    double sum = 0.0;
    for (const ConfigEntry& entry : split->node().entries) {
      shares.push_back({entry.key, split->fraction(entry.key)});
      sum += shares.back().share;
    }
    split->finish();
    if (shares.empty()) fail_expected(r, "split", "at least one named share");
    if (std::abs(sum - 1.0) > 1e-9) {
      fail_expected(r, "split", "shares that sum to 1, got " + number_text(sum));
    }
    b.split = std::move(shares);
  }
  r.finish();
}

void decode_licence_applications(MapReader r, LicenceApplicationParams& a) {
  a.planning_interval = r.optional_duration("planning_interval", a.planning_interval);
  a.planning_horizon = r.optional_duration("planning_horizon", a.planning_horizon);
  a.compliance_usd_per_year =
      r.optional_number("compliance_usd_per_year", a.compliance_usd_per_year, Check::NonNegative);
  using Distribution = LicenceApplicationParams::DelayDistribution;
  const std::string distribution = r.optional_enumeration(
      "delay_distribution",
      a.delay_distribution == Distribution::Constant ? "constant" : "exponential",
      {"exponential", "constant"});
  a.delay_distribution =
      distribution == "constant" ? Distribution::Constant : Distribution::Exponential;
  r.finish();
}

void decode_licence_quota(MapReader r, LicenceQuota& q) {
  q.approvals = r.integer("approvals", Check::NonNegative);
  q.per = r.optional_duration("per", q.per);
  r.finish();
}

// The pool's licence, access and settlement keys, beside its other keys.
void decode_licensing(MapReader& r, LicensingParams& l) {
  l.licence_fee_usd = r.optional_number("licence_fee_usd", l.licence_fee_usd, Check::NonNegative);
  l.licence_delay = r.optional_duration("licence_delay", l.licence_delay, Check::NonNegative);
  l.ban_tokenized_access = r.optional_boolean("ban_tokenized_access", l.ban_tokenized_access);
  l.accepts_zk_bridged_work =
      r.optional_boolean("accepts_zk_bridged_work", l.accepts_zk_bridged_work);
  l.settlement_spread = optional_fraction_below_one(r, "settlement_spread", l.settlement_spread);
  l.fx_spread = optional_fraction_below_one(r, "fx_spread", l.fx_spread);
  l.settlement_delay =
      r.optional_duration("settlement_delay", l.settlement_delay, Check::NonNegative);
  if (std::optional<MapReader> applications = r.optional_map("licence_applications")) {
    l.applications.emplace();
    decode_licence_applications(std::move(*applications), *l.applications);
  }
  if (std::optional<MapReader> evasion = r.optional_map("ban_evasion")) {
    l.ban_detection_probability = evasion->fraction("detection_probability");
    evasion->finish();
  }
  if (std::optional<MapReader> quota = r.optional_map("licence_quota")) {
    if (!l.applications) {
      r.fail("licence_quota",
             "a quota limits the approvals of applications: expected a 'licence_applications' "
             "block beside it");
    }
    decode_licence_quota(std::move(*quota), l.quota);
  }
}

void decode_pool(MapReader& r, AlliancePoolParams& p) {
  if (std::optional<MapReader> budget = r.optional_map("budget"))
    decode_budget(std::move(*budget), p.budget);
  decode_pool_capacity(r, p);
  p.capex_usd_per_pf =
      r.optional_number("capex_usd_per_pf", p.capex_usd_per_pf, Check::NonNegative);
  p.hardware_life_years =
      r.optional_number("hardware_life_years", p.hardware_life_years, Check::Positive);
  p.energy_usd_per_pf_hour =
      r.optional_number("energy_usd_per_pf_hour", p.energy_usd_per_pf_hour, Check::NonNegative);
  p.subsidy_rate = optional_fraction_below_one(r, "subsidy_rate", p.subsidy_rate);
  p.reserved_share = r.optional_fraction("reserved_share", p.reserved_share);
  decode_licensing(r, p.licensing);
  if (r.has("procurement_coupling")) {
    r.fail("procurement_coupling",
           "replaced: the pool's purchases enter the hardware market's demand (hardware: "
           "{datacentre: {pool_share: ...}}) and its index moves in levels (docs/model.md, "
           "\"Hardware markets\")");
  }
  decode_pool_operation(r, p);
}

void decode_dynamic_fee(MapReader r, DynamicFeeParams& d) {
  d.target_utilisation = r.optional_number("target_utilisation", d.target_utilisation);
  d.adjustment = r.optional_number("adjustment", d.adjustment);
  d.initial_price_usd_per_pf_hour = r.optional_number(
      "initial_price_usd_per_pf_hour", d.initial_price_usd_per_pf_hour, Check::Positive);
  d.floor_usd_per_pf_hour =
      r.optional_number("floor_usd_per_pf_hour", d.floor_usd_per_pf_hour, Check::Positive);
  d.ceiling_usd_per_pf_hour =
      r.optional_number("ceiling_usd_per_pf_hour", d.ceiling_usd_per_pf_hour, Check::Positive);
  r.finish();
  if (!(d.target_utilisation > 0.0 && d.target_utilisation <= 1.0)) {
    fail_expected(r, "target_utilisation", "a number in (0, 1]");
  }
  // EIP-1559 bounds the per-block change to 1/8; a larger step lets the price oscillate.
  if (!(d.adjustment > 0.0 && d.adjustment <= 0.125)) {
    fail_expected(r, "adjustment", "a number in (0, 0.125]");
  }
  if (d.ceiling_usd_per_pf_hour < d.floor_usd_per_pf_hour) {
    fail_expected(r, "ceiling_usd_per_pf_hour",
                  "a price no lower than the floor (" + number_text(d.floor_usd_per_pf_hour) + ")");
  }
  if (d.initial_price_usd_per_pf_hour < d.floor_usd_per_pf_hour ||
      d.initial_price_usd_per_pf_hour > d.ceiling_usd_per_pf_hour) {
    fail_expected(r, "initial_price_usd_per_pf_hour",
                  "a price between the floor (" + number_text(d.floor_usd_per_pf_hour) +
                      ") and the ceiling (" + number_text(d.ceiling_usd_per_pf_hour) + ")");
  }
}

void decode_providers(MapReader r, ProviderDistribution& p) {
  p.initial_count = r.optional_integer("initial_count", p.initial_count, Check::NonNegative);
  p.capacity_median_pf =
      r.optional_number("capacity_median_pf", p.capacity_median_pf, Check::Positive);
  p.capacity_log_sd = r.optional_number("capacity_log_sd", p.capacity_log_sd, Check::NonNegative);
  p.energy_median_usd_per_pf_hour = r.optional_number(
      "energy_median_usd_per_pf_hour", p.energy_median_usd_per_pf_hour, Check::Positive);
  p.energy_log_sd = r.optional_number("energy_log_sd", p.energy_log_sd, Check::NonNegative);
  p.capex_median_usd_per_pf_hour = r.optional_number(
      "capex_median_usd_per_pf_hour", p.capex_median_usd_per_pf_hour, Check::Positive);
  p.capex_log_sd = r.optional_number("capex_log_sd", p.capex_log_sd, Check::NonNegative);
  p.markup_min = r.optional_number("markup_min", p.markup_min, Check::NonNegative);
  p.markup_max = r.optional_number("markup_max", p.markup_max, Check::NonNegative);
  r.finish();
  if (p.markup_max < p.markup_min) {
    fail_expected(r, "markup_max",
                  "a markup no lower than markup_min (" + number_text(p.markup_min) + ")");
  }
}

}  // namespace

void decode_token(MapReader r, TokenParams& t) {
  t.initial_usd = r.optional_number("initial_usd", t.initial_usd, Check::Positive);
  t.annual_drift = r.optional_number("annual_drift", t.annual_drift);
  t.annual_volatility =
      r.optional_number("annual_volatility", t.annual_volatility, Check::NonNegative);
  t.jumps_per_year = r.optional_number("jumps_per_year", t.jumps_per_year, Check::NonNegative);
  t.jump_log_mean = r.optional_number("jump_log_mean", t.jump_log_mean);
  t.jump_log_sd = r.optional_number("jump_log_sd", t.jump_log_sd, Check::NonNegative);
  r.finish();
}

namespace {

void decode_entry_exit(MapReader r, EntryExitParams& e, int64_t initial_count) {
  e.margin_window_h =
      r.optional_duration("margin_window", Duration::hours(e.margin_window_h)).in_hours();
  e.exit_threshold_usd_per_pf_hour =
      r.optional_number("exit_threshold_usd_per_pf_hour", e.exit_threshold_usd_per_pf_hour);
  e.exit_after_ticks = r.optional_integer("exit_after_ticks", e.exit_after_ticks, Check::Positive);
  e.base_entry_rate_per_day =
      r.optional_number("base_entry_rate_per_day", e.base_entry_rate_per_day, Check::NonNegative);
  e.entry_sensitivity_per_usd_per_pf_hour =
      r.optional_number("entry_sensitivity_per_usd_per_pf_hour",
                        e.entry_sensitivity_per_usd_per_pf_hour, Check::NonNegative);
  e.max_providers = r.optional_integer("max_providers", e.max_providers, Check::Positive);
  const std::string entry_rule =
      r.optional_enumeration("entry_rule", "rate", {"rate", "positive_margin"});
  e.entry_rule = entry_rule == "positive_margin" ? EntryExitParams::EntryRule::PositiveMargin
                                                 : EntryExitParams::EntryRule::Rate;
  r.finish();
  if (e.max_providers < initial_count) {
    fail_expected(r, "max_providers",
                  "at least providers.initial_count (" + std::to_string(initial_count) + ")");
  }
}

// The ceiling is checked against the marketplace's price floor: a scarcity bound below the
// lowest price the marketplace may post cannot be meant.
void decode_scarcity(MapReader r, ScarcityParams& s, double floor_usd_per_pf_hour) {
  s.slope = r.optional_number("slope", s.slope, Check::NonNegative);
  s.ceiling_usd_per_pf_hour =
      r.optional_number("ceiling_usd_per_pf_hour", s.ceiling_usd_per_pf_hour, Check::Positive);
  r.finish();
  if (s.ceiling_usd_per_pf_hour < floor_usd_per_pf_hour) {
    fail_expected(
        r, "ceiling_usd_per_pf_hour",
        "a price no lower than the marketplace's floor dynamic_fee.floor_usd_per_pf_hour (" +
            number_text(floor_usd_per_pf_hour) + ")");
  }
}

void decode_burn_and_mint(MapReader r, BurnAndMintParams& b) {
  b.fee = optional_fraction_below_one(r, "fee", b.fee);
  b.initial_supply_tokens =
      r.optional_number("initial_supply_tokens", b.initial_supply_tokens, Check::Positive);
  b.price_impact = r.optional_number("price_impact", b.price_impact, Check::NonNegative);
  r.finish();
}

// Token-denominated asks, the payment lag and burn-and-mint (docs/model.md, "Token economy").
void decode_token_economy(MapReader& r, MarketplaceParams& m) {
  m.ask_currency = r.optional_enumeration("ask_currency", "usd", {"usd", "token"}) == "token"
                       ? AskCurrency::Token
                       : AskCurrency::Usd;
  m.token_reprice_share = r.optional_fraction("token_reprice_share", m.token_reprice_share);
  m.payment_interval =
      r.optional_duration("payment_interval", m.payment_interval, Check::NonNegative);
  m.token_model = r.optional_enumeration("token_model", "gbm", {"gbm", "bme"}) == "bme"
                      ? TokenModel::BurnAndMint
                      : TokenModel::Gbm;
  if (auto b = r.optional_map("burn_and_mint"))
    decode_burn_and_mint(std::move(*b), m.burn_and_mint);
  if (m.pricing == PricingMode::PayAsBid && m.payment_interval > Duration::micros(0)) {
    // The lag accrues each provider's tokens at one price; pay-as-bid pays each its own.
    fail_expected(r, "payment_interval", "0 under pricing: pay_as_bid (the lag needs one price)");
  }
}

void decode_marketplace(MapReader& r, MarketplaceParams& m) {
  const std::string pricing =
      r.optional_enumeration("pricing", "clearing", {"clearing", "dynamic_fee", "pay_as_bid"});
  m.pricing = pricing == "dynamic_fee"  ? PricingMode::DynamicFee
              : pricing == "pay_as_bid" ? PricingMode::PayAsBid
                                        : PricingMode::Clearing;
  if (auto d = r.optional_map("dynamic_fee")) decode_dynamic_fee(std::move(*d), m.dynamic_fee);
  if (auto p = r.optional_map("providers")) decode_providers(std::move(*p), m.providers);
  if (auto t = r.optional_map("token")) decode_token(std::move(*t), m.token);
  if (auto e = r.optional_map("entry_exit")) {
    decode_entry_exit(std::move(*e), m.entry_exit, m.providers.initial_count);
  } else if (m.entry_exit.max_providers < m.providers.initial_count) {
    r.fail("entry_exit", "expected max_providers of at least providers.initial_count (" +
                             std::to_string(m.providers.initial_count) + "), got the default " +
                             std::to_string(m.entry_exit.max_providers));
  }
  m.platform_fee = optional_fraction_below_one(r, "platform_fee", m.platform_fee);
  m.emission_tokens_per_day =
      r.optional_number("emission_tokens_per_day", m.emission_tokens_per_day, Check::NonNegative);
  if (auto s = r.optional_map("scarcity")) {
    decode_scarcity(std::move(*s), m.scarcity, m.dynamic_fee.floor_usd_per_pf_hour);
  }
  const std::string revenue =
      r.optional_enumeration("revenue_source", "demand", {"demand", "bills"});
  m.revenue_source = revenue == "bills" ? RevenueSource::Bills : RevenueSource::Demand;
  decode_token_economy(r, m);
  m.hardware_segment = r.optional_string("hardware_segment", m.hardware_segment);
}

}  // namespace

VenueParams decode_venue(MapReader& r) {
  VenueParams v;
  v.name = r.name("name");
  // Without a kind, every kind-specific key would read as unknown: say what is missing first.
  if (!r.has("kind")) {
    throw Error(r.node().location,
                r.path() + ": missing required key 'kind' (fixed, pool or marketplace)");
  }
  const std::string kind = r.enumeration("kind", {"fixed", "pool", "marketplace"});
  v.direct_access = r.optional_boolean("direct_access", v.direct_access);
  v.latency = r.optional_duration("latency", v.latency, Check::NonNegative);
  if (kind == "fixed") {
    decode_fixed(r, v.kind.emplace<FixedVenueParams>());
  } else if (kind == "pool") {
    decode_pool(r, v.kind.emplace<AlliancePoolParams>());
  } else if (kind == "marketplace") {
    decode_marketplace(r, v.kind.emplace<MarketplaceParams>());
  }
  if (auto verification = r.optional_map("verification")) {
    v.verification = decode_verification(std::move(*verification));
  }
  r.finish();
  return v;
}

}  // namespace gpumarket::scenario_decode
