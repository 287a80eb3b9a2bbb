#include "gpumarket/io/scenario_loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "support/scenario_text.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using testing::load_error;
using testing::TempDir;

// A valid scenario; the bad-input cases below edit it and refer to its line numbers.
const std::string kValid =
    "name: test\n"                                            // 1
    "start: 2026-01-01\n"                                     // 2
    "horizon: 2000h\n"                                        // 3
    "tick: 1h\n"                                              // 4
    "warmup: 100h\n"                                          // 5
    "venues:\n"                                               // 6
    "  - name: farm\n"                                        // 7
    "    kind: fixed\n"                                       // 8
    "    servers: 3\n"                                        // 9
    "    price_usd_per_pf_hour: 2.0\n"                        // 10
    "segments:\n"                                             // 11
    "  - name: jobs\n"                                        // 12
    "    arrival_rate_per_hour: 2.7\n"                        // 13
    "    duration: {distribution: exponential, mean: 1h}\n";  // 14

// A valid scenario with every section; the bad-input cases edit it and refer to its lines.
// One literal per scenario line, numbered by its comment: too wide for the formatter.
// clang-format off
const std::string kFull =
    "name: full\n"                                                                            // 1
    "start: 2026-05-07\n"                                                                     // 2
    "horizon: 3y\n"                                                                           // 3
    "units: {precision: fp8_dense, pf_per_gpu: 1.979}\n"                                      // 4
    "hardware: {datacentre: {decline_per_year: 0.3, world_demand_pf_per_year: 1e6}}\n"  // 5
    "routing: {logit_scale: inf, settlement_tx_usd: 0.02}\n"                                  // 6
    "indicators:\n"                                                                           // 7
    "  daa_venue: golem\n"                                                                    // 8
    "  daa_before: {from: 2026-06-01, to: 2026-07-01}\n"                                      // 9
    "  bridge_split: 2026-09-15\n"                                                            // 10
    "venues:\n"                                                                               // 11
    "  - name: cloud\n"                                                                       // 12
    "    kind: fixed\n"                                                                       // 13
    "    servers: 100\n"                                                                      // 14
    "    price_usd_per_pf_hour: 4.04\n"                                                       // 15
    "  - name: alliance\n"                                                                    // 16
    "    kind: pool\n"                                                                        // 17
    "    capacity:\n"                                                                         // 18
    "      ramp:\n"                                                                           // 19
    "        - {date: 2026-05-07, pf: 0}\n"                                                   // 20
    "        - {date: 2027-12-31, pf: 150}\n"                                                 // 21
    "    subsidy_rate: 0.35\n"                                                                // 22
    "    licence_delay: 30d\n"                                                                // 23
    "  - name: golem\n"                                                                       // 24
    "    kind: marketplace\n"                                                                 // 25
    "    pricing: dynamic_fee\n"                                                              // 26
    "    dynamic_fee: {target_utilisation: 0.7, adjustment: 0.125}\n"                         // 27
    "    providers: {initial_count: 40}\n"                                                    // 28
    "    token: {initial_usd: 0.3, annual_volatility: 0.9}\n"                                 // 29
    "    entry_exit: {margin_window: 30d, exit_after_ticks: 480}\n"                           // 30
    "    platform_fee: 0.1\n"                                                                 // 31
    "  - name: farms\n"                                                                       // 32
    "    kind: fixed\n"                                                                       // 33
    "    servers: 10\n"                                                                       // 34
    "    price_usd_per_pf_hour: 1.0\n"                                                        // 35
    "    direct_access: false\n"                                                              // 36
    "    latency: 5min\n"                                                                     // 37
    "segments:\n"                                                                             // 38
    "  - name: defi\n"                                                                        // 39
    "    origin: public_chain\n"                                                              // 40
    "    licensed_share: 0.1\n"                                                               // 41
    "    arrivals: {rate_per_hour: 2.4, trend_per_year: 0.4, weekly: [1, 1, 1, 1, 1, 0.5, 0.5]}\n"  // 42
    "    width_pf: {distribution: lognormal, median: 0.001, sigma: 1.2, tail: {alpha: 1.4}}\n"  // 43
    "    duration: {distribution: exponential, mean: 90min}\n"  // 44
    "    patience: 6h\n"                                        // 45
    "    addresses: {count: 5000, zipf_exponent: 1.1}\n"        // 46
    "  - name: state\n"                                         // 47
    "    origin: sovereign\n"                                   // 48
    "    internal: true\n"                                      // 49
    "    arrival_rate_per_hour: 1\n"                            // 50
    "bridges:\n"                                                // 51
    "  - name: icb_v2\n"                                        // 52
    "    open: 2026-09-01\n"                                    // 53
    "    capacity_jobs_per_hour: 500\n"                         // 54
    "    proof_overhead: 3000\n"                                // 55
    "    connects: [alliance, farms]\n"                         // 56
    "    alliance_accepts: true\n"                              // 57
    "timeline:\n"                                               // 58
    "  - date: 2026-09-01\n"                                    // 59
    "    set: {venues.golem.platform_fee: 0.2}\n"               // 60
    "  - date: 2026-06-15\n"                                    // 61
    "    name: funding\n"                                       // 62
    "    set:\n"                                                // 63
    "      venues.alliance.subsidy_rate: 0.4\n"                 // 64
    "      segments.defi.licensed_share: 0.2\n";                // 65
// clang-format on

// `base` (kValid unless given) with the first occurrence of `from` replaced by `to`.
std::string edited(const std::string& from, const std::string& to,
                   const std::string& base = kValid) {
  return testing::edited_text(base, from, to);
}

TEST(ScenarioLoader, DecodesAValidScenarioAndAppliesDefaults) {
  TempDir dir;
  const std::string path = dir.write("main.yaml", kValid);
  const LoadedScenario loaded = load_scenario(path);
  const Scenario& s = loaded.scenario;
  EXPECT_EQ(loaded.path, path);
  EXPECT_EQ(loaded.text, kValid);
  EXPECT_EQ(s.name, "test");
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.start.to_string(), "2026-01-01");
  EXPECT_EQ(s.horizon, Duration::hours(2000));
  EXPECT_EQ(s.tick, Duration::hours(1));
  EXPECT_EQ(s.warmup, Duration::hours(100));
  EXPECT_EQ(s.precision, "fp16_dense");
  EXPECT_DOUBLE_EQ(s.pf_per_gpu, 0.989);
  ASSERT_EQ(s.venues.size(), 1u);
  const VenueParams& v = s.venues[0];
  EXPECT_EQ(v.name, "farm");
  ASSERT_NE(v.as<FixedVenueParams>(), nullptr);
  EXPECT_TRUE(v.direct_access);
  EXPECT_EQ(v.latency, Duration());
  EXPECT_EQ(v.as<FixedVenueParams>()->servers, 3);
  EXPECT_DOUBLE_EQ(v.as<FixedVenueParams>()->pf_per_server, 1.0);
  EXPECT_DOUBLE_EQ(v.as<FixedVenueParams>()->price_usd_per_pf_hour, 2.0);
  ASSERT_EQ(s.segments.size(), 1u);
  const Segment& g = s.segments[0];
  const SegmentDemandParams defaults;
  EXPECT_EQ(g.name, "jobs");
  EXPECT_FALSE(g.internal);
  EXPECT_EQ(g.demand.origin, Origin::PublicChain);
  EXPECT_DOUBLE_EQ(g.demand.arrivals.base_rate_per_hour, 2.7);
  EXPECT_DOUBLE_EQ(g.demand.arrivals.trend_per_year, 0.0);
  EXPECT_EQ(g.demand.arrivals.diurnal, defaults.arrivals.diurnal);
  EXPECT_EQ(g.demand.width_pf.shape, SizeDistribution::Shape::Lognormal);  // the default
  EXPECT_DOUBLE_EQ(g.demand.width_pf.median, defaults.width_pf.median);
  EXPECT_EQ(g.demand.duration_h.shape, SizeDistribution::Shape::Exponential);
  EXPECT_DOUBLE_EQ(g.demand.duration_h.mean, 1.0);
  EXPECT_TRUE(g.demand.patience.is_infinite());
  EXPECT_DOUBLE_EQ(g.demand.value_usd_per_pf_hour, defaults.value_usd_per_pf_hour);
  EXPECT_EQ(g.demand.addresses.count, defaults.addresses.count);
  EXPECT_TRUE(s.bridges.empty());
  EXPECT_TRUE(s.timeline.empty());
  EXPECT_DOUBLE_EQ(s.routing.logit_scale, 20.0);
  // The default DAA venue, golem, does not exist here: no DAA indicator.
  EXPECT_EQ(s.indicators.daa_venue, "");
}

