#include "uniform_price.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <vector>

#include "gpumarket/market/supply_kernels.hpp"

namespace gpumarket::uniform_price {
namespace {

namespace ei = Eigen::internal;
using Packet = ei::packet_traits<double>::type;
constexpr Eigen::Index kLanes = ei::packet_traits<double>::size;

// ask = (energy + capex × index) × (1 + markup), the scalar tail of every pass rounds alike.
template <typename T>
T ask_of(const T& energy, const T& capex, const T& markup, const T& index, const T& one) {
  return ei::pmul(ei::padd(energy, ei::pmul(capex, index)), ei::padd(one, markup));
}

// Runs step(i, set) over the whole packets of [0, n), alternating two sets of accumulators
// so that consecutive packets do not wait on one add's latency; returns where the scalar
// tail starts.
template <class Step>
Eigen::Index for_each_packet(Eigen::Index n, const Step& step) {
  Eigen::Index i = 0;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    step(i, 0);
    step(i + kLanes, 1);
  }
  if (i + kLanes <= n) {
    step(i, 0);
    i += kLanes;
  }
  return i;
}

// UniformAllocation::fraction_in_use() on a packet of asks: `below` under the price, `at` on
// it, 0 above.
Packet fraction_of(const Packet& ask, const Packet& price, const Packet& below, const Packet& at) {
  return ei::por(ei::pand(ei::pcmp_lt(ask, price), below), ei::pand(ei::pcmp_eq(ask, price), at));
}

}  // namespace

// marginal_ask() over the asks and capacities of the whole population, narrowed first by
// vectorised passes: each takes kPivots asks from an evenly strided sample as pivots, sums
// the capacity below every pivot in one pass, and keeps only the providers between the two
// pivots that bracket the demand (branch-free compaction), until few are left for the
// quickselect. The result is the same ask: each pass keeps exactly the providers that can
// still be marginal and takes the capacity below them out of the demand.
double marginal_ask_narrowed(const double* ask, const double* cap, Eigen::Index n, double demand_pf,
                             SupplyWorkspace& ws) {
  constexpr int kPivots = 8;
  constexpr Eigen::Index kSample = Eigen::Index{4} * kPivots;
  constexpr Eigen::Index kSmall = 1024;
  std::vector<double>& cand_ask = ws.candidate_ask;
  std::vector<double>& cand_cap = ws.candidate_capacity;
  cand_ask.resize(static_cast<size_t>(n));
  cand_cap.resize(static_cast<size_t>(n));
  const double* src_ask = ask;
  const double* src_cap = cap;
  Eigen::Index m = n;
  double need = demand_pf;
  while (m > kSmall) {
    std::array<double, kSample> sample{};
    for (Eigen::Index k = 0; k < kSample; ++k) sample[k] = src_ask[k * (m / kSample)];
    std::sort(sample.begin(), sample.end());
    std::array<double, kPivots> pivot{};
    for (int k = 0; k < kPivots; ++k) pivot[k] = sample[2 + 4 * k];
    Packet below[kPivots];
    for (auto& b : below) b = ei::pset1<Packet>(0.0);
    Eigen::Index i = 0;
    for (; i + kLanes <= m; i += kLanes) {
      const Packet a = ei::ploadu<Packet>(src_ask + i);
      const Packet c = ei::ploadu<Packet>(src_cap + i);
      for (int k = 0; k < kPivots; ++k) {
        below[k] = ei::padd(below[k], ei::pand(ei::pcmp_lt(a, ei::pset1<Packet>(pivot[k])), c));
      }
    }
    std::array<double, kPivots> below_sum{};
    for (int k = 0; k < kPivots; ++k) below_sum[k] = ei::predux(below[k]);
    for (; i < m; ++i) {
      for (int k = 0; k < kPivots; ++k) {
        if (src_ask[i] < pivot[k]) below_sum[k] += src_cap[i];
      }
    }
    int j = 0;
    while (j < kPivots && below_sum[j] < need) ++j;
    const double lo = j > 0 ? pivot[j - 1] : -std::numeric_limits<double>::infinity();
    const double hi = j < kPivots ? pivot[j] : std::numeric_limits<double>::infinity();
    Eigen::Index kept = 0;
    for (Eigen::Index r = 0; r < m; ++r) {
      const double a = src_ask[r];
      cand_ask[kept] = a;
      cand_cap[kept] = src_cap[r];
      kept += (a >= lo) & (a < hi);
    }
    if (kept == m) break;  // ties: the pivots cannot split these asks
    if (j > 0) need -= below_sum[j - 1];
    m = kept;
    src_ask = cand_ask.data();
    src_cap = cand_cap.data();
  }
  auto& items = ws.ask_capacity;
  items.resize(static_cast<size_t>(m));
  for (Eigen::Index i = 0; i < m; ++i) items[static_cast<size_t>(i)] = {src_ask[i], src_cap[i]};
  return marginal_ask(items, need);
}

