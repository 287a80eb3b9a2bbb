// Verification and prover blocks in scenarios: what the loader reads, and every bad value
// reported at its location with the key and what was expected.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpumarket/io/scenario_loader.hpp"
#include "support/scenario_text.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

using testing::load_error;
using testing::TempDir;

// A valid scenario with a verifying venue and a proving bridge; the bad-input cases below
// edit it and refer to its line numbers.
const std::string kValid =
    "name: verified\n"                                                              // 1
    "start: 2026-01-01\n"                                                           // 2
    "horizon: 2000h\n"                                                              // 3
    "venues:\n"                                                                     // 4
    "  - name: farm\n"                                                              // 5
    "    kind: fixed\n"                                                             // 6
    "    servers: 3\n"                                                              // 7
    "    price_usd_per_pf_hour: 2.0\n"                                              // 8
    "    verification:\n"                                                           // 9
    "      scheme: redundant\n"                                                     // 10
    "      replication: 3\n"                                                        // 11
    "      failure_probability: 0.05\n"                                             // 12
    "      on_rejection: lose\n"                                                    // 13
    "  - name: provers\n"                                                           // 14
    "    kind: fixed\n"                                                             // 15
    "    servers: 3\n"                                                              // 16
    "    price_usd_per_pf_hour: 2.0\n"                                              // 17
    "    direct_access: false\n"                                                    // 18
    "    verification: {scheme: zk, prover: {gpus: 8, seconds_per_tflop: 17.5}}\n"  // 19
    "bridges:\n"                                                                    // 20
    "  - name: zk_bridge\n"                                                         // 21
    "    connects: [provers]\n"                                                     // 22
    "    prover:\n"                                                                 // 23
    "      gpus: 16\n"                                                              // 24
    "      gpu_pf: 0.989\n"                                                         // 25
    "      cost_halving: 730d\n"                                                    // 26
    "      price_usd_per_gpu_hour: 2.5\n"                                           // 27
    "segments:\n"                                                                   // 28
    "  - name: jobs\n"                                                              // 29
    "    arrival_rate_per_hour: 2.7\n"                                              // 30
    "    duration: {distribution: exponential, mean: 1h}\n";                        // 31

std::string edited(const std::string& from, const std::string& to) {
  return testing::edited_text(kValid, from, to);
}

TEST(VerificationLoader, ReadsVerificationAndProverBlocksAndTheirDefaults) {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("main.yaml", kValid).string()).scenario;
  ASSERT_TRUE(s.venues[0].verification.has_value());
  const VerificationParams& redundant = *s.venues[0].verification;
  EXPECT_EQ(redundant.scheme, VerificationScheme::Redundant);
  EXPECT_EQ(redundant.replication, 3);
  EXPECT_EQ(redundant.failure_probability, 0.05);
  EXPECT_EQ(redundant.on_rejection, RejectionPolicy::Lose);
  EXPECT_FALSE(redundant.prover.has_value());
  const VerificationParams& zk = *s.venues[1].verification;
  EXPECT_EQ(zk.scheme, VerificationScheme::Zk);
  EXPECT_EQ(zk.on_rejection, RejectionPolicy::Redo);
  ASSERT_TRUE(zk.prover.has_value());
  EXPECT_EQ(zk.prover->gpus, 8);
  EXPECT_EQ(zk.prover->gpu_pf, kProofReferenceGpuPf);
  EXPECT_TRUE(zk.prover->cost_halving.is_infinite());
  EXPECT_EQ(zk.prover->price_usd_per_gpu_hour, 1.0);
  ASSERT_TRUE(s.bridges[0].prover.has_value());
  EXPECT_EQ(s.bridges[0].prover->gpus, 16);
  EXPECT_EQ(s.bridges[0].prover->gpu_pf, 0.989);
  EXPECT_EQ(s.bridges[0].prover->seconds_per_tflop, 17.5);
  EXPECT_EQ(s.bridges[0].prover->cost_halving, Duration::days(730));
  EXPECT_EQ(s.bridges[0].prover->price_usd_per_gpu_hour, 2.5);
  EXPECT_FALSE(s.segments.empty());
}

TEST(VerificationLoader, AVenueWithoutABlockHasNoVerification) {
  TempDir dir;
  const std::string text = edited(
      "    verification:\n      scheme: redundant\n      replication: 3\n"
      "      failure_probability: 0.05\n      on_rejection: lose\n",
      "");
  const Scenario s = load_scenario(dir.write("main.yaml", text).string()).scenario;
  EXPECT_FALSE(s.venues[0].verification.has_value());
}