TEST(ScenarioLoader, DefaultsTickAndWarmupAndReadsEndLognormalAndPatience) {
  TempDir dir;
  const std::string path = dir.write(
      "main.yaml",
      "name: other\n"
      "description: a longer run\n"
      "seed: 18446744073709551615\n"
      "start: 2026-01-01\n"
      "end: 2026-03-01\n"
      "venues:\n"
      "  - {name: farm, kind: fixed, servers: 2, pf_per_server: 2.5, price_usd_per_pf_hour: 0}\n"
      "segments:\n"
      "  - name: render\n"
      "    arrival_rate_per_hour: 1\n"
      "    width_pf: 5\n"
      "    duration: {distribution: lognormal, median: 20min, sigma: 2.18}\n"
      "    patience: 6h\n");
  const Scenario s = load_scenario(path).scenario;
  EXPECT_EQ(s.description, "a longer run");
  EXPECT_EQ(s.seed, 18446744073709551615ULL);
  EXPECT_EQ(s.horizon, Duration::days(59));
  EXPECT_EQ(s.tick, Duration::hours(1));
  EXPECT_EQ(s.warmup, Duration());
  EXPECT_DOUBLE_EQ(s.venues[0].as<FixedVenueParams>()->pf_per_server, 2.5);
  const Segment& g = s.segments[0];
  EXPECT_EQ(g.demand.width_pf.shape, SizeDistribution::Shape::Constant);
  EXPECT_DOUBLE_EQ(g.demand.width_pf.mean, 5.0);
  EXPECT_EQ(g.demand.duration_h.shape, SizeDistribution::Shape::Lognormal);
  EXPECT_DOUBLE_EQ(g.demand.duration_h.median, 20.0 / 60.0);
  EXPECT_DOUBLE_EQ(g.demand.duration_h.sigma, 2.18);
  EXPECT_FALSE(g.demand.duration_h.tail.has_value());
  EXPECT_EQ(g.demand.patience, Duration::hours(6));
}

TEST(ScenarioLoader, ExtendsMergesVenuesAndSegmentsByName) {
  TempDir dir;
  dir.write("base.yaml", kValid);
  const std::string path = dir.write("child.yaml",
                                     "extends: base.yaml\n"
                                     "name: child\n"
                                     "venues:\n"
                                     "  - name: farm\n"
                                     "    servers: 5\n"
                                     "segments:\n"
                                     "  - name: batch\n"
                                     "    arrival_rate_per_hour: 0.5\n"
                                     "    duration: {distribution: exponential, mean: 4h}\n");
  const Scenario s = load_scenario(path).scenario;
  EXPECT_EQ(s.name, "child");
  ASSERT_EQ(s.venues.size(), 1u);
  EXPECT_EQ(s.venues[0].as<FixedVenueParams>()->servers, 5);
  EXPECT_DOUBLE_EQ(s.venues[0].as<FixedVenueParams>()->price_usd_per_pf_hour, 2.0);
  ASSERT_EQ(s.segments.size(), 2u);
  EXPECT_EQ(s.segments[0].name, "jobs");
  EXPECT_EQ(s.segments[1].name, "batch");
  EXPECT_DOUBLE_EQ(s.segments[1].demand.duration_h.mean, 4.0);
}

TEST(ScenarioLoader, SetOverridesAValueAndTheResolvedYamlRecordsIt) {
  TempDir dir;
  const std::string path = dir.write("main.yaml", kValid);
  const LoadedScenario loaded =
      load_scenario(path, {"segments.jobs.arrival_rate_per_hour=3.5", "venues[0].servers=4"});
  EXPECT_DOUBLE_EQ(loaded.scenario.segments[0].demand.arrivals.base_rate_per_hour, 3.5);
  EXPECT_EQ(loaded.scenario.venues[0].as<FixedVenueParams>()->servers, 4);
  EXPECT_EQ(loaded.text, kValid);
  EXPECT_NE(loaded.resolved_yaml.find("arrival_rate_per_hour: 3.5\n"), std::string::npos)
      << loaded.resolved_yaml;
  EXPECT_NE(loaded.resolved_yaml.find("servers: 4\n"), std::string::npos);

  // The resolved YAML is itself a scenario that loads to the same values.
  const std::string again_path = dir.write("resolved.yaml", loaded.resolved_yaml);
  const LoadedScenario again = load_scenario(again_path);
  EXPECT_DOUBLE_EQ(again.scenario.segments[0].demand.arrivals.base_rate_per_hour, 3.5);
  EXPECT_EQ(again.scenario.venues[0].as<FixedVenueParams>()->servers, 4);
  EXPECT_EQ(again.resolved_yaml, loaded.resolved_yaml);
}

TEST(ScenarioLoader, LoadsTheShippedMmcScenario) {
  const LoadedScenario loaded = load_scenario(GPUMARKET_SOURCE_DIR "/scenarios/mmc.yaml");
  const Scenario& s = loaded.scenario;
  ASSERT_EQ(s.venues.size(), 1u);
  ASSERT_EQ(s.segments.size(), 1u);
  const VenueParams& v = s.venues[0];
  const SegmentDemandParams& g = s.segments[0].demand;
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.start.to_string(), "2026-01-01");
  EXPECT_EQ(s.horizon, Duration::hours(20000));
  EXPECT_EQ(s.warmup, Duration::hours(500));
  EXPECT_EQ(s.tick, Duration::hours(1));
  ASSERT_NE(v.as<FixedVenueParams>(), nullptr);
  EXPECT_EQ(v.as<FixedVenueParams>()->servers, 3);
  EXPECT_DOUBLE_EQ(v.as<FixedVenueParams>()->pf_per_server, 1.0);
  EXPECT_DOUBLE_EQ(v.as<FixedVenueParams>()->price_usd_per_pf_hour, 2.0);
  EXPECT_EQ(g.width_pf.shape, SizeDistribution::Shape::Constant);
  EXPECT_DOUBLE_EQ(g.width_pf.mean, 1.0);
  EXPECT_EQ(g.duration_h.shape, SizeDistribution::Shape::Exponential);
  EXPECT_EQ(g.arrivals.diurnal, SegmentDemandParams{}.arrivals.diurnal);
  EXPECT_EQ(g.arrivals.weekly, SegmentDemandParams{}.arrivals.weekly);
  EXPECT_DOUBLE_EQ(g.arrivals.trend_per_year, 0.0);
  // Offered load per server: rho = lambda * E[S] / c.
  const double rho = g.arrivals.base_rate_per_hour * g.duration_h.mean /
                     static_cast<double>(v.as<FixedVenueParams>()->servers);
  EXPECT_NEAR(rho, 0.8, 1e-12);
  EXPECT_TRUE(g.patience.is_infinite());
  EXPECT_TRUE(s.timeline.empty());
  // The provenance YAML has the same content as the file.
  EXPECT_TRUE(same_content(parse_config_text(loaded.resolved_yaml, "resolved"),
                           load_config_file(loaded.path)))
      << loaded.resolved_yaml;
}