// Σ capacity and Σ capacity over ask ≤ `limit` in one pass, the asks given per packet and per
// provider by `packet_ask(i)` and `scalar_ask(i)` (which round alike); stores them when
// `asks_out` is not null.
template <class PacketAsk, class ScalarAsk>
AskPass sum_over_asks(const ProviderPopulation& pop, double limit, double* asks_out,
                      const PacketAsk& packet_ask, const ScalarAsk& scalar_ask) {
  const Eigen::Index n = pop.size();
  const double* cap = pop.capacity_pf.data();
  const Packet bound = ei::pset1<Packet>(limit);
  Packet total[2] = {ei::pset1<Packet>(0.0), ei::pset1<Packet>(0.0)};
  Packet offered[2] = {ei::pset1<Packet>(0.0), ei::pset1<Packet>(0.0)};
  const auto step = [&](Eigen::Index i, int set) {
    const Packet c = ei::ploadu<Packet>(cap + i);
    const Packet ask = packet_ask(i);
    if (asks_out != nullptr) ei::pstoreu(asks_out + i, ask);
    total[set] = ei::padd(total[set], c);
    offered[set] = ei::padd(offered[set], ei::pand(ei::pcmp_le(ask, bound), c));
  };
  Eigen::Index i = for_each_packet(n, step);
  AskPass out{ei::predux(ei::padd(total[0], total[1])),
              ei::predux(ei::padd(offered[0], offered[1]))};
  for (; i < n; ++i) {
    const double ask = scalar_ask(i);
    if (asks_out != nullptr) asks_out[i] = ask;
    out.total_capacity_pf += cap[i];
    if (ask <= limit) out.offered_capacity_pf += cap[i];
  }
  return out;
}

// The pass over the costs, ask = (energy + capex × index) × (1 + markup); stores the asks
// when `asks_out` is not null (clearing selects over them; dynamic_fee recomputes them).
AskPass ask_pass(const ProviderPopulation& pop, double hardware_index, double limit,
                 double* asks_out) {
  const double* energy = pop.energy_usd_per_pf_hour.data();
  const double* capex = pop.capex_usd_per_pf_hour.data();
  const double* markup = pop.ask_markup.data();
  const Packet index = ei::pset1<Packet>(hardware_index);
  const Packet one = ei::pset1<Packet>(1.0);
  return sum_over_asks(
      pop, limit, asks_out,
      [&](Eigen::Index i) {
        return ask_of(ei::ploadu<Packet>(energy + i), ei::ploadu<Packet>(capex + i),
                      ei::ploadu<Packet>(markup + i), index, one);
      },
      [&](Eigen::Index i) { return (energy[i] + capex[i] * hardware_index) * (1.0 + markup[i]); });
}

// The pass over the token asks: ask = token ask × S, stored.
AskPass token_ask_pass(const ProviderPopulation& pop, double token_usd, double limit,
                       double* asks_out) {
  const double* token_ask = pop.token_ask_tokens_per_pf_hour.data();
  const Packet usd = ei::pset1<Packet>(token_usd);
  return sum_over_asks(
      pop, limit, asks_out,
      [&](Eigen::Index i) { return ei::pmul(ei::ploadu<Packet>(token_ask + i), usd); },
      [&](Eigen::Index i) { return token_ask[i] * token_usd; });
}