struct BadCase {
  std::string what;
  std::string text;
  std::vector<std::string> overrides;
  std::string location;  // "main.yaml:line:col", or "--set ..."
  std::string phrase;
};

TEST(VerificationLoader, ReportsEachBadValueWithItsLocationKeyAndExpectation) {
  const std::vector<BadCase> cases = {
      {"unknown scheme",
       edited("scheme: redundant", "scheme: redundnat"),
       {},
       "main.yaml:10:15",
       "venues[0].verification.scheme: expected one of none, redundant, spot_check, zk, got "
       "'redundnat'; did you mean 'redundant'?"},
      {"replication below one",
       edited("replication: 3", "replication: 0"),
       {},
       "main.yaml:11:20",
       "venues[0].verification.replication: expected a positive integer, got 0"},
      {"failure probability above one",
       edited("failure_probability: 0.05", "failure_probability: 1.5"),
       {},
       "main.yaml:12:28",
       "venues[0].verification.failure_probability: expected a fraction between 0 and 1, got 1.5"},
      {"negative failure probability",
       edited("failure_probability: 0.05", "failure_probability: -0.1"),
       {},
       "main.yaml:12:28",
       "venues[0].verification.failure_probability: expected a fraction between 0 and 1, got -0.1"},
      {"spot-check share outside [0, 1]",
       edited("scheme: redundant\n      replication: 3\n",
              "scheme: spot_check\n      spot_check_share: 2\n"),
       {},
       "main.yaml:11:25",
       "venues[0].verification.spot_check_share: expected a fraction between 0 and 1, got 2"},
      {"unknown rejection policy",
       edited("on_rejection: lose", "on_rejection: drop"),
       {},
       "main.yaml:13:21",
       "venues[0].verification.on_rejection: expected one of redo, lose, got 'drop'"},
      {"zk scheme without a prover",
       edited("scheme: redundant\n      replication: 3\n", "scheme: zk\n"),
       {},
       "main.yaml:10:15",
       "venues[0].verification.scheme: scheme zk proves every job with the venue's prover pool: "
       "expected a 'prover' block"},
      {"a key of another scheme",
       edited("scheme: redundant", "scheme: none"),
       {},
       "main.yaml:11:20",
       "venues[0].verification.replication: applies to scheme redundant only, and the scheme is "
       "none"},
      {"negative GPUs",
       edited("gpus: 16", "gpus: -4"),
       {},
       "main.yaml:24:13",
       "bridges[0].prover.gpus: expected a positive integer, got -4"},
      {"negative proof cost",
       edited("seconds_per_tflop: 17.5", "seconds_per_tflop: -1"),
       {},
       "main.yaml:19:69",
       "venues[1].verification.prover.seconds_per_tflop: expected a positive number, got -1"},
      {"negative GPU price",
       edited("price_usd_per_gpu_hour: 2.5", "price_usd_per_gpu_hour: -2.5"),
       {},
       "main.yaml:27:31",
       "bridges[0].prover.price_usd_per_gpu_hour: expected a non-negative number, got -2.5"},
      {"old proof key beside a prover pool",
       edited("    prover:\n      gpus: 16\n",
              "    proof_overhead: 3000\n    prover:\n      gpus: 16\n"),
       {},
       "main.yaml:23:21",
       "bridges[0].proof_overhead: a bridge with a 'prover' pool takes its proof cost and time "
       "from the pool"},
      {"bad --set of a prover value",
       kValid,
       {"bridges.zk_bridge.prover.gpus=0"},
       "--set bridges.zk_bridge.prover.gpus=0",
       "bridges[0].prover.gpus: expected a positive integer, got 0"},
      {"timeline step removing a prover block",
       kValid + "timeline:\n  - date: 2026-02-01\n    set: {venues.provers.verification: "
                "{scheme: none}}\n",
       {},
       "main.yaml:34:10",
       "timeline[0].set: a timeline step may change parameter values only, not whether venue "
       "'provers' has a verification or prover block"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.what);
    TempDir dir;
    const std::string path = dir.write("main.yaml", c.text).string();
    const std::string message = load_error(path, c.overrides);
    const std::string location =
        c.location.rfind("--set", 0) == 0 ? c.location : (dir / c.location).string();
    testing::expect_located_error(message, location, c.phrase);
  }
}

}  // namespace
}  // namespace gpumarket
