// Parameters of the supply side: the alliance's administered pool, permissionless
// marketplaces (providers, price formation, token, entry and exit) and the GPU
// hardware price index. Plain structs; the equations are in docs/model.md.
//
// Units: capacity in PF (sustained petaflop/s at the scenario's declared precision;
// the defaults below assume FP16/BF16 dense, as calibration §0 suggests), work in PF·h,
// prices and costs in USD per PF·h.
//
// Sources: docs/sources.md. "calibration §n" is its calibration section n, "article" its
// article entry; ASSUMPTION marks a value with no source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpumarket/core/calendar.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/scenario/budget.hpp"
#include "gpumarket/scenario/pool_operation.hpp"

namespace gpumarket {

/// One point of a piecewise-linear capacity ramp.
struct CapacityPoint {
  Date date;                 // the capacity is reached at this date's midnight
  double capacity_pf = 0.0;  // PF
};

/// How much licensing the pool's office does per period (bilateral agreements): at most
/// `approvals` approvals in each period [k·per, (k + 1)·per) from the scenario start.
struct LicenceQuota {
  int64_t approvals = 0;  // ≥ 0; 0: unlimited
  Duration per = Duration::days(30);

  bool limits() const { return approvals > 0; }
};

/// Addresses that choose to apply for a licence (docs/model.md, "Licence applications").
struct LicenceApplicationParams {
  /// How often every unlicensed address reconsiders. ASSUMPTION: daily.
  Duration planning_interval = Duration::days(1);
  /// H: the horizon over which an address weighs savings against the licence's cost, and over
  /// which that cost is amortised per expected job. ASSUMPTION: a year.
  Duration planning_horizon = Duration::days(365);
  /// Compliance cost of holding a licence, USD per year, paid for H at approval. ASSUMPTION: 0
  /// (calibration §10: licence prices not sourced).
  double compliance_usd_per_year = 0.0;
  /// Distribution of the review time, of mean `licence_delay`.
  enum class DelayDistribution { Exponential, Constant };
  /// ASSUMPTION: exponential, a memoryless review.
  DelayDistribution delay_distribution = DelayDistribution::Exponential;
};

/// The pool's licences, access rules and settlement (docs/model.md, "Licences and settlement").
struct LicensingParams {
  /// USD, one-off fee of a licence, paid at approval. ASSUMPTION (calibration §10: not sourced).
  double licence_fee_usd = 50'000.0;
  /// Mean time from applying to holding a licence (the addresses licensed at the start hold
  /// theirs from the start). ASSUMPTION (calibration §10).
  Duration licence_delay = Duration::days(90);
  /// Article: the charter bans "unregulated tokenized access to compute".
  bool ban_tokenized_access = true;
  /// Under the ban, whether the pool takes bridged work whose compute the bridge proves (a
  /// bridge with alliance_accepts that does not prove is refused under the ban). Default true:
  /// a bridge's alliance_accepts keeps the meaning it had before this key existed.
  bool accepts_zk_bridged_work = true;
  /// Fraction of the job's cost a crypto-native job pays to convert into sovereign
  /// currency. ASSUMPTION: 2 % (no sourced figure; bridge fees of calibration §9 are
  /// 0.05–0.3 %, fiat off-ramps typically cost more).
  double settlement_spread = 0.02;
  /// Fraction of the bill every job settled at the pool pays for the sovereign-currency
  /// exchange (FX risk over the settlement delay), in [0, 1). Default 0: none (opt-in).
  double fx_spread = 0.0;
  /// Time a pool job waits for its sovereign-currency settlement before it starts; routes see
  /// it as latency. Default 0 (opt-in).
  Duration settlement_delay = Duration::micros(0);
  /// Absent: no address applies; only those licensed at the start hold licences.
  std::optional<LicenceApplicationParams> applications;
  LicenceQuota quota;
  /// Under the ban, the probability that the pool's compliance check detects a licensed
  /// public-chain job paying by the direct token route (docs/model.md, "Evading the ban"):
  /// present, such jobs may try it; a detected one is refused and its address's licence
  /// revoked. Absent: the ban admits no such job. In [0, 1]. ASSUMPTION: no sourced figure.
  std::optional<double> ban_detection_probability;
};

/// A lognormal delay: median and the sd of its log.
struct LognormalDelayParams {
  Duration median;
  double log_sd = 0.0;
};

/// Export controls and sanctions that hit the pool's hardware orders (docs/model.md,
/// "Procurement"): Poisson events on their own stream.
struct SanctionsParams {
  /// Shocks per year; 0: none. ASSUMPTION (calibration §10: procurement delays unsourced).
  double rate_per_year = 0.0;
  /// Share of every order in flight at a shock that is still delivered; the rest is
  /// cancelled and its money lost (prepaid and not refunded). ASSUMPTION: half.
  double deliverable_share = 0.5;
  /// Grey-market premium on the unit cost of orders placed while a shock lasts. ASSUMPTION.
  double grey_premium = 0.3;
  /// How long a shock's premium lasts. ASSUMPTION: half a year.
  Duration duration = Duration::days(182);
  /// Share of the supply S of the pool's hardware segment a shock withdraws (export controls
  /// take the alliance's suppliers out of the market it buys in); S then recovers toward
  /// demand with the segment's lag. ASSUMPTION: 10 %.
  double supply_cut = 0.1;
};

/// The joint-procurement volume discount on an order of q PF: d(q) = max · q / (q + half_pf).
struct VolumeDiscountParams {
  /// The discount approached by very large orders, in [0, 1). Default 0: none. ASSUMPTION.
  double max = 0.0;
  /// The order size at which half of `max` applies, PF > 0. ASSUMPTION: 1,000 PF (~1,000 H100).
  double half_pf = 1000.0;
};

/// One dated hardware order of a schedule.
struct ScheduledOrder {
  Date date;
  double usd = 0.0;
};

/// How the hardware budget is spent on tranches of capacity (docs/model.md, "Procurement").
struct ProcurementParams {
  enum class Rule {
    /// Orders of the USD amounts of `schedule`, on their dates.
    Schedule,
    /// At each review, order the PF that brings installed plus in-flight capacity to the
    /// offered load of the busiest share (served work plus the growth of its line, over its
    /// fraction of the pool) / target_utilisation, limited by the money left.
    Utilisation,
  };
  Rule rule = Rule::Utilisation;
  /// PF installed at time 0, paid from the hardware budget at the unit cost then.
  /// Article: "operational by May 2026"; the size is an ASSUMPTION (5 PF, ~5 H100 racks).
  double initial_pf = 5.0;
  /// Rule::Schedule: the dated orders, in date order.
  std::vector<ScheduledOrder> schedule;
  /// Rule::Schedule: true for equal tranches (the form `from, to, interval`): the k-th of n
  /// orders spends money left / (n − k), i.e. (budget − initial) / n each when nothing is
  /// cancelled, and the schedule's `usd` are not read; false: each order spends its `usd`.
  bool equal_tranches = false;
  /// Rule::Utilisation: the pool's target utilisation u*, in (0, 1]. ASSUMPTION: 0.7, the
  /// utilisation cluster traces sustain (calibration §4).
  double target_utilisation = 0.7;
  /// Rule::Utilisation: time between reviews, the first one review_interval after the start.
  /// ASSUMPTION: a month.
  Duration review_interval = Duration::days(30);
  /// Order-to-delivery time. ASSUMPTION (calibration §10: procurement delays are unsourced):
  /// median half a year, log-sd 0.5 (a quarter to a year for most orders).
  LognormalDelayParams lead_time{Duration::days(182), 0.5};
  SanctionsParams sanctions;
  VolumeDiscountParams volume_discount;
};

/// A capacity target the scenario may or may not reach (reported, never an input).
struct CapacityTarget {
  double pf = 150.0;                       // article: "150 petaflops capacity by 2027"
  Date by = Date::from_ymd(2027, 12, 31);  // read as the end of 2027
  std::string precision = "fp16_dense";    // the reading its PF are stated in
};

/// The alliance's state-controlled pool (docs/model.md, "Alliance pool").
struct AlliancePoolParams {
  /// The pooled budget and its split (include/gpumarket/scenario/budget.hpp); procurement
  /// spends its "hardware" share.
  AllianceBudgetParams budget;
  /// The degenerate capacity model, used without `procurement`: capacity as given,
  /// piecewise linear in time between points, 0 before the first point, the last point's
  /// value after it; its money is accounted at the initial unit cost. Article: "operational
  /// by May 2026" (the launch, 2026-05-07) and "150 petaflops capacity by 2027" (read as the
  /// end of 2027).
  std::vector<CapacityPoint> capacity_ramp = {
      {Date::from_ymd(2026, 5, 7), 0.0},
      {Date::from_ymd(2027, 12, 31), 150.0},
  };
  /// Capacity bought from the hardware budget in tranches; absent: the ramp.
  std::optional<ProcurementParams> procurement;
  /// Reported as reached or not, in both readings (units.precision and HPL-FP64).
  std::optional<CapacityTarget> capacity_target;
  /// The hardware price index the pool buys at and amortises at (a HardwareMarketParams
  /// segment). calibration §2: H100-class data-centre GPUs.
  std::string hardware_segment = "datacentre";
  /// USD per PF of capacity bought at hardware index 1, before discount and premium; also
  /// the amortisation. calibration §2: $50 k all-in per H100 / 0.989 PF (FP16 dense) per H100.
  /// At this price the hardware budget buys ~95,000 PF, far above 150 PF (calibration §0).
  double capex_usd_per_pf = 50'000.0 / 0.989;
  /// Years over which capex is amortised, straight line, at full capacity.
  /// calibration §11: "state pool capex ... 5-yr life".
  double hardware_life_years = 5.0;
  /// USD per PF·h. calibration §6: H100 in a data centre ≈ $0.07 per GPU-h, / 0.989 PF.
  double energy_usd_per_pf_hour = 0.07 / 0.989;
  /// Fraction of the unit cost the state pays, in [0, 1). ASSUMPTION: calibration §11's
  /// reserved/licence discount of 35 % versus on-demand, read as the subsidy.
  double subsidy_rate = 0.35;
  /// Fraction of capacity kept for the alliance's own work, never offered to outside
  /// users. Article: "30 % reserved for state-controlled AI services".
  double reserved_share = 0.3;
  /// Licences, access rules and settlement (docs/model.md, "Licences and settlement").
  LicensingParams licensing;
  // Operation (docs/model.md, "Pool operation"; include/gpumarket/scenario/pool_operation.hpp).
  /// Default: the cost-based price, whatever the load.
  PoolPriceRule price_rule = PoolPriceRule::CostBased;
  PoolUtilisationTargetParams utilisation_target;
  /// Default: no congestion latency.
  PoolCongestionParams congestion_latency;
  /// The budget share (a name in budget.split) that bounds the cumulative subsidy: once the
  /// state has paid that share × budget.total_usd, the subsidy stops. Empty (default):
  /// unbounded.
  std::string subsidy_budget;
  /// Absent (default): no research grants are modelled.
  std::optional<ResearchGrantParams> research_grants;
};

/// A token's USD price process: geometric Brownian motion with optional Merton jumps.
struct TokenParams {
  /// USD per token at time 0. ASSUMPTION (GLM/USD not found, calibration §10); with
  /// USD-anchored asks the level matters only for token emissions (and burn-and-mint).
  double initial_usd = 0.25;
  /// Annual expected-return drift μ (E[S_t] = S_0·e^{μt}); the log-price drifts at
  /// μ − σ²/2. Default 0.5 = calibration §11's baseline log drift 0 plus σ²/2 with σ = 1.
  /// (calibration §11 quotes log drifts: bull +0.5, bear −0.9; add σ²/2 to use them here.)
  double annual_drift = 0.5;
  /// Annual volatility σ of the diffusion. calibration §5/§11: GLM ASSUMPTION ≈ 1.00.
  double annual_volatility = 1.0;
  /// Poisson jump intensity per year (0 disables jumps). calibration §11 baseline: 12.
  double jumps_per_year = 12.0;
  /// Mean and standard deviation of one jump's log-size. calibration §11: N(0, 0.12).
  double jump_log_mean = 0.0;
  double jump_log_sd = 0.12;
};

/// How a marketplace forms its price each tick.
enum class PricingMode {
  /// Merit-order uniform price: the ask of the marginal provider needed to serve demand.
  Clearing,
  /// A posted price updated towards a target utilisation (EIP-1559 continuous form).
  DynamicFee,
  /// Merit-order allocation, each provider paid its own ask (a reverse auction, as Akash's:
  /// calibration §3).
  PayAsBid,
};

/// The EIP-1559-style posted-price controller.
struct DynamicFeeParams {
  /// u*, in (0, 1]. calibration §4/§11: 0.7 (cluster traces sustain 0.62–0.75).
  double target_utilisation = 0.7;
  /// d = 1/D, in (0, 1/8]. calibration §4/§11: D = 8 (EIP-1559's denominator).
  double adjustment = 0.125;
  /// USD per PF·h posted at time 0. calibration §1: Vast RTX 4090 $0.31–0.45 per GPU-h,
  /// / 0.165 PF (FP16 dense) ≈ $1.9–2.7.
  double initial_price_usd_per_pf_hour = 2.0;
  /// USD per PF·h. ASSUMPTION. A positive floor matters: a multiplicative rule cannot
  /// leave 0 (EIP-1559's 7-wei floor plays the same role, calibration §4).
  double floor_usd_per_pf_hour = 0.05;
  /// USD per PF·h. ASSUMPTION (~10× the consumer-GPU rental price of calibration §1).
  double ceiling_usd_per_pf_hour = 20.0;
};

/// The distributions from which a marketplace's providers are drawn, at time 0 and on
/// entry. Defaults describe consumer GPUs (RTX 3090/4090 class) at FP16 dense.
struct ProviderDistribution {
  /// Providers at time 0. ASSUMPTION: 30 per marketplace, so that two marketplaces
  /// hold ~5.4 PF, the article's "roughly 5 petaflops" for Golem and Render together.
  int64_t initial_count = 30;
  /// Capacity per provider, lognormal: median (PF) and sd of the log. Median = one
  /// RTX 3090 (0.071 PF FP16 dense, calibration §2); the spread is an ASSUMPTION.
  double capacity_median_pf = 0.071;
  double capacity_log_sd = 0.7;
  /// Energy cost while serving, lognormal, USD per PF·h. calibration §6: home RTX 4090
  /// US $0.08/GPU-h ÷ 0.165 PF ≈ 0.48, RTX 3090 $0.06 ÷ 0.071 ≈ 0.85; EU ≈ 2× US.
  double energy_median_usd_per_pf_hour = 0.6;
  double energy_log_sd = 0.4;
  /// Capital recovery per PF·h of capacity (served or not) at hardware index 1,
  /// lognormal. calibration §2/§6: RTX 4090 $1,599 over 3 years ÷ 0.165 PF ≈ 0.37;
  /// used RTX 3090 $800 over 3 years ÷ 0.071 PF ≈ 0.43.
  double capex_median_usd_per_pf_hour = 0.45;
  double capex_log_sd = 0.3;
  /// Ask markup over cost, uniform in [min, max]. ASSUMPTION: the resulting asks
  /// (~1.2–1.6 USD/PF·h) sit below calibration §1's decentralized rental prices.
  double markup_min = 0.1;
  double markup_max = 0.5;
};

/// Providers' entry and exit.
struct EntryExitParams {
  /// Time constant of the exponentially weighted rolling margin, hours.
  /// calibration §11: churn when revenue stays below the floor "for 30 days".
  double margin_window_h = 720.0;
  /// A provider's tick counts as negative when its rolling margin is below this,
  /// USD per PF·h of capacity.
  double exit_threshold_usd_per_pf_hour = 0.0;
  /// A provider leaves after this many consecutive negative ticks.
  /// calibration §11: 30 days, i.e. 720 hourly ticks (ASSUMPTION on the tick).
  int64_t exit_after_ticks = 720;
  /// Expected entrants per day at a mean rolling margin of 0. ASSUMPTION.
  double base_entry_rate_per_day = 0.5;
  /// Entry rate = base × exp(sensitivity × mean rolling margin); per (USD per PF·h).
  /// ASSUMPTION: +1 USD/PF·h of margin multiplies entry by e² ≈ 7.4.
  double entry_sensitivity_per_usd_per_pf_hour = 2.0;
  /// No entry beyond this many providers.
  int64_t max_providers = 1'000'000;

