// The venue's billing integral against hand computation: Σ over the jobs in service of the
// price each was billed at × its width, integrated over time, taken per tick.
#include "gpumarket/market/venue.hpp"

#include <gtest/gtest.h>

namespace gpumarket {
namespace {

SimTime at_hours(double h) { return SimTime::start() + Duration::hours(h); }

TEST(Venue, BillingIntegratesEachJobsBilledPriceTimesWidthWhileItRuns) {
  Venue venue("market", 10.0, 2.0);
  venue.start_service(1.0, venue.price_usd_per_pf_hour());  // A: 1 PF billed at 2 from 0 h
  venue.advance(at_hours(1.0));
  venue.set_price(3.0);  // a later price does not change what A was billed at
  venue.start_service(2.0, venue.price_usd_per_pf_hour());  // B: 2 PF billed at 3 from 1 h
  venue.advance(at_hours(2.0));
  venue.end_service(1.0, 2.0);  // A ends at 2 h
  venue.advance(at_hours(4.0));
  // A: 2 × 1 × 2 h = 4; B: 3 × 2 × 3 h = 18. Work: 1 × 2 h + 2 × 3 h = 8 PF·h.
  VenueBilling tick = venue.take_billing();
  EXPECT_NEAR(tick.billed_usd, 22.0, 1e-12);
  EXPECT_NEAR(tick.in_use_pfh, 8.0, 1e-12);
  EXPECT_NEAR(venue.take_areas().in_use_pfh, 8.0, 1e-12) << "the output's integral is apart";
  venue.advance(at_hours(5.0));
  venue.end_service(2.0, 3.0);  // B ends at 5 h
  venue.advance(at_hours(7.0));
  tick = venue.take_billing();
  EXPECT_NEAR(tick.billed_usd, 6.0, 1e-12);
  EXPECT_NEAR(tick.in_use_pfh, 2.0, 1e-12);
  // Unbilled work is in use but pays nothing.
  venue.start_service(4.0, 0.0);
  venue.advance(at_hours(8.0));
  tick = venue.take_billing();
  EXPECT_EQ(tick.billed_usd, 0.0);
  EXPECT_NEAR(tick.in_use_pfh, 4.0, 1e-12);
}

TEST(Venue, BillingRateReturnsToZeroWhenTheLastJobEnds) {
  Venue venue("market", 100.0, 0.0);
  // Prices and widths whose sums do not cancel exactly in floating point.
  const double widths[] = {0.1, 0.7, 1.3, 0.2};
  const double prices[] = {1.1, 0.3, 2.7, 1.9};
  for (int k = 0; k < 4; ++k) venue.start_service(widths[k], prices[k]);
  for (int k = 0; k < 4; ++k) venue.end_service(widths[k], prices[k]);
  venue.take_billing();
  venue.advance(at_hours(1000.0));
  EXPECT_EQ(venue.take_billing().billed_usd, 0.0);
}

}  // namespace
}  // namespace gpumarket