TEST(ScenarioLoader, DecodesEverySectionOfAFullScenario) {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("main.yaml", kFull)).scenario;
  EXPECT_EQ(s.horizon, Duration::days(int64_t{3} * 365));
  EXPECT_EQ(s.precision, "fp8_dense");
  EXPECT_DOUBLE_EQ(s.pf_per_gpu, 1.979);
  ASSERT_EQ(s.hardware.segments.size(), 2u);  // datacentre written, consumer by default
  EXPECT_EQ(s.hardware.segments[0].name, "datacentre");
  EXPECT_DOUBLE_EQ(s.hardware.segments[0].decline_per_year, 0.3);
  EXPECT_DOUBLE_EQ(s.hardware.segments[0].world_demand_pf_per_year, 1e6);
  EXPECT_EQ(s.hardware.segments[1].name, "consumer");
  EXPECT_TRUE(std::isinf(s.routing.logit_scale));
  EXPECT_DOUBLE_EQ(s.routing.settlement_tx_usd, 0.02);
  EXPECT_EQ(s.indicators.daa_venue, "golem");
  EXPECT_EQ(s.indicators.daa_before_from.to_string(), "2026-06-01");
  EXPECT_EQ(s.indicators.daa_after_from.to_string(), "2026-09-01");  // default
  EXPECT_EQ(s.indicators.bridge_split.to_string(), "2026-09-15");

  ASSERT_EQ(s.venues.size(), 4u);
  const VenueParams& pool = s.venues[1];
  ASSERT_NE(pool.as<AlliancePoolParams>(), nullptr);
  EXPECT_FALSE(pool.as<AlliancePoolParams>()->procurement.has_value());
  ASSERT_EQ(pool.as<AlliancePoolParams>()->capacity_ramp.size(), 2u);
  EXPECT_EQ(pool.as<AlliancePoolParams>()->capacity_ramp[1].date.to_string(), "2027-12-31");
  EXPECT_DOUBLE_EQ(pool.as<AlliancePoolParams>()->capacity_ramp[1].capacity_pf, 150.0);
  EXPECT_DOUBLE_EQ(pool.as<AlliancePoolParams>()->subsidy_rate, 0.35);
  EXPECT_EQ(pool.as<AlliancePoolParams>()->licensing.licence_delay, Duration::days(30));
  EXPECT_DOUBLE_EQ(pool.as<AlliancePoolParams>()->reserved_share,
                   AlliancePoolParams{}.reserved_share);

  const VenueParams& golem = s.venues[2];
  ASSERT_NE(golem.as<MarketplaceParams>(), nullptr);
  EXPECT_EQ(golem.as<MarketplaceParams>()->pricing, PricingMode::DynamicFee);
  EXPECT_DOUBLE_EQ(golem.as<MarketplaceParams>()->dynamic_fee.adjustment, 0.125);
  EXPECT_EQ(golem.as<MarketplaceParams>()->providers.initial_count, 40);
  EXPECT_DOUBLE_EQ(golem.as<MarketplaceParams>()->token.initial_usd, 0.3);
  EXPECT_DOUBLE_EQ(golem.as<MarketplaceParams>()->token.annual_volatility, 0.9);
  EXPECT_DOUBLE_EQ(golem.as<MarketplaceParams>()->entry_exit.margin_window_h, 720.0);
  EXPECT_EQ(golem.as<MarketplaceParams>()->entry_exit.exit_after_ticks, 480);
  EXPECT_DOUBLE_EQ(golem.as<MarketplaceParams>()->platform_fee, 0.1);

  const VenueParams& farms = s.venues[3];
  EXPECT_FALSE(farms.direct_access);
  EXPECT_EQ(farms.latency, Duration::seconds(300));

  ASSERT_EQ(s.segments.size(), 2u);
  const Segment& defi = s.segments[0];
  EXPECT_DOUBLE_EQ(defi.demand.licensed_share, 0.1);
  EXPECT_DOUBLE_EQ(defi.demand.arrivals.base_rate_per_hour, 2.4);
  EXPECT_DOUBLE_EQ(defi.demand.arrivals.trend_per_year, 0.4);
  EXPECT_DOUBLE_EQ(defi.demand.arrivals.weekly[5], 0.5);
  EXPECT_DOUBLE_EQ(defi.demand.arrivals.weekly[0], 1.0);
  EXPECT_EQ(defi.demand.width_pf.shape, SizeDistribution::Shape::Lognormal);
  EXPECT_DOUBLE_EQ(defi.demand.width_pf.median, 0.001);
  ASSERT_TRUE(defi.demand.width_pf.tail.has_value());
  EXPECT_DOUBLE_EQ(defi.demand.width_pf.tail->quantile, 0.95);
  EXPECT_DOUBLE_EQ(defi.demand.width_pf.tail->alpha, 1.4);
  EXPECT_DOUBLE_EQ(defi.demand.duration_h.mean, 1.5);
  EXPECT_EQ(defi.demand.patience, Duration::hours(6));
  EXPECT_EQ(defi.demand.addresses.count, 5000);
  EXPECT_DOUBLE_EQ(defi.demand.addresses.zipf_exponent, 1.1);
  const Segment& state = s.segments[1];
  EXPECT_TRUE(state.internal);
  EXPECT_EQ(state.demand.origin, Origin::Sovereign);
  // Omitted sizes keep the calibrated defaults.
  EXPECT_DOUBLE_EQ(state.demand.duration_h.median, SegmentDemandParams{}.duration_h.median);
  EXPECT_TRUE(state.demand.duration_h.tail.has_value());

  ASSERT_EQ(s.bridges.size(), 1u);
  const BridgeParams& b = s.bridges[0];
  EXPECT_EQ(b.open.to_string(), "2026-09-01");
  EXPECT_DOUBLE_EQ(b.capacity_jobs_per_hour, 500.0);
  EXPECT_DOUBLE_EQ(b.proof_overhead, 3000.0);
  EXPECT_EQ(b.connects, (std::vector<std::string>{"alliance", "farms"}));
  EXPECT_TRUE(b.alliance_accepts);
  EXPECT_EQ(b.latency, Duration::seconds(90));  // default
}

TEST(ScenarioLoader, ReadsBridgeOutagesAndDefaultsToNone) {
  TempDir dir;
  const Scenario plain = load_scenario(dir.write("plain.yaml", kFull)).scenario;
  EXPECT_FALSE(plain.bridges[0].outages.enabled());
  EXPECT_FALSE(plain.reports_bridge_detail());
  const Scenario s =
      load_scenario(
          dir.write("main.yaml", edited("    alliance_accepts: true\n",
                                        "    alliance_accepts: true\n"
                                        "    outages:\n"
                                        "      rate_per_year: 0.01\n"
                                        "      mean_duration: 3d\n"
                                        "      on_outage: reroute\n"
                                        "      pauses: [{from: 2026-10-01, to: 2026-10-03}]\n",
                                        kFull)))
          .scenario;
  const BridgeOutageParams& o = s.bridges[0].outages;
  EXPECT_DOUBLE_EQ(o.rate_per_year, 0.01);
  EXPECT_EQ(o.mean_duration, Duration::days(3));
  EXPECT_EQ(o.on_outage, BridgeOutageParams::Policy::Reroute);
  ASSERT_EQ(o.pauses.size(), 1u);
  EXPECT_EQ(o.pauses[0].from.to_string(), "2026-10-01");
  EXPECT_EQ(o.pauses[0].to.to_string(), "2026-10-03");
  EXPECT_TRUE(s.reports_bridge_detail());
  const Scenario detail =
      load_scenario(dir.write("detail.yaml", edited("  bridge_split: 2026-09-15\n",
                                                    "  bridge_split: 2026-09-15\n"
                                                    "  bridge_detail: true\n",
                                                    kFull)))
          .scenario;
  EXPECT_TRUE(detail.indicators.bridge_detail);
  EXPECT_TRUE(detail.reports_bridge_detail());
}

TEST(ScenarioLoader, TimelineStepsAreSortedCumulativeSnapshots) {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("main.yaml", kFull)).scenario;
  ASSERT_EQ(s.timeline.size(), 2u);
  // Written out of order; applied by date.
  const TimelineStep& funding = s.timeline[0];
  const TimelineStep& fee = s.timeline[1];
  const int64_t start_day = s.start.days_since_epoch();
  EXPECT_EQ(funding.at,
            SimTime::start() +
                Duration::days(Date::from_ymd(2026, 6, 15).days_since_epoch() - start_day));
  EXPECT_EQ(fee.at, SimTime::start() +
                        Duration::days(Date::from_ymd(2026, 9, 1).days_since_epoch() - start_day));
  EXPECT_EQ(funding.label,
            "2026-06-15 funding: venues.alliance.subsidy_rate=0.4, "
            "segments.defi.licensed_share=0.2");
  EXPECT_EQ(fee.label, "2026-09-01: venues.golem.platform_fee=0.2");

  // The base scenario is unchanged.
  EXPECT_DOUBLE_EQ(s.venues[1].as<AlliancePoolParams>()->subsidy_rate, 0.35);
  EXPECT_DOUBLE_EQ(s.segments[0].demand.licensed_share, 0.1);
  EXPECT_DOUBLE_EQ(s.venues[2].as<MarketplaceParams>()->platform_fee, 0.1);

  EXPECT_DOUBLE_EQ(funding.state->venues[1].as<AlliancePoolParams>()->subsidy_rate, 0.4);
  EXPECT_DOUBLE_EQ(funding.state->segments[0].demand.licensed_share, 0.2);
  EXPECT_DOUBLE_EQ(funding.state->venues[2].as<MarketplaceParams>()->platform_fee, 0.1);
  // Step 2 includes step 1's changes.
  EXPECT_DOUBLE_EQ(fee.state->venues[1].as<AlliancePoolParams>()->subsidy_rate, 0.4);
  EXPECT_DOUBLE_EQ(fee.state->segments[0].demand.licensed_share, 0.2);
  EXPECT_DOUBLE_EQ(fee.state->venues[2].as<MarketplaceParams>()->platform_fee, 0.2);
  EXPECT_TRUE(funding.state->timeline.empty());
  EXPECT_TRUE(fee.state->timeline.empty());
}

