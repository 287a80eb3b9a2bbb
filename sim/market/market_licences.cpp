// Licences at run time (docs/model.md, "Licences and settlement", "Licence applications"):
// the addresses licensed at the start, the addresses that choose to apply, the grants, and
// the licence's cost amortised over an address's expected jobs.
#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <cmath>

#include "market_model_impl.hpp"

namespace gpumarket {

void MarketModel::Impl::build_licences() {
  std::vector<LicenceOffice::SegmentRange> ranges;
  for (const SegmentRuntime& segment : segments_) {
    ranges.push_back(
        {segment.address_offset, static_cast<uint64_t>(segment.params->demand.addresses.count)});
  }
  licences_ = std::make_unique<LicenceOffice>(std::move(ranges));
  for (uint32_t v = 0; v < venues_.size(); ++v) {
    if (venues_[v]->licensing() != nullptr) {
      licensing_venue_ = v;
      break;
    }
  }
  // One uniform per address, on the segment's own stream: which addresses hold a licence
  // does not depend on any other segment or on the order of draws elsewhere.
  std::vector<bool> licensed;
  for (uint32_t s = 0; s < segments_.size(); ++s) {
    const Segment& segment = *segments_[s].params;
    RandomEngine rng = make_stream(scenario_.seed, "segment/" + segment.name + "/licences");
    boost::random::uniform_01<double> uniform;
    licensed.assign(static_cast<size_t>(segment.demand.addresses.count), false);
    for (auto&& address : licensed) address = uniform(rng) < segment.demand.licensed_share;
    licences_->license_at_start(s, licensed);
  }
  licence_rng_ = make_stream(scenario_.seed, "alliance/licences");
  enforcement_rng_ = make_stream(scenario_.seed, "alliance/ban_enforcement");
}

const LicensingParams* MarketModel::Impl::licensing() const {
  return licensing_venue_ == kNoRoute ? nullptr : venues_[licensing_venue_]->licensing();
}

namespace {

// What a licence costs over the planning horizon: its fee and H's compliance cost, USD.
double licence_cost_usd(const LicensingParams& l) {
  const double compliance = l.applications
                                ? l.applications->compliance_usd_per_year *
                                      l.applications->planning_horizon.in_hours() / kHoursPerYear
                                : 0.0;
  return l.licence_fee_usd + compliance;
}

}  // namespace

// Each segment prices one job of its mean size, unlicensed and licensed, on the current
// route table (access cost 0: the licence's cost is the other side of the comparison). The
// per-job saving s is the gain in surplus max(0, V − C): an address that applies expects
// n_a = p_a · Λ(now + D, now + H) jobs after approval (p_a its Zipf probability, Λ the
// segment's expected arrivals, D the expected wait for approval) and applies iff
// n_a · s > fee + compliance over H. Only the ranks with p_a above the threshold apply.
void MarketModel::Impl::plan_licences(SimTime now) {
  const LicensingParams* l = licensing();
  if (l == nullptr || !l->applications || now < next_licence_planning_) return;
  const LicenceApplicationParams& a = *l->applications;
  while (next_licence_planning_ <= now)
    next_licence_planning_ = next_licence_planning_ + a.planning_interval;
  const Duration horizon = a.planning_horizon;
  const double cost_usd = licence_cost_usd(*l);

  const auto n = static_cast<Eigen::Index>(segments_.size());
  planning_batch_.resize(2 * n);
  for (Eigen::Index s = 0; s < n; ++s) {
    const SegmentRuntime& segment = segments_[s];
    const SegmentDemandParams& demand = segment.params->demand;
    const double width = segment.width.mean();
    const double duration = segment.duration.mean();
    segments_[s].jobs_over_horizon =
        segment.arrivals.expected_count(now.in_hours(), (now + horizon).in_hours());
    for (const bool holds : {false, true}) {
      const Eigen::Index j = 2 * s + (holds ? 1 : 0);
      // A size without a finite mean (a Pareto tail of index ≤ 1) plans on a unit job that
      // the segment then skips below.
      const bool finite = std::isfinite(width) && std::isfinite(duration);
      planning_batch_.work_pfh(j) = finite ? width * duration : 1.0;
      planning_batch_.width_pf(j) = finite ? width : 1.0;
      planning_batch_.value_usd_per_pf_hour(j) = demand.value_usd_per_pf_hour;
      planning_batch_.value_of_time_usd_per_pf_hour_per_hour(j) =
          demand.value_of_time_usd_per_pf_hour_per_hour;
      planning_batch_.job_class(j) = job_class(demand.origin, holds);
      planning_batch_.licence_at_risk_usd(j) = holds ? cost_usd : 0.0;
    }
  }
  route_costs(route_table_, planning_batch_, planning_cost_);

  const Duration wait = licences_->expected_wait(l->licence_delay, l->quota);
  const double mean_review_h = l->licence_delay.in_hours();
  const bool exponential =
      a.delay_distribution == LicenceApplicationParams::DelayDistribution::Exponential;
  boost::random::uniform_01<double> uniform;
  const auto review_time = [&](uint64_t /*address*/) {
    const double u = uniform(licence_rng_);
    return exponential ? Duration::hours(-mean_review_h * std::log1p(-u)) : l->licence_delay;
  };
  for (uint32_t s = 0; s < segments_.size(); ++s) {
    const SegmentRuntime& segment = segments_[s];
    if (segment.params->internal || wait >= horizon) continue;
    if (!std::isfinite(segment.width.mean()) || !std::isfinite(segment.duration.mean())) continue;
    // Row 2s plans an unlicensed job of the segment, row 2s + 1 a licensed one.
    const Eigen::Index job = Eigen::Index{2} * s;
    const double value = planning_batch_.value_usd_per_pf_hour(job) * planning_batch_.work_pfh(job);
    const double unlicensed = planning_cost_.row(job).minCoeff();
    const double licensed = planning_cost_.row(job + 1).minCoeff();
    const double saving = std::max(0.0, value - licensed) - std::max(0.0, value - unlicensed);
    if (!(saving > 0.0)) continue;
    const double jobs_after_approval =
        segment.arrivals.expected_count((now + wait).in_hours(), (now + horizon).in_hours());
    if (!(jobs_after_approval > 0.0)) continue;
    const double threshold = cost_usd / (jobs_after_approval * saving);
    const ZipfSampler& zipf = segment.addresses;
    const int64_t ranks = ranks_above(threshold, segment.params->demand.addresses.zipf_exponent,
                                      1.0 / zipf.probability(0), zipf.size());
    licences_->apply_ranks_below(s, ranks, now, review_time);
  }
}

void MarketModel::Impl::grant_licences(SimTime until) {
  const LicensingParams* l = licensing();
  licence_grants_.clear();
  licences_->grant_until(until, l == nullptr ? LicenceQuota{} : l->quota, licence_grants_);
  const double cost_usd = l == nullptr ? 0.0 : licence_cost_usd(*l);
  for (const LicenceGrant& grant : licence_grants_) {
    metrics_->on_licence_granted(grant.segment, cost_usd);
  }
}

double MarketModel::Impl::licence_at_risk_usd() const {
  const LicensingParams* l = licensing();
  return l == nullptr ? 0.0 : licence_cost_usd(*l);
}

// The pool's compliance check catches an evading job with the ban's detection probability;
// the job is refused and its address's licence revoked at the job's arrival.
bool MarketModel::Impl::caught_evading(const Job& job, int route) {
  const double d = route_table_.detection_probability(route);
  if (d == 0.0) return false;
  boost::random::uniform_01<double> uniform;
  if (!(uniform(enforcement_rng_) < d)) return false;
  licences_->revoke(job.segment, job.address, job.arrival);
  metrics_->on_evasion_caught();
  return true;
}

// The licence's cost over H per expected job of the address over H, at least one job (the
// one arriving). Without applications the licence's cost stays out of route choice.
double MarketModel::Impl::access_cost_usd(const SegmentRuntime& segment, uint32_t address) const {
  const LicensingParams* l = licensing();
  if (l == nullptr || !l->applications) return 0.0;
  const auto rank = static_cast<int64_t>(address - segment.address_offset);
  const double jobs = segment.jobs_over_horizon * segment.addresses.probability(rank);
  return licence_cost_usd(*l) / std::max(1.0, jobs);
}

}  // namespace gpumarket
