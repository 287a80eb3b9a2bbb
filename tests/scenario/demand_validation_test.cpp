#include "gpumarket/scenario/demand_validation.hpp"

#include <gtest/gtest.h>

namespace gpumarket {
namespace {

TEST(DemandValidation, RejectsBadSizeDistributionsWithASentence) {
  EXPECT_EQ(validation_error(SizeDistribution::lognormal(1.0, 0.0)),
            "The lognormal sigma must be finite and > 0, not 0.");
  EXPECT_EQ(validation_error(SizeDistribution::lognormal(1.0, 1.0, ParetoTail{1.0, 1.2})),
            "The Pareto tail's quantile must lie strictly between 0 and 1, not 1.");
  SizeDistribution exponential_with_tail = SizeDistribution::exponential(1.0);
  exponential_with_tail.tail = ParetoTail{};
  EXPECT_EQ(validation_error(exponential_with_tail),
            "A Pareto tail applies only to the lognormal shape, not to the exponential.");
  EXPECT_EQ(validation_error(SizeDistribution::exponential(-1.0)),
            "The exponential mean must be finite and > 0, not -1.");
  EXPECT_EQ(validation_error(SizeDistribution::lognormal(1.0, 1.0, ParetoTail{})), std::nullopt);
  EXPECT_EQ(validation_error(SizeDistribution::constant(0.0)),
            "The constant size must be finite and > 0, not 0.");
  SizeDistribution constant_with_tail = SizeDistribution::constant(1.0);
  constant_with_tail.tail = ParetoTail{};
  EXPECT_EQ(validation_error(constant_with_tail),
            "A Pareto tail applies only to the lognormal shape, not to a constant.");
}

TEST(DemandValidation, RejectsBadSegmentParameters) {
  EXPECT_EQ(validation_error(SegmentDemandParams{}), std::nullopt);
  SegmentDemandParams segment;
  segment.arrivals.diurnal[3] = -0.5;
  EXPECT_EQ(validation_error(segment),
            "The diurnal factor of hour 3 must be finite and ≥ 0, not -0.5.");
  segment = {};
  segment.duration_h.sigma = -1.0;
  EXPECT_EQ(validation_error(segment),
            "Job duration: The lognormal sigma must be finite and > 0, not -1.");
  segment = {};
  segment.licensed_share = 1.5;
  EXPECT_EQ(validation_error(segment), "The licensed share must lie in [0, 1], not 1.5.");
  segment = {};
  segment.addresses.count = 0;
  EXPECT_EQ(validation_error(segment),
            "The address pool must hold between 1 and 100000000 addresses, not 0.");
}

TEST(DemandValidation, RejectsBadArrivalsAndAddressPools) {
  ArrivalParams arrivals;
  arrivals.weekly[6] = -1.0;
  EXPECT_EQ(validation_error(arrivals),
            "The weekly factor of weekday 6 (0 = Monday) must be finite and ≥ 0, not -1.");
  EXPECT_EQ(validation_error(AddressPoolParams{.count = 10, .zipf_exponent = -0.5}),
            "The Zipf exponent of the address pool must be finite and ≥ 0, not -0.5.");
}

}  // namespace
}  // namespace gpumarket