TEST(ScenarioLoader, EqualTimelineDatesKeepTheirFileOrder) {
  TempDir dir;
  const std::string text =
      kFull + "  - {date: 2026-06-15, set: {venues.alliance.subsidy_rate: 0.5}}\n";
  const Scenario s = load_scenario(dir.write("main.yaml", text)).scenario;
  ASSERT_EQ(s.timeline.size(), 3u);
  EXPECT_DOUBLE_EQ(s.timeline[0].state->venues[1].as<AlliancePoolParams>()->subsidy_rate, 0.4);
  EXPECT_DOUBLE_EQ(s.timeline[1].state->venues[1].as<AlliancePoolParams>()->subsidy_rate, 0.5);
  EXPECT_EQ(s.timeline[1].at, s.timeline[0].at);
  EXPECT_DOUBLE_EQ(s.timeline[2].state->venues[1].as<AlliancePoolParams>()->subsidy_rate, 0.5);
}

// `scale` multiplies and `add` adds to the number in force at the step, itself possibly set
// by an earlier step, so an inherited step composes with a variant's values.
TEST(ScenarioLoader, TimelineScaleAndAddChangeTheValueInForce) {
  TempDir dir;
  const std::string text = kFull +
                           "  - date: 2026-10-01\n"
                           "    scale: {venues.golem.platform_fee: 1.5, venues.cloud.servers: 2}\n"
                           "    add: {venues.alliance.subsidy_rate: 0.05}\n";
  const Scenario s = load_scenario(dir.write("main.yaml", text)).scenario;
  ASSERT_EQ(s.timeline.size(), 3u);
  const TimelineStep& relative = s.timeline[2];
  EXPECT_EQ(relative.label,
            "2026-10-01: venues.golem.platform_fee*=1.5, venues.cloud.servers*=2, "
            "venues.alliance.subsidy_rate+=0.05");
  // 0.2 (set on 2026-09-01) × 1.5; 100 × 2; 0.4 (set on 2026-06-15) + 0.05, as doubles.
  EXPECT_EQ(relative.state->venues[2].as<MarketplaceParams>()->platform_fee, 0.2 * 1.5);
  EXPECT_EQ(relative.state->venues[0].as<FixedVenueParams>()->servers, 200);
  EXPECT_EQ(relative.state->venues[1].as<AlliancePoolParams>()->subsidy_rate, 0.4 + 0.05);
  // An override of the value before the step moves the value after it too.
  const Scenario overridden = load_scenario(dir.write("main.yaml", text),
                                            {"timeline[0].set={venues.golem.platform_fee: 0.3}"})
                                  .scenario;
  EXPECT_EQ(overridden.timeline[2].state->venues[2].as<MarketplaceParams>()->platform_fee,
            0.3 * 1.5);
}

// The shipped baseline's funding step adds to the subsidy in force: a --set of the subsidy
// holds over the whole run, with no warning.
TEST(ScenarioLoader, BaselineFundingStepComposesWithASubsidyOverride) {
  const LoadedScenario loaded = load_scenario(GPUMARKET_SOURCE_DIR "/scenarios/baseline.yaml",
                                              {"venues.alliance.subsidy_rate=0.5"});
  EXPECT_TRUE(loaded.warnings.empty() ||
              loaded.warnings.front().to_string().find("subsidy") == std::string::npos);
  const Scenario& s = loaded.scenario;
  ASSERT_FALSE(s.timeline.empty());
  EXPECT_EQ(s.venues[0].as<AlliancePoolParams>()->subsidy_rate, 0.5);
  EXPECT_EQ(s.timeline.front().state->venues[0].as<AlliancePoolParams>()->subsidy_rate, 0.5 + 0.05);
}

TEST(ScenarioLoader, ReadsEveryPricingRule) {
  TempDir dir;
  const std::string path = dir.write("main.yaml", kFull);
  const std::pair<const char*, PricingMode> rules[] = {{"clearing", PricingMode::Clearing},
                                                       {"dynamic_fee", PricingMode::DynamicFee},
                                                       {"pay_as_bid", PricingMode::PayAsBid}};
  for (const auto& [name, mode] : rules) {
    const Scenario s = load_scenario(path, {std::string("venues.golem.pricing=") + name}).scenario;
    EXPECT_EQ(s.venues[2].as<MarketplaceParams>()->pricing, mode) << name;
  }
}

TEST(ScenarioLoader, ReadsThePriceFormationOptionsAndDefaultsToThePreviousRules) {
  TempDir dir;
  const std::string path = dir.write("main.yaml", kFull);
  const MarketplaceParams defaults =
      *load_scenario(path).scenario.venues[2].as<MarketplaceParams>();
  EXPECT_EQ(defaults.scarcity.slope, 0.0);
  EXPECT_EQ(defaults.entry_exit.entry_rule, EntryExitParams::EntryRule::Rate);
  EXPECT_EQ(defaults.revenue_source, RevenueSource::Demand);
  const std::string options =
      edited("    platform_fee: 0.1\n",
             "    platform_fee: 0.1\n"
             "    scarcity: {slope: 0.8, ceiling_usd_per_pf_hour: 6}\n"
             "    revenue_source: bills\n",
             edited("exit_after_ticks: 480}", "exit_after_ticks: 480, entry_rule: positive_margin}",
                    kFull));
  const Scenario s = load_scenario(dir.write("options.yaml", options)).scenario;
  const MarketplaceParams& m = *s.venues[2].as<MarketplaceParams>();
  EXPECT_DOUBLE_EQ(m.scarcity.slope, 0.8);
  EXPECT_DOUBLE_EQ(m.scarcity.ceiling_usd_per_pf_hour, 6.0);
  EXPECT_EQ(m.entry_exit.entry_rule, EntryExitParams::EntryRule::PositiveMargin);
  EXPECT_EQ(m.revenue_source, RevenueSource::Bills);
}

TEST(ScenarioLoader, PoolProcurementAndCapacityTargetAreDecoded) {
  TempDir dir;
  const Scenario s =
      load_scenario(dir.write("main.yaml", kFull),
                    {"units.hpl_fp64_pf_per_gpu=0.05",
                     "venues.alliance.capacity={target: {pf: 150, by: 2027-12-31, precision: "
                     "hpl_fp64}}",
                     "venues.alliance.procurement={rule: schedule, initial_pf: 2, schedule: "
                     "{from: 2026-06-01, to: 2026-12-01, interval: 61d}, lead_time: {median: 90d, "
                     "sigma: 0.2}, sanctions: {rate_per_year: 0.5, deliverable_share: 0.6, "
                     "grey_premium: 0.4, duration: 60d}, volume_discount: {max: 0.2, half_pf: "
                     "500}}"})
          .scenario;
  EXPECT_DOUBLE_EQ(s.hpl_fp64_pf_per_gpu, 0.05);
  const AlliancePoolParams& pool = std::get<AlliancePoolParams>(s.venues[1].kind);
  ASSERT_TRUE(pool.capacity_target.has_value());
  EXPECT_EQ(pool.capacity_target->precision, "hpl_fp64");
  ASSERT_TRUE(pool.procurement.has_value());
  const ProcurementParams& p = *pool.procurement;
  EXPECT_EQ(p.rule, ProcurementParams::Rule::Schedule);
  EXPECT_TRUE(p.equal_tranches);
  ASSERT_EQ(p.schedule.size(), 4u);  // June, August, October, December
  EXPECT_EQ(p.schedule[3].date.to_string(), "2026-12-01");
  EXPECT_DOUBLE_EQ(p.initial_pf, 2.0);
  EXPECT_EQ(p.lead_time.median, Duration::days(90));
  EXPECT_DOUBLE_EQ(p.lead_time.log_sd, 0.2);
  EXPECT_DOUBLE_EQ(p.sanctions.deliverable_share, 0.6);
  EXPECT_EQ(p.sanctions.duration, Duration::days(60));
  EXPECT_DOUBLE_EQ(p.volume_discount.half_pf, 500.0);
  EXPECT_EQ(std::get<MarketplaceParams>(s.venues[2].kind).hardware_segment, "consumer");
}

TEST(ScenarioLoader, PoolBudgetSplitDefaultsToTheArticleAndTakesAnyNamedShares) {
  TempDir dir;
  const std::string path = dir.write("main.yaml", kFull);
  const AllianceBudgetParams defaults =
      std::get<AlliancePoolParams>(load_scenario(path).scenario.venues[1].kind).budget;
  EXPECT_DOUBLE_EQ(defaults.total_usd, 12e9);
  EXPECT_DOUBLE_EQ(defaults.usd(kHardwareBudget), 4.8e9);
  EXPECT_DOUBLE_EQ(defaults.usd(kResearchBudget), 3.6e9);
  EXPECT_DOUBLE_EQ(defaults.usd(kServicesBudget), 3.6e9);
  const AllianceBudgetParams custom =
      std::get<AlliancePoolParams>(
          load_scenario(path, {"venues.alliance.budget={total_usd: 1e9, split: {hardware: 0.5, "
                               "opex: 0.25, services: 0.25}}"})
              .scenario.venues[1]
              .kind)
          .budget;
  EXPECT_DOUBLE_EQ(custom.usd("opex"), 2.5e8);
  EXPECT_DOUBLE_EQ(custom.share(kResearchBudget), 0.0);
  ASSERT_EQ(custom.split.size(), 3u);
  EXPECT_EQ(custom.split[1].name, "opex");
}

