// Prover pools: the proof-cost formula against hand computation, the FIFO against its
// definition, a zk venue's proof waits against M/M/1 theory, and comparative statics over
// seeds with common random numbers (more GPUs: shorter waits; dearer proofs: less bridge
// volume and slower bridged jobs). No stored numbers.
#include "gpumarket/market/prover_pool.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "gpumarket/core/memory_recorder.hpp"
#include "gpumarket/io/scenario_loader.hpp"
#include "gpumarket/market/indicators.hpp"
#include "gpumarket/market/market_model.hpp"
#include "support/statistics.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using testing::mean_and_error;
using testing::MeanAndError;

constexpr int kSeeds = 10;

TEST(ProverPool, ProofGpuHoursFollowTheDocumentedFormula) {
  // 1 PF·h = 3.6e6 TFLOP; at 17.5 s per TFLOP on the reference A100 that is
  // 3.6e6 × 17.5 / 3600 = 17,500 GPU-hours. Tolerance: rounding only.
  ProverParams p;
  EXPECT_NEAR(proof_gpu_hours_per_pf_hour(p, 0.0), 17'500.0, 1e-9);
  p.gpu_pf = 2 * kProofReferenceGpuPf;  // a GPU twice as fast takes half the hours
  EXPECT_NEAR(proof_gpu_hours_per_pf_hour(p, 0.0), 8'750.0, 1e-9);
  p.cost_halving = Duration::days(365);  // one halving per 8,760 h
  EXPECT_NEAR(proof_gpu_hours_per_pf_hour(p, 8760.0), 4'375.0, 1e-9);
  EXPECT_NEAR(proof_gpu_hours_per_pf_hour(p, 2 * 8760.0), 2'187.5, 1e-9);
}

TEST(ProverPool, PricesAndTimesProofsFromTheirGpuHours) {
  ProverParams p;
  p.gpus = 50;
  p.price_usd_per_gpu_hour = 1.2;
  const ProverPool pool(p);
  const SimTime now = SimTime::start();
  EXPECT_NEAR(pool.price_usd_per_pf_hour(now), 17'500.0 * 1.2, 1e-9);
  EXPECT_NEAR(pool.proof_hours_per_pf_hour(now), 17'500.0 / 50, 1e-9);
}

TEST(ProverPool, IsAFifoServerWithAllGpusOnOneProof) {
  ProverParams p;
  p.gpus = 35;  // 1e-3 PF·h takes 17.5 GPU-h = 0.5 h on 35 GPUs
  ProverPool pool(p);
  const SimTime t0 = SimTime::start() + Duration::hours(1);
  const ProverPool::Proof a = pool.enter(t0, 1e-3);
  EXPECT_EQ(a.start, t0);
  EXPECT_EQ(a.done, t0 + Duration::hours(0.5));
  const ProverPool::Proof b = pool.enter(t0 + Duration::hours(0.1), 2e-3);
  EXPECT_EQ(b.start, a.done);  // waits for the proof ahead
  EXPECT_EQ(b.done, a.done + Duration::hours(1.0));
  EXPECT_NEAR(pool.backlog_h(t0 + Duration::hours(0.5)), 1.0, 1e-9);
  EXPECT_EQ(pool.in_system(t0 + Duration::hours(0.2)), 2);
  EXPECT_EQ(pool.waiting(t0 + Duration::hours(0.2)), 1);
  const ProverInterval counts = pool.take_interval(t0 + Duration::hours(0.6));
  EXPECT_EQ(counts.proofs, 2.0);
  EXPECT_EQ(counts.completed, 1.0);
  EXPECT_NEAR(counts.wait_h, 0.4, 1e-9);
  EXPECT_NEAR(counts.proof_h, 1.5, 1e-9);
  EXPECT_NEAR(counts.gpu_hours, 17.5 * 3, 1e-9);
  const ProverPool::Proof c = pool.enter(t0 + Duration::hours(5), 1e-3);
  EXPECT_EQ(c.start, t0 + Duration::hours(5));  // idle pool: no wait
  EXPECT_EQ(pool.waiting(t0 + Duration::hours(5)), 0);
}

MemoryRecorder run_text(const std::string& text, int seed) {
  testing::TempDir dir;
  const LoadedScenario loaded =
      load_scenario(dir.write("s.yaml", text).string(), {"seed=" + std::to_string(seed)});
  MemoryRecorder recorder;
  recorder.begin({});
  MarketModel model(loaded.scenario);
  const RunTotals totals = model.run(recorder);
  recorder.finish();
  EXPECT_EQ(totals.jobs_generated, totals.jobs_priced_out + totals.jobs_completed +
                                       totals.jobs_abandoned + totals.jobs_waiting +
                                       totals.jobs_in_service + totals.jobs_in_transit +
                                       totals.jobs_in_proof);
  return recorder;
}

// A zk venue that never queues for compute (100 servers for a load of 1.2), Poisson jobs of
// 1e-3 PF for an exponential hour: compute completions are Poisson with independent sizes
// (M/G/∞ output), so the prover pool is an M/M/1 queue with exponential proofs of mean
// 1e-3 × 17,500 / gpus hours.
std::string zk_venue_text(int gpus) {
  return "name: zk\n"
         "start: 2026-01-01\n"
         "horizon: 4000h\n"
         "warmup: 200h\n"
         "venues:\n"
         "  - name: farm\n"
         "    kind: fixed\n"
         "    servers: 100\n"
         "    pf_per_server: 0.001\n"
         "    price_usd_per_pf_hour: 2.0\n"
         "    verification: {scheme: zk, prover: {gpus: " +
         std::to_string(gpus) +
         "}}\n"
         "routing: {settlement_tx_usd: 0}\n"
         "segments:\n"
         "  - name: jobs\n"
         "    arrival_rate_per_hour: 1.2\n"
         "    width_pf: 0.001\n"
         "    duration: {distribution: exponential, mean: 1h}\n"
         "    patience: inf\n"
         "    value_usd_per_pf_hour: 1.0e6\n"
         "    value_of_time_usd_per_pf_hour_per_hour: 0\n";
}

std::vector<double> mean_proof_waits(int gpus) {
  std::vector<double> waits;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const MemoryRecorder r = run_text(zk_venue_text(gpus), seed);
    waits.push_back(
        r.summary_value(indicator::for_venue("farm", indicator::kProofMeanWait)).value());
  }
  return waits;
}

TEST(ProverPool, ZkVenueProofWaitsMatchMm1TheoryWithinThreeStandardErrors) {
  const double mean_proof_h = 1e-3 * 17'500.0 / 35;  // 0.5 h
  const double rho = 1.2 * mean_proof_h;             // 0.6
  const double expected_wait_h = rho * mean_proof_h / (1 - rho);
  const MeanAndError wait = mean_and_error(mean_proof_waits(35));
  EXPECT_NEAR(wait.mean, expected_wait_h, 3 * wait.standard_error)
      << "mean " << wait.mean << " ± " << wait.standard_error;
}

TEST(ProverPool, WaitsAppearWhenProversBindAndFallWithMoreGpus) {
  const std::vector<double> few = mean_proof_waits(30);   // ρ = 0.7
  const std::vector<double> more = mean_proof_waits(60);  // ρ = 0.35
  const MeanAndError binding = mean_and_error(few);
  EXPECT_GT(binding.mean, 3 * binding.standard_error);
  std::vector<double> difference;
  for (size_t i = 0; i < few.size(); ++i) difference.push_back(few[i] - more[i]);
  const MeanAndError d = mean_and_error(difference);
  EXPECT_GT(d.mean, 3 * d.standard_error) << "mean " << d.mean << " ± " << d.standard_error;
}

// Public-chain jobs choose between a direct cloud at 20 USD/PF·h and farms at 5 USD/PF·h
// behind a zk bridge whose pool charges 1000 × s × 0.001 = s USD per PF·h of work, s the
// proof cost in seconds per TFLOP.
std::string bridge_text(double seconds_per_tflop, int gpus = 100) {
  return "name: zk-bridge\n"
         "start: 2026-01-01\n"
         "horizon: 1000h\n"
         "warmup: 50h\n"
         "venues:\n"
         "  - {name: cloud, kind: fixed, servers: 50, pf_per_server: 0.01, "
         "price_usd_per_pf_hour: 20}\n"
         "  - {name: farms, kind: fixed, servers: 50, pf_per_server: 0.01, "
         "price_usd_per_pf_hour: 5, direct_access: false}\n"
         "bridges:\n"
         "  - name: zk_bridge\n"
         "    fee_fixed_usd: 0\n"
         "    fee_proportional: 0\n"
         "    connects: [farms]\n"
         "    prover: {gpus: " +
         std::to_string(gpus) + ", price_usd_per_gpu_hour: 0.001, seconds_per_tflop: " +
         std::to_string(seconds_per_tflop) +
         "}\n"
         "routing: {settlement_tx_usd: 0}\n"
         "segments:\n"
         "  - name: defi\n"
         "    origin: public_chain\n"
         "    arrival_rate_per_hour: 4\n"
         "    width_pf: 0.001\n"
         "    duration: {distribution: exponential, mean: 1h}\n"
         "    patience: inf\n"
         "    value_usd_per_pf_hour: 100\n"
         "    value_of_time_usd_per_pf_hour_per_hour: 1\n";
}

TEST(ProverPool, DearerProofsLowerZkBridgeVolumeAndSlowBridgedJobs) {
  std::vector<double> volume_drop, latency_rise;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const MemoryRecorder cheap = run_text(bridge_text(17.5), seed);
    const MemoryRecorder dear = run_text(bridge_text(35.0), seed);
    volume_drop.push_back(cheap.summary_value(indicator::kBridgeVolume.name).value() -
                          dear.summary_value(indicator::kBridgeVolume.name).value());
    // A bridged job's proof adds its wait for the pool and its proving time to its transit.
    auto proof_latency_h = [](const MemoryRecorder& r) {
      return r.summary_value(indicator::for_venue("zk_bridge", indicator::kProofMeanWait)).value() +
             r.summary_value(indicator::for_venue("zk_bridge", indicator::kProofMeanTime)).value();
    };
    latency_rise.push_back(proof_latency_h(dear) - proof_latency_h(cheap));
  }
  const MeanAndError volume = mean_and_error(volume_drop);
  const MeanAndError latency = mean_and_error(latency_rise);
  EXPECT_GT(volume.mean, 3 * volume.standard_error)
      << "mean " << volume.mean << " ± " << volume.standard_error;
  EXPECT_GT(latency.mean, 3 * latency.standard_error)
      << "mean " << latency.mean << " ± " << latency.standard_error;
}

TEST(ProverPool, RoutesSeeABindingBridgeProversBacklogAndAvoidIt) {
  // With 5 GPUs a bridged job's proof takes 3.5 h on average, more than the pool can keep up
  // with at the bridge's share of 4 jobs/h: the backlog grows until the wait it adds to the
  // route's cost turns jobs to the direct cloud.
  std::vector<double> volume_drop;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const MemoryRecorder ample = run_text(bridge_text(17.5, 100), seed);
    const MemoryRecorder binding = run_text(bridge_text(17.5, 5), seed);
    volume_drop.push_back(ample.summary_value(indicator::kBridgeVolume.name).value() -
                          binding.summary_value(indicator::kBridgeVolume.name).value());
    EXPECT_GT(
        binding.summary_value(indicator::for_venue("zk_bridge", indicator::kProofMeanWait)).value(),
        ample.summary_value(indicator::for_venue("zk_bridge", indicator::kProofMeanWait)).value());
  }
  const MeanAndError volume = mean_and_error(volume_drop);
  EXPECT_GT(volume.mean, 3 * volume.standard_error)
      << "mean " << volume.mean << " ± " << volume.standard_error;
}

}  // namespace
}  // namespace gpumarket