AskPass tick_asks(const ProviderPopulation& pop, double hardware_index, double limit, bool keep,
                  SupplyWorkspace& ws) {
  if (ws.ask_token_usd > 0.0) {
    ws.asks_kept = true;
    return token_ask_pass(pop, ws.ask_token_usd, limit, ws.ask_usd_per_pf_hour.data());
  }
  ws.asks_kept = keep || ws.keep_asks;
  return ask_pass(pop, hardware_index, limit,
                  ws.asks_kept ? ws.ask_usd_per_pf_hour.data() : nullptr);
}

// Σ capacity with ask < price, and with ask == price, in one pass.
std::pair<double, double> capacity_below_and_at(const double* ask, const double* cap,
                                                Eigen::Index n, double price) {
  const Packet p = ei::pset1<Packet>(price);
  Packet below = ei::pset1<Packet>(0.0);
  Packet at = ei::pset1<Packet>(0.0);
  Eigen::Index i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const Packet a = ei::ploadu<Packet>(ask + i);
    const Packet c = ei::ploadu<Packet>(cap + i);
    below = ei::padd(below, ei::pand(ei::pcmp_lt(a, p), c));
    at = ei::padd(at, ei::pand(ei::pcmp_eq(a, p), c));
  }
  double b = ei::predux(below);
  double e = ei::predux(at);
  for (; i < n; ++i) {
    if (ask[i] < price) b += cap[i];
    if (ask[i] == price) e += cap[i];
  }
  return {b, e};
}

// Margins, rolling margins and negative-tick counts in one pass, the formulas of
// PricingRule::settle() with used / capacity = fraction.
// Takes the asks from `asks` when given, else recomputes them from the costs (bit-identical).
// Writes used = capacity × fraction when `used_out` is not null.
SettleResult settle_pass(ProviderPopulation& pop, const double* asks, double hardware_index,
                         const UniformAllocation& fractions, double received_usd_per_pf_hour,
                         double weight, const EntryExitParams& params, double* used_out,
                         const double* paid_usd_per_pf_hour) {
  const Eigen::Index n = pop.size();
  const double* cap = pop.capacity_pf.data();
  const double* energy = pop.energy_usd_per_pf_hour.data();
  const double* capex = pop.capex_usd_per_pf_hour.data();
  const double* markup = pop.ask_markup.data();
  double* rolling = pop.rolling_margin_usd_per_pf_hour.data();
  double* ticks = pop.negative_margin_ticks.data();
  const double threshold = params.exit_threshold_usd_per_pf_hour;
  const Packet index = ei::pset1<Packet>(hardware_index);
  const Packet one = ei::pset1<Packet>(1.0);
  const Packet price = ei::pset1<Packet>(fractions.price_usd_per_pf_hour);
  const Packet below = ei::pset1<Packet>(fractions.below);
  const Packet at = ei::pset1<Packet>(fractions.at);
  const Packet received = ei::pset1<Packet>(received_usd_per_pf_hour);
  const Packet w = ei::pset1<Packet>(weight);
  const Packet limit = ei::pset1<Packet>(threshold);
  Packet weighted[2] = {ei::pset1<Packet>(0.0), ei::pset1<Packet>(0.0)};
  Packet max_ticks[2] = {ei::pset1<Packet>(0.0), ei::pset1<Packet>(0.0)};
  const auto step = [&](Eigen::Index i, int set) {
    const Packet e = ei::ploadu<Packet>(energy + i);
    const Packet k = ei::ploadu<Packet>(capex + i);
    const Packet c = ei::ploadu<Packet>(cap + i);
    const Packet a = asks != nullptr ? ei::ploadu<Packet>(asks + i)
                                     : ask_of(e, k, ei::ploadu<Packet>(markup + i), index, one);
    const Packet fraction = fraction_of(a, price, below, at);
    if (used_out != nullptr) ei::pstoreu(used_out + i, ei::pmul(c, fraction));
    Packet margin = ei::psub(ei::pmul(fraction, ei::psub(received, e)), ei::pmul(k, index));
    if (paid_usd_per_pf_hour != nullptr) {
      margin = ei::padd(margin, ei::ploadu<Packet>(paid_usd_per_pf_hour + i));
    }
    Packet r = ei::ploadu<Packet>(rolling + i);
    r = ei::padd(r, ei::pmul(w, ei::psub(margin, r)));
    ei::pstoreu(rolling + i, r);
    const Packet t = ei::pand(ei::pcmp_lt(r, limit), ei::padd(ei::ploadu<Packet>(ticks + i), one));
    ei::pstoreu(ticks + i, t);
    max_ticks[set] = ei::pmax(max_ticks[set], t);
    weighted[set] = ei::padd(weighted[set], ei::pmul(c, r));
  };
  Eigen::Index i = for_each_packet(n, step);
  SettleResult out{ei::predux(ei::padd(weighted[0], weighted[1])), false};
  double max_t = ei::predux_max(ei::pmax(max_ticks[0], max_ticks[1]));
  for (; i < n; ++i) {
    const double a =
        asks != nullptr ? asks[i] : (energy[i] + capex[i] * hardware_index) * (1.0 + markup[i]);
    const double fraction = fractions.fraction_in_use(a);
    if (used_out != nullptr) used_out[i] = cap[i] * fraction;
    double margin = fraction * (received_usd_per_pf_hour - energy[i]) - capex[i] * hardware_index;
    if (paid_usd_per_pf_hour != nullptr) margin += paid_usd_per_pf_hour[i];
    rolling[i] += weight * (margin - rolling[i]);
    ticks[i] = rolling[i] < threshold ? ticks[i] + 1.0 : 0.0;
    max_t = std::max(max_t, ticks[i]);
    out.capacity_weighted_margin += cap[i] * rolling[i];
  }
  out.any_exit = max_t >= static_cast<double>(params.exit_after_ticks);
  return out;
}