TEST(ScenarioLoader, DaaVenueDefaultsToNoneWithoutAGolemVenue) {
  TempDir dir;
  const Scenario with_golem =
      load_scenario(dir.write("a.yaml", edited("  daa_venue: golem\n", "", kFull))).scenario;
  EXPECT_EQ(with_golem.indicators.daa_venue, "golem");
  const Scenario renamed =
      load_scenario(dir.write("b.yaml", edited("  daa_venue: golem\n", "", kFull)),
                    {"venues.golem.name=glm", "timeline[0].set={venues.glm.platform_fee: 0.2}"})
          .scenario;
  EXPECT_EQ(renamed.indicators.daa_venue, "");
}

struct BadScenario {
  std::string what;
  std::string main;                                         // main.yaml's text
  std::vector<std::pair<std::string, std::string>> others;  // more files: name, text
  std::vector<std::string> overrides;
  std::string location;  // "file:line:col" with file relative to the scratch dir, or "--set ..."
  std::string phrase;    // the rest of the message must contain this
  std::string load = "main.yaml";
};

std::vector<BadScenario> bad_scenarios() {
  return {
      {"YAML syntax error",
       edited("  - name: farm\n", "  - name: [farm\n"),
       {},
       {},
       "main.yaml:8:9",
       "YAML syntax error: "},
      {"wrong type",
       edited("servers: 3", "servers: {n: 3}"),
       {},
       {},
       "main.yaml:9:14",
       "venues[0].servers: expected a positive integer, got a mapping"},
      {"unknown key with a suggestion",
       edited("servers: 3", "sever: 3"),
       {},
       {},
       "main.yaml:9:5",
       "venues[0]: unknown key 'sever'; did you mean 'servers'? (allowed: name, kind, "
       "direct_access, latency, servers, pf_per_server, price_usd_per_pf_hour, verification)"},
      {"negative rate",
       edited("2.7", "-3"),
       {},
       {},
       "main.yaml:13:28",
       "segments[0].arrival_rate_per_hour: expected a non-negative number, got -3"},
      {"negative price",
       edited("price_usd_per_pf_hour: 2.0", "price_usd_per_pf_hour: -2"),
       {},
       {},
       "main.yaml:10:28",
       "venues[0].price_usd_per_pf_hour: expected a non-negative number, got -2"},
      {"non-integer servers",
       edited("servers: 3", "servers: 2.5"),
       {},
       {},
       "main.yaml:9:14",
       "venues[0].servers: expected a positive integer, got 2.5"},
      {"unparsable duration",
       edited("mean: 1h", "mean: 3 hours"),
       {},
       {},
       "main.yaml:14:49",
       "segments[0].duration.mean: expected a duration such as 15min, 6h or 30d, got '3 hours'"},
      {"bad date",
       edited("2026-01-01", "2026-13-01"),
       {},
       {},
       "main.yaml:2:8",
       "start: expected a date YYYY-MM-DD, got '2026-13-01'"},
      {"missing file",
       kValid,
       {},
       {},
       "nosuch.yaml",
       "cannot read the scenario file: No such file or directory",
       "nosuch.yaml"},
      {"empty file",
       "# only a comment\n",
       {},
       {},
       "main.yaml",
       "the file is empty; expected a mapping of scenario keys"},
      {"duplicate venue name",
       edited("segments:\n",
              "  - {name: farm, kind: fixed, servers: 1, price_usd_per_pf_hour: 1}\nsegments:\n"),
       {},
       {},
       "main.yaml:11:12",
       "venues[1].name: duplicate venue name 'farm' (also venues[0].name)"},
      {"duplicate key",
       edited("    servers: 3\n", "    servers: 3\n    servers: 4\n"),
       {},
       {},
       "main.yaml:10:5",
       "duplicate key 'servers' in 'venues[0]' (first given at line 9)"},
      {"both horizon and end",
       edited("horizon: 2000h\n", "horizon: 2000h\nend: 2026-03-01\n"),
       {},
       {},
       "main.yaml:4:6",
       "end: give either 'horizon' (a duration) or 'end' (a date)"},
      {"warmup not below horizon",
       edited("warmup: 100h", "warmup: 2000h"),
       {},
       {},
       "main.yaml:5:9",
       "warmup: expected a duration shorter than the horizon (2000h), got 2000h"},
      {"width that fits no venue",
       edited("    arrival_rate", "    width_pf: 4\n    arrival_rate"),
       {},
       {},
       "main.yaml:13:15",
       "segments[0].width_pf: segment 'jobs' has jobs of 4 PF, which fit no venue (the largest "
       "is 'farm' with 3 servers of 1 PF = 3 PF)"},
      {"extends cycle",
       "extends: parent.yaml\n" + kValid,
       {{"parent.yaml", "extends: main.yaml\nname: parent\n"}},
       {},
       "parent.yaml:1:10",
       "extends: 'main.yaml' makes a cycle: "},
      {"error in the parent file",
       "extends: parent.yaml\nname: child\n",
       {{"parent.yaml", edited("2.7", "-1")}},
       {},
       "parent.yaml:13:28",
       "segments[0].arrival_rate_per_hour: expected a non-negative number, got -1"},
      {"bad --set path",
       kValid,
       {},
       {"segments.nosuch.arrival_rate_per_hour=1"},
       "--set segments.nosuch.arrival_rate_per_hour=1",
       "no item named 'nosuch' in 'segments' (items: jobs)"},
      {"bad --set value",
       kValid,
       {},
       {"venues.farm.servers=0"},
       "--set venues.farm.servers=0",
       "venues[0].servers: expected a positive integer, got 0"},
      {"missing required key",
       edited("    price_usd_per_pf_hour: 2.0\n", ""),
       {},
       {},
       "main.yaml:7:5",
       "venues[0]: missing required key 'price_usd_per_pf_hour'"},
      {"misspelt top-level sequence",
       edited("venues:", "venus:"),
       {},
       {},
       "main.yaml:6:1",
       "unknown key 'venus'; did you mean 'venues'?"},
      {"no horizon",
       edited("horizon: 2000h\n", ""),
       {},
       {},
       "main.yaml:1:1",
       "missing required key 'horizon' (a duration such as 2000h), or 'end'"},
      {"end before start",
       edited("horizon: 2000h", "end: 2025-12-31"),
       {},
       {},
       "main.yaml:3:6",
       "end: expected a date after start (2026-01-01), got 2025-12-31"},
      {"tick longer than horizon",
       edited("tick: 1h", "tick: 3000h"),
       {},
       {},
       "main.yaml:4:7",
       "tick: expected a duration no longer than the horizon (2000h), got 3000h"},
      {"unknown venue kind",
       edited("kind: fixed", "kind: fixd"),
       {},
       {},
       "main.yaml:8:11",
       "venues[0].kind: expected one of fixed, pool, marketplace, got 'fixd'; did you mean "
       "'fixed'?"},
      {"missing venue kind",
       edited("    kind: fixed\n", ""),
       {},
       {},
       "main.yaml:7:5",
       "venues[0]: missing required key 'kind' (fixed, pool or marketplace)"},
      {"internal segment without a pool",
       edited("    arrival_rate", "    internal: true\n    arrival_rate"),
       {},
       {},
       "main.yaml:13:15",
       "segments[0].internal: segment 'jobs' is internal (served by the pool's reserved share), "
       "but no venue has kind 'pool'"},
      {"bridge to an unknown venue",
       edited("[alliance, farms]", "[alliance, nowhere]", kFull),
       {},
       {},
       "main.yaml:56:26",
       "bridges[0].connects[1]: bridge 'icb_v2' leads to nowhere: there is no venue named "
       "'nowhere' (venues: cloud, alliance, golem, farms)"},
      {"bridge connecting nothing",
       edited("[alliance, farms]", "[]", kFull),
       {},
       {},
       "main.yaml:56:15",
       "bridges[0].connects: bridge 'icb_v2' is a bridge to nowhere"},
      {"venue only reachable through a bridge that no bridge connects",
       edited("[alliance, farms]", "[alliance]", kFull),
       {},
       {},
       "main.yaml:36:20",
       "venues[3].direct_access: venue 'farms' has no direct access and no bridge connects it"},
      {"unknown DAA venue",
       edited("daa_venue: golem", "daa_venue: glm", kFull),
       {},
       {},
       "main.yaml:8:14",
       "indicators.daa_venue: there is no venue named 'glm' (venues: cloud, alliance, golem, "
       "farms)"},
      {"timeline date after the horizon",
       edited("  - date: 2026-09-01", "  - date: 2030-01-01", kFull),
       {},
       {},
       "main.yaml:59:11",
       "timeline[0].date: 2030-01-01 is outside the horizon: expected a date from the start "
       "(2026-05-07) to 2029-05-05"},
      {"timeline date before the start",
       edited("  - date: 2026-09-01", "  - date: 2026-05-06", kFull),
       {},
       {},
       "main.yaml:59:11",
       "timeline[0].date: 2026-05-06 is outside the horizon"},
      {"timeline step setting a negative price",
       edited("{venues.golem.platform_fee: 0.2}", "{venues.cloud.price_usd_per_pf_hour: -1}",
              kFull),
       {},
       {},
       "main.yaml:60:47",
       "venues[0].price_usd_per_pf_hour: expected a non-negative number, got -1"},
      {"timeline step with a misspelt key",
       edited("venues.golem.platform_fee", "venues.golem.platform_fe", kFull),
       {},
       {},
       "main.yaml:60:11",
       "venues[2]: unknown key 'platform_fe'; did you mean 'platform_fee'?"},
      {"timeline step naming an unknown item",
       edited("venues.golem.platform_fee", "venues.nosuch.platform_fee", kFull),
       {},
       {},
       "main.yaml:60:11",
       "timeline[0].set: cannot set 'venues.nosuch.platform_fee': no item named 'nosuch' in "
       "'venues'"},
      {"timeline step that breaks a check across fields",
       edited("venues.golem.platform_fee: 0.2",
              "venues.golem.dynamic_fee.floor_usd_per_pf_hour: 30", kFull),
       {},
       {},
       "main.yaml:60:10",
       "timeline[0].set: after this step the scenario is invalid: "},
      {"timeline step with no change",
       edited("    set: {venues.golem.platform_fee: 0.2}\n", "    name: empty\n", kFull),
       {},
       {},
       "main.yaml:59:5",
       "timeline[0]: expected at least one of 'set', 'scale' or 'add' (path: value)"},
      {"timeline step scaling a default",
       edited("set: {venues.golem.platform_fee: 0.2}", "scale: {venues.cloud.pf_per_server: 2}",
              kFull),
       {},
       {},
       "main.yaml:60:13",
       "timeline[0].scale: cannot scale 'venues.cloud.pf_per_server': expected a number written "
       "in the scenario before this step"},
      {"timeline step adding to a name",
       edited("set: {venues.golem.platform_fee: 0.2}", "add: {indicators.daa_venue: 1}", kFull),
       {},
       {},
       "main.yaml:60:11",
       "timeline[0].add: cannot add 'indicators.daa_venue'"},
      {"timeline step scaling by a non-number",
       edited("set: {venues.golem.platform_fee: 0.2}", "scale: {venues.golem.platform_fee: x}",
              kFull),
       {},
       {},
       "main.yaml:60:40",
       "timeline[0].scale.venues.golem.platform_fee: expected a number, got 'x'"},
      {"timeline step scaling to a value out of range",
       edited("set: {venues.golem.platform_fee: 0.2}", "scale: {venues.golem.platform_fee: 20}",
              kFull),
       {},
       {},
       "main.yaml:60:40",
       "venues[2].platform_fee"},
      {"timeline step changing the horizon",
       edited("venues.golem.platform_fee: 0.2", "horizon: 1y", kFull),
       {},
       {},
       "main.yaml:60:11",
       "timeline[0].set: a timeline step may not set 'horizon'"},
      {"timeline step renaming a venue",
       edited("venues.golem.platform_fee: 0.2", "venues.golem.name: glm", kFull),
       {},
       {},
       "main.yaml:60:11",
       "timeline[0].set: a timeline step may not set 'venues.golem.name': names and kinds "
       "stay fixed"},
      {"timeline step replacing a segment",
       edited("{venues.golem.platform_fee: 0.2}",
              "{segments.state: {name: other, arrival_rate_per_hour: 1}}", kFull),
       {},
       {},
       "main.yaml:60:10",
       "timeline[0].set: a timeline step may change parameter values only, not the list of "
       "segments (defi, state became defi, other)"},
      {"dynamic fee adjustment above 1/8",
       edited("adjustment: 0.125", "adjustment: 0.2", kFull),
       {},
       {},
       "main.yaml:27:56",
       "venues[2].dynamic_fee.adjustment: expected a number in (0, 0.125], got 0.2"},
      {"two pools",
       edited("  - name: farms\n", "  - {name: pool2, kind: pool}\n  - name: farms\n", kFull),
       {},
       {},
       "main.yaml:32:25",
       "venues[3].kind: a scenario has at most one pool venue, and 'alliance' (venues[1]) is one "
       "already"},
      {"ramp dates not increasing",
       edited("{date: 2027-12-31, pf: 150}", "{date: 2026-05-01, pf: 150}", kFull),
       {},
       {},
       "main.yaml:21:18",
       "venues[1].capacity.ramp[1].date: expected a date after the previous point's (2026-05-07)"},
      {"pool key in a fixed venue",
       edited("    price_usd_per_pf_hour: 1.0\n",
              "    price_usd_per_pf_hour: 1.0\n    subsidy_rate: 0.1\n", kFull),
       {},
       {},
       "main.yaml:36:5",
       "venues[3]: unknown key 'subsidy_rate'"},
      {"subsidy rate of one",
       edited("subsidy_rate: 0.35", "subsidy_rate: 1", kFull),
       {},
       {},
       "main.yaml:22:19",
       "venues[1].subsidy_rate: expected a fraction in [0, 1), got 1"},
      {"negative token volatility",
       edited("annual_volatility: 0.9", "annual_volatility: -0.9", kFull),
       {},
       {},
       "main.yaml:29:50",
       "venues[2].token.annual_volatility: expected a non-negative number, got -0.9"},
      {"zero bridge capacity",
       edited("capacity_jobs_per_hour: 500", "capacity_jobs_per_hour: 0", kFull),
       {},
       {},
       "main.yaml:54:29",
       "bridges[0].capacity_jobs_per_hour: expected a positive number, got 0"},
      {"negative outage rate",
       edited("    alliance_accepts: true\n",
              "    alliance_accepts: true\n    outages: {rate_per_year: -1}\n", kFull),
       {},
       {},
       "main.yaml:58:30",
       "bridges[0].outages.rate_per_year: expected a non-negative number, got -1"},
      {"zero outage duration",
       edited("    alliance_accepts: true\n",
              "    alliance_accepts: true\n    outages: {rate_per_year: 1, mean_duration: 0h}\n",
              kFull),
       {},
       {},
       "main.yaml:58:48",
       "bridges[0].outages.mean_duration: expected a positive duration, got '0h'"},
      {"negative outage duration",
       edited("    alliance_accepts: true\n",
              "    alliance_accepts: true\n    outages: {mean_duration: -2d}\n", kFull),
       {},
       {},
       "main.yaml:58:30",
       "bridges[0].outages.mean_duration: expected a duration such as 15min, 6h or 30d, got "
       "'-2d'"},
      {"unknown outage policy",
       edited("    alliance_accepts: true\n",
              "    alliance_accepts: true\n    outages: {on_outage: reroot}\n", kFull),
       {},
       {},
       "main.yaml:58:26",
       "bridges[0].outages.on_outage: expected one of strand, reroute, got 'reroot'; did you "
       "mean 'reroute'?"},
      {"pause that ends before it starts",
       edited("    alliance_accepts: true\n",
              "    alliance_accepts: true\n    outages:\n      pauses:\n"
              "        - {from: 2026-10-01, to: 2026-09-01}\n",
              kFull),
       {},
       {},
       "main.yaml:60:34",
       "bridges[0].outages.pauses[0].to: expected a date after 'from' (2026-10-01), got "
       "2026-09-01"},
      {"timeline step setting a bridge's outages",
       edited("      segments.defi.licensed_share: 0.2\n",
              "      bridges.icb_v2.outages.rate_per_year: 1\n", kFull),
       {},
       {},
       "main.yaml:65:7",
       "timeline[1].set: a timeline step may not set 'bridges.icb_v2.outages.rate_per_year': a "
       "bridge's outages stay fixed for the run"},
      {"wrong number of weekly factors",
       edited("[1, 1, 1, 1, 1, 0.5, 0.5]", "[1, 1, 1]", kFull),
       {},
       {},
       "main.yaml:42:65",
       "segments[0].arrivals.weekly: expected 7 factors (Monday..Sunday), got 3"},
      {"both arrival forms",
       edited("    licensed_share: 0.1\n",
              "    licensed_share: 0.1\n    arrival_rate_per_hour: 1\n", kFull),
       {},
       {},
       "main.yaml:43:15",
       "segments[0].arrivals: give either 'arrival_rate_per_hour' (a flat rate) or 'arrivals'"},
      {"no arrival rate",
       edited("    arrival_rate_per_hour: 2.7\n", ""),
       {},
       {},
       "main.yaml:12:5",
       "segments[0]: missing required key 'arrival_rate_per_hour' (a flat rate) or 'arrivals'"},
      {"tail quantile of one",
       edited("tail: {alpha: 1.4}", "tail: {quantile: 1, alpha: 1.4}", kFull),
       {},
       {},
       "main.yaml:43:85",
       "segments[0].width_pf.tail.quantile: expected a number strictly between 0 and 1, got 1"},
      {"zero constant width",
       edited("    arrival_rate", "    width_pf: 0\n    arrival_rate"),
       {},
       {},
       "main.yaml:13:15",
       "segments[0].width_pf: expected a positive number, got 0"},
      {"lognormal without sigma",
       edited("{distribution: exponential, mean: 1h}", "{distribution: lognormal, median: 1h}"),
       {},
       {},
       "main.yaml:14:15",
       "segments[0].duration: missing required key 'sigma'"},
      {"duplicate segment name",
       kValid + "  - {name: jobs, arrival_rate_per_hour: 1, duration: {distribution: "
                "exponential, mean: 1h}}\n",
       {},
       {},
       "main.yaml:15:12",
       "segments[1].name: duplicate segment name 'jobs' (also segments[0].name)"},
      {"empty venues",
       edited("venues:\n  - name: farm\n    kind: fixed\n    servers: 3\n"
              "    price_usd_per_pf_hour: 2.0\n",
              "venues: []\n"),
       {},
       {},
       "main.yaml:6:9",
       "venues: expected a non-empty sequence, got an empty one"},
      {"negative scarcity slope",
       edited("    platform_fee: 0.1\n", "    platform_fee: 0.1\n    scarcity: {slope: -0.5}\n",
              kFull),
       {},
       {},
       "main.yaml:32:23",
       "venues[2].scarcity.slope: expected a non-negative number, got -0.5"},
      {"scarcity ceiling below the price floor",
       edited("    platform_fee: 0.1\n",
              "    platform_fee: 0.1\n    scarcity: {slope: 1, ceiling_usd_per_pf_hour: 0.01}\n",
              kFull),
       {},
       {},
       "main.yaml:32:51",
       "venues[2].scarcity.ceiling_usd_per_pf_hour: expected a price no lower than the "
       "marketplace's floor dynamic_fee.floor_usd_per_pf_hour (0.05), got 0.01"},
      {"unknown entry rule",
       edited("exit_after_ticks: 480}", "exit_after_ticks: 480, entry_rule: free}", kFull),
       {},
       {},
       "main.yaml:30:73",
       "venues[2].entry_exit.entry_rule: expected one of rate, positive_margin, got 'free'"},
      {"unknown revenue source",
       edited("    platform_fee: 0.1\n", "    platform_fee: 0.1\n    revenue_source: paid\n",
              kFull),
       {},
       {},
       "main.yaml:32:21",
       "venues[2].revenue_source: expected one of demand, bills, got 'paid'"},
      {"budget split that does not sum to 1",
       kFull,
       {},
       {"venues.alliance.budget={split: {hardware: 0.4, research: 0.3}}"},
       "--set venues.alliance.budget={split: {hardware: 0.4, research: 0.3}}",
       "venues[1].budget.split: expected shares that sum to 1, got 0.7"},
      {"budget share outside [0, 1]",
       kFull,
       {},
       {"venues.alliance.budget={split: {hardware: 1.5, research: -0.5}}"},
       "--set venues.alliance.budget={split: {hardware: 1.5, research: -0.5}}",
       "venues[1].budget.split.hardware: expected a fraction between 0 and 1, got 1.5"},
      {"negative budget",
       kFull,
       {},
       {"venues.alliance.budget={total_usd: -1}"},
       "--set venues.alliance.budget={total_usd: -1}",
       "venues[1].budget.total_usd"},
      {"old budget-derived capacity",
       kFull,
       {},
       {"venues.alliance.capacity={budget_usd: 12e9, hardware_share: 0.4}"},
       "--set venues.alliance.capacity={budget_usd: 12e9, hardware_share: 0.4}",
       "venues[1].capacity.budget_usd: replaced: the pool's money is budget:"},
      {"old procurement coupling",
       kFull,
       {},
       {"venues.alliance.procurement_coupling=2"},
       "--set venues.alliance.procurement_coupling=2",
       "venues[1].procurement_coupling: replaced"},
      {"old scalar hardware index",
       kFull,
       {},
       {"hardware={decline_per_year: 0.3}"},
       "--set hardware={decline_per_year: 0.3}",
       "hardware.decline_per_year: the hardware market is per segment"},
      {"ramp and procurement together",
       kFull,
       {},
       {"venues.alliance.procurement={initial_pf: 1}"},
       "--set venues.alliance.procurement={initial_pf: 1}",
       "venues[1].procurement: give either capacity.ramp"},
      {"negative lead time",
       kFull,
       {},
       {"venues.alliance.capacity={}", "venues.alliance.procurement={lead_time: {median: -30d}}"},
       "--set venues.alliance.procurement={lead_time: {median: -30d}}",
       "venues[1].procurement.lead_time.median"},
      {"utilisation target above 1",
       kFull,
       {},
       {"venues.alliance.capacity={}", "venues.alliance.procurement={target_utilisation: 1.5}"},
       "--set venues.alliance.procurement={target_utilisation: 1.5}",
       "venues[1].procurement.target_utilisation: expected a number in (0, 1], got 1.5"},
      {"utilisation target of 0",
       kFull,
       {},
       {"venues.alliance.capacity={}", "venues.alliance.procurement={target_utilisation: 0}"},
       "--set venues.alliance.procurement={target_utilisation: 0}",
       "venues[1].procurement.target_utilisation: expected a number in (0, 1], got 0"},
      {"schedule outside the run",
       kFull,
       {},
       {"venues.alliance.capacity={}",
        "venues.alliance.procurement={rule: schedule, schedule: {orders: [{date: 2030-01-01, "
        "usd: 1e6}]}}"},
       "--set venues.alliance.procurement={rule: schedule, schedule: {orders: [{date: "
       "2030-01-01, usd: 1e6}]}}",
       "venues[1].procurement.schedule: expected a first order date inside the run [2026-05-07, "
       "end), got 2030-01-01"},
      {"schedule above the hardware budget",
       kFull,
       {},
       {"venues.alliance.capacity={}",
        "venues.alliance.procurement={rule: schedule, schedule: {orders: [{date: 2026-07-01, "
        "usd: 9e9}]}}"},
       "--set venues.alliance.procurement={rule: schedule, schedule: {orders: [{date: "
       "2026-07-01, usd: 9e9}]}}",
       "above the hardware budget (4.8e+09 USD)"},
      {"schedule without rule schedule",
       kFull,
       {},
       {"venues.alliance.capacity={}",
        "venues.alliance.procurement={schedule: {from: 2026-06-01, to: 2026-07-01, interval: "
        "30d}}"},
       "--set venues.alliance.procurement={schedule: {from: 2026-06-01, to: 2026-07-01, "
       "interval: 30d}}",
       "venues[1].procurement.schedule: a schedule is read only under rule: schedule"},
      {"ramp above the hardware budget",
       kFull,
       {},
       {"venues.alliance.capacity={ramp: [{date: 2026-05-07, pf: 0}, {date: 2027-01-01, pf: "
        "1e6}]}"},
       "--set venues.alliance.capacity={ramp: [{date: 2026-05-07, pf: 0}, {date: 2027-01-01, "
       "pf: 1e6}]}",
       "venues[1].capacity.ramp: the ramp costs"},
      {"target in a third precision",
       kFull,
       {},
       {"venues.alliance.capacity={target: {pf: 150, by: 2027-12-31, precision: fp64_vector}}"},
       "--set venues.alliance.capacity={target: {pf: 150, by: 2027-12-31, precision: "
       "fp64_vector}}",
       "venues[1].capacity.target.precision: expected units.precision (fp8_dense) or hpl_fp64, "
       "got fp64_vector"},
      {"unknown hardware segment",
       kFull,
       {},
       {"venues.golem.hardware_segment=gaming"},
       "--set venues.golem.hardware_segment=gaming",
       "venues[2].hardware_segment: there is no hardware segment named 'gaming' (hardware: "
       "datacentre, consumer)"},
      {"infinite number",
       edited("2.7", ".inf"),
       {},
       {},
       "main.yaml:13:28",
       "segments[0].arrival_rate_per_hour: expected a finite number, got .inf"},
  };
}