  /// Which candidates drawn at the entry rate enter (docs/model.md, "Entry on a positive
  /// expected margin").
  enum class EntryRule {
    /// Every candidate enters.
    Rate,
    /// A candidate enters only if its own expected margin at the price just posted and the
    /// marketplace's recent utilisation is positive (the free-entry condition of
    /// Bresnahan & Reiss (1991)).
    PositiveMargin,
  };
  /// Default Rate: every candidate enters, the entry model as it was before the rule existed.
  EntryRule entry_rule = EntryRule::Rate;
};

/// The scarcity price of a clearing marketplace under excess demand (docs/model.md,
/// "Scarcity pricing"): with demand D above capacity C and the highest ask a_max,
///   p = max(a_max, min(ceiling, a_max · (1 + slope · (D − C) / C))),
/// an adder that grows with the shortfall up to a bound, as the operating-reserve demand
/// curve of electricity markets prices scarcity up to the value of lost load (Hogan (2005)).
struct ScarcityParams {
  /// Relative rise of the price per unit of relative excess demand (D − C) / C, ≥ 0.
  /// Default 0: no scarcity rent, the highest ask (merit order without a demand curve).
  /// A positive value is an ASSUMPTION of the scenario.
  double slope = 0.0;
  /// Bound on the scarcity price, USD per PF·h (never binding below the highest ask).
  /// calibration §1: Hyperbolic caps an RTX 4090 at 0.50 USD/GPU-h, ÷ 0.165 PF ≈ 3.03.
  double ceiling_usd_per_pf_hour = 0.50 / 0.165;
};

/// What the providers of a marketplace are paid from (docs/model.md, "Revenue from bills").
enum class RevenueSource {
  /// The tick's price times the demand it served (in use plus waiting, up to capacity).
  Demand,
  /// What the bills of the jobs in service paid for the work done in the tick; the work
  /// allocated over the providers is the time-average PF in use.
  Bills,
};

/// The currency in which a marketplace's providers hold their asks (docs/model.md, "Token
/// economy").
enum class AskCurrency {
  /// ask_i = cost_i × (1 + markup_i) in USD each tick: the token does not enter the ask.
  Usd,
  /// Each provider holds an ask in tokens, re-anchored to cost × (1 + markup) / S only when
  /// a Calvo (1983) reset signal arrives; the USD ask is the token ask × S.
  Token,
};

/// How a marketplace's token supply and price evolve.
enum class TokenModel {
  /// The price is the TokenParams GBM; no supply is tracked.
  Gbm,
  /// Render's burn-and-mint equilibrium (RNP-001, RNP-006): users' payments are burned,
  /// providers are paid from a fixed emission, and net burn moves the price.
  BurnAndMint,
};

/// Burn-and-mint parameters (docs/model.md, "Token economy").
struct BurnAndMintParams {
  /// Share of users' USD payments not burned. RNP-006: "payments are burned after a 5 % fee".
  double fee = 0.05;
  /// Token supply Q at time 0, tokens. RNP-001: the emission schedule adds 107,374,182
  /// tokens, "20 % of supply", so supply ≈ 536,870,910; ASSUMPTION that all of it circulates.
  double initial_supply_tokens = 536'870'910.0;
  /// η in ln S' = ln S + (GBM step) + η (burn − mint) / Q: the price impact of a net burn of
  /// one unit of supply share. ASSUMPTION: η = 1, a net burn of 1 % of supply raises the price
  /// by about 1 % (a quantity-theory reading: fixed USD demand for the token over less supply).
  double price_impact = 1.0;
};

/// One permissionless marketplace (docs/model.md, "Permissionless marketplaces"), e.g. Golem
/// or Render.
struct MarketplaceParams {
  PricingMode pricing = PricingMode::Clearing;
  DynamicFeeParams dynamic_fee;
  ProviderDistribution providers;
  TokenParams token;
  EntryExitParams entry_exit;
  /// Fraction of users' payments kept by the platform, in [0, 1). ASSUMPTION: 0 for
  /// Golem/Render (no take rate found); Akash takes 20 %, Hyperbolic 10 % (calibration §1, §3).
  double platform_fee = 0.0;
  /// Tokens per day minted to providers in proportion to the work they serve (0 = none).
  /// Golem: none. Render's burn-mint equilibrium: ~6,251 RENDER/day (calibration §3).
  double emission_tokens_per_day = 0.0;
  /// Price above the highest ask under excess demand (clearing only).
  ScarcityParams scarcity;
  /// Default Demand: the providers' revenue as it was before bills were integrated.
  RevenueSource revenue_source = RevenueSource::Demand;
  /// Whether providers' asks are held in USD or in tokens (Golem's providers price in GLM:
  /// golem-docs provider-installation, "0.1 GLM per thread-hour"). Default: USD, the asks
  /// independent of the token.
  AskCurrency ask_currency = AskCurrency::Usd;
  /// φ, the probability per hour that a provider re-anchors its token ask (Calvo 1983); over
  /// a tick of Δh hours the reset probability is 1 − (1 − φ)^Δh. In [0, 1]. ASSUMPTION:
  /// 1/168, a mean price spell of one week. Used only with ask_currency Token.
  double token_reprice_share = 1.0 / 168.0;
  /// T: providers' earned tokens are paid, and converted to USD at the token's price then,
  /// every T. 0 (default): paid at the tick, today's rule. Golem pays mid-agreement every
  /// 12 h (golem-sdk-task-executor docs).
  Duration payment_interval = Duration::micros(0);
  TokenModel token_model = TokenModel::Gbm;
  BurnAndMintParams burn_and_mint;
  /// The hardware price index providers' capital cost moves with (a HardwareMarketParams
  /// segment). calibration §2/§6: Golem's and Render's providers run consumer GPUs.
  std::string hardware_segment = "consumer";
};

inline constexpr std::string_view kDatacentreSegment = "datacentre";
inline constexpr std::string_view kConsumerSegment = "consumer";

/// One segment of the GPU hardware market (docs/model.md, "Hardware markets"): its price
/// index in levels, I = T · (D / S)^(1/ε), with T the secular trend, D the world demand plus
/// the pool's share, S the supply that follows demand with lag τ.
struct HardwareSegmentParams {
  std::string name;
  /// T at time 0.
  double initial = 1.0;
  /// Secular decline: T falls to (1 − decline) of its value per year. calibration §11
  /// baseline: 20 %/yr (bull 30 %, bear 10 %).
  double decline_per_year = 0.2;
  /// World demand for the segment's GPUs absent the pool, PF/year; S starts at it.
  double world_demand_pf_per_year = 0.0;
  /// Fraction of the pool's purchases (PF/year) added to this segment's demand.
  double pool_share = 0.0;
  /// τ in dS/dt = (D − S) / τ.
  Duration supply_lag = Duration::days(365);
  /// ε, the price elasticity of supply, > 0.
  double supply_elasticity = 1.0;
};

/// The GPU hardware market, one index per segment.
struct HardwareMarketParams {
  std::vector<HardwareSegmentParams> segments = {
      // ASSUMPTION: ~2 M H100-equivalents shipped per year at 0.989 PF; the pool buys here.
      // ε = 0.5 (ASSUMPTION: packaging and HBM capacity bind in the short run); τ one year
      // (ASSUMPTION: the time to add packaging capacity).
      {std::string(kDatacentreSegment), 1.0, 0.2, 2e6 * 0.989, 1.0, Duration::days(365), 0.5},
      // ASSUMPTION: ~30 M discrete consumer GPUs a year at ~0.1 PF each; 5 % of the pool's
      // purchases spill over into it through the grey market (ASSUMPTION); ε = 1 and τ half a
      // year (ASSUMPTION: consumer boards are made from existing dies).
      {std::string(kConsumerSegment), 1.0, 0.2, 3e6, 0.05, Duration::days(182), 1.0},
  };

  /// The position of the segment named `name`, or segments.size() if there is none.
  size_t position(std::string_view name) const {
    for (size_t i = 0; i < segments.size(); ++i) {
      if (segments[i].name == name) return i;
    }
    return segments.size();
  }
};

}  // namespace gpumarket