// The payment lag's accrual and payout in one pass (see accrue_and_pay, token_economy.hpp).
double accrue_pass(ProviderPopulation& pop, const double* asks, const UniformAllocation& fractions,
                   double tokens_per_pf, double token_usd, double tick_h, double* paid_out) {
  const Eigen::Index n = pop.size();
  const double* cap = pop.capacity_pf.data();
  double* unpaid = pop.unpaid_tokens.data();
  const Packet price = ei::pset1<Packet>(fractions.price_usd_per_pf_hour);
  const Packet below = ei::pset1<Packet>(fractions.below);
  const Packet at = ei::pset1<Packet>(fractions.at);
  const Packet tokens = ei::pset1<Packet>(tokens_per_pf);
  const Packet usd = ei::pset1<Packet>(token_usd);
  const Packet hours = ei::pset1<Packet>(tick_h);
  const Packet zero = ei::pset1<Packet>(0.0);
  Packet total[2] = {zero, zero};
  const auto step = [&](Eigen::Index i, int set) {
    const Packet c = ei::ploadu<Packet>(cap + i);
    const Packet fraction = fraction_of(ei::ploadu<Packet>(asks + i), price, below, at);
    const Packet u =
        ei::padd(ei::ploadu<Packet>(unpaid + i), ei::pmul(ei::pmul(c, fraction), tokens));
    if (paid_out == nullptr) {
      ei::pstoreu(unpaid + i, u);
      return;
    }
    const Packet paid = ei::pmul(u, usd);
    ei::pstoreu(paid_out + i, ei::pdiv(paid, ei::pmul(c, hours)));
    total[set] = ei::padd(total[set], paid);
    ei::pstoreu(unpaid + i, zero);
  };
  Eigen::Index i = for_each_packet(n, step);
  double out = ei::predux(ei::padd(total[0], total[1]));
  for (; i < n; ++i) {
    const double u = unpaid[i] + cap[i] * fractions.fraction_in_use(asks[i]) * tokens_per_pf;
    if (paid_out == nullptr) {
      unpaid[i] = u;
      continue;
    }
    const double paid = u * token_usd;
    paid_out[i] = paid / (cap[i] * tick_h);
    out += paid;
    unpaid[i] = 0.0;
  }
  return out;
}

double received_usd_per_pf_hour(const PriceFormation& formation, const Receipts& receipts) {
  if (!(formation.served_pf > 0.0)) return 0.0;
  return receipts.kept_share * formation.price_usd_per_pf_hour * receipts.token_ratio *
             receipts.bill_ratio +
         receipts.emission_usd_per_pf_hour;
}

}  // namespace gpumarket::uniform_price