TEST(ScenarioLoader, ReportsEachMalformedScenarioWithItsLocationAndCause) {
  const std::vector<BadScenario> cases = bad_scenarios();
  ASSERT_GE(cases.size(), 40u);
  for (const BadScenario& c : cases) {
    SCOPED_TRACE(c.what);
    TempDir dir;
    dir.write("main.yaml", c.main);
    for (const auto& [name, text] : c.others) dir.write(name, text);
    const std::string message = load_error((dir / c.load).string(), c.overrides);
    const std::string location =
        c.location.rfind("--set", 0) == 0 ? c.location : (dir / c.location).string();
    testing::expect_located_error(message, location, c.phrase);
  }
}

// ---------------------------------------------------------------------------------------------
// Warnings: settings that validate but can have no effect.

// The warnings of `text` (written as main.yaml) with `overrides`, as "<location>: warning: ...".
std::vector<std::string> warnings_of(const std::string& text,
                                     const std::vector<std::string>& overrides = {}) {
  TempDir dir;
  const LoadedScenario loaded = load_scenario(dir.write("main.yaml", text), overrides);
  std::vector<std::string> out;
  for (const Warning& w : loaded.warnings) out.push_back(w.to_string());
  return out;
}

// The one warning of `text`, with the directory of main.yaml cut off its location.
std::string only_warning(const std::string& text, const std::vector<std::string>& overrides = {}) {
  const std::vector<std::string> all = warnings_of(text, overrides);
  EXPECT_EQ(all.size(), 1u) << ::testing::PrintToString(all);
  if (all.empty()) return "";
  const size_t file = all.front().find("main.yaml:");
  return file == std::string::npos ? all.front() : all.front().substr(file);
}

TEST(ScenarioWarnings, NoneForAScenarioWhoseSettingsAllTakeEffect) {
  EXPECT_TRUE(warnings_of(kFull).empty());
  EXPECT_TRUE(warnings_of(kValid).empty());
  for (const char* file : {"bull.yaml", "mmc.yaml"}) {
    const LoadedScenario loaded =
        load_scenario(std::string(GPUMARKET_SOURCE_DIR "/scenarios/") + file);
    EXPECT_TRUE(loaded.warnings.empty()) << file << ": " << loaded.warnings.front().to_string();
  }
}

TEST(ScenarioWarnings, RunEndingBeforeTheDaaAfterWindowEnds) {
  const std::string text = edited("  bridge_split: 2026-09-15\n",
                                  "  daa_after: {from: 2026-09-01, to: 2029-06-01}\n"
                                  "  bridge_split: 2026-09-15\n",
                                  kFull);
  EXPECT_EQ(only_warning(text),
            "main.yaml:10:37: warning: indicators.daa_after.to: the run ends on 2029-05-06, "
            "before the DAA 'after' window ends (2029-06-01): the 'after' mean covers only the "
            "part of the window in the run");
  // A window that starts after the run leaves the indicator without a day.
  EXPECT_NE(only_warning(kFull, {"indicators.daa_after={from: 2029-06-01, to: 2029-07-01}"})
                .find("(2029-07-01): the DAA indicators of 'golem' will be NaN"),
            std::string::npos);
}

TEST(ScenarioWarnings, RunEndingBeforeTheDaaBeforeWindowStarts) {
  const std::string text = edited("  daa_before: {from: 2026-06-01, to: 2026-07-01}\n",
                                  "  daa_before: {from: 2029-06-01, to: 2029-07-01}\n", kFull);
  EXPECT_EQ(only_warning(text),
            "main.yaml:9:22: warning: indicators.daa_before.from: the run ends on 2029-05-06, "
            "before the DAA 'before' window starts (2029-06-01): the DAA indicators of 'golem' "
            "will be NaN");
}

TEST(ScenarioWarnings, BridgeSplitOutsideTheRun) {
  EXPECT_EQ(
      only_warning(edited("  bridge_split: 2026-09-15\n", "  bridge_split: 2030-01-01\n", kFull)),
      "main.yaml:10:17: warning: indicators.bridge_split: the bridge split (2030-01-01) is "
      "not before the end: the run ends on 2029-05-06, so the bridge volume after the "
      "split will be NaN");
  EXPECT_EQ(
      only_warning(edited("  bridge_split: 2026-09-15\n", "  bridge_split: 2026-05-07\n", kFull)),
      "main.yaml:10:17: warning: indicators.bridge_split: the bridge split (2026-05-07) is "
      "not after the start: the run starts on 2026-05-07, so the bridge volume before the "
      "split will be NaN");
}

TEST(ScenarioWarnings, LicenceDelayThatOutlastsThePlanningHorizon) {
  const std::string applying = edited(
      "    licence_delay: 30d\n", "    licence_delay: 30d\n    licence_applications: {}\n", kFull);
  EXPECT_TRUE(warnings_of(applying).empty());
  EXPECT_EQ(only_warning(edited("    licence_delay: 30d\n", "    licence_delay: 1y\n", applying)),
            "main.yaml:23:20: warning: venues[1].licence_delay: pool 'alliance': a licence takes "
            "8760h, no less than the planning horizon of 8760h: no address applies");
  // Located at the override that set it.
  EXPECT_EQ(only_warning(applying, {"venues.alliance.licence_delay=400d"}),
            "--set venues.alliance.licence_delay=400d: warning: venues[1].licence_delay: pool "
            "'alliance': a licence takes 9600h, no less than the planning horizon of 8760h: no "
            "address applies");
  // Without applications the delay concerns no one: the start licences hold from the start.
  EXPECT_TRUE(warnings_of(kFull, {"venues.alliance.licence_delay=3y"}).empty());
}

TEST(ScenarioWarnings, LicensedPublicChainJobsWithNoRouteToThePool) {
  EXPECT_EQ(
      only_warning(edited("    alliance_accepts: true\n", "    alliance_accepts: false\n", kFull)),
      "main.yaml:41:21: warning: segments[0].licensed_share: segment 'defi' has licensed "
      "public-chain jobs, but pool 'alliance' bans tokenized access and no bridge with "
      "alliance_accepts connects it: they have no route to the pool");
  // The token route is open when tokenized access is allowed.
  EXPECT_TRUE(warnings_of(kFull, {"bridges.icb_v2.alliance_accepts=false",
                                  "venues.alliance.ban_tokenized_access=false"})
                  .empty());
}

TEST(ScenarioWarnings, BridgeOpeningAtOrAfterTheEnd) {
  EXPECT_EQ(only_warning(kFull, {"bridges.icb_v2.open=2029-05-06"}),
            "--set bridges.icb_v2.open=2029-05-06: warning: bridges[0].open: bridge 'icb_v2' "
            "opens on 2029-05-06, but the run ends on 2029-05-06: no job can use it");
}

// A variant that sets a key which its parent's timeline sets again later holds its value only
// until that step: a warning names both places. A relative step, or a value written in the
// step's own file, gives none.
TEST(ScenarioWarnings, VariantValueOverwrittenByAnInheritedTimelineStep) {
  TempDir dir;
  dir.write("main.yaml", kFull);
  const std::string variant =
      "extends: main.yaml\n"
      "venues:\n"
      "  - name: alliance\n"
      "    subsidy_rate: 0.5\n";
  const LoadedScenario loaded = load_scenario(dir.write("variant.yaml", variant));
  ASSERT_EQ(loaded.warnings.size(), 1u);
  const std::string w = loaded.warnings.front().to_string();
  EXPECT_EQ(w.rfind((dir / "variant.yaml").string() + ":4:19: warning: ", 0), 0u) << w;
  EXPECT_NE(w.find("'venues.alliance.subsidy_rate' is 0.5 here only until 2026-06-15: from then "
                   "on timeline[1].set (" +
                   (dir / "main.yaml").string() + ":64:7) sets it to 0.4"),
            std::string::npos)
      << w;

  const std::vector<std::string> by_override =
      warnings_of(kFull, {"venues.alliance.subsidy_rate=0.5"});
  ASSERT_EQ(by_override.size(), 1u);
  EXPECT_EQ(by_override.front().rfind("--set venues.alliance.subsidy_rate=0.5: warning: ", 0), 0u)
      << by_override.front();

  const std::string relative =
      edited("    set:\n      venues.alliance.subsidy_rate: 0.4\n",
             "    add: {venues.alliance.subsidy_rate: 0.05}\n    set:\n", kFull);
  EXPECT_TRUE(warnings_of(relative, {"venues.alliance.subsidy_rate=0.5"}).empty());
}

TEST(ScenarioWarnings, TimelineStepThatChangesNothing) {
  EXPECT_EQ(only_warning(edited("    set: {venues.golem.platform_fee: 0.2}\n",
                                "    set: {venues.golem.platform_fee: 0.1}\n", kFull)),
            "main.yaml:60:38: warning: timeline[0].set: 'venues.golem.platform_fee' is already "
            "0.1 before this step, which does not change it");
}

}  // namespace
}  // namespace gpumarket
