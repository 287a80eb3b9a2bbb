// Decoders of verified work: a venue's `verification` block and a `prover` pool (a zk
// venue's, inside its verification, or a bridge's).
#include <string>
#include <utility>

#include "scenario_decode.hpp"

namespace gpumarket::scenario_decode {

ProverParams decode_prover(MapReader r) {
  ProverParams p;
  p.gpus = r.optional_integer("gpus", p.gpus, Check::Positive);
  p.gpu_pf = r.optional_number("gpu_pf", p.gpu_pf, Check::Positive);
  p.seconds_per_tflop =
      r.optional_number("seconds_per_tflop", p.seconds_per_tflop, Check::Positive);
  p.cost_halving =
      r.optional_duration("cost_halving", p.cost_halving, Check::Positive, Infinity::Allowed);
  p.price_usd_per_gpu_hour =
      r.optional_number("price_usd_per_gpu_hour", p.price_usd_per_gpu_hour, Check::NonNegative);
  r.finish();
  return p;
}

VerificationParams decode_verification(MapReader r) {
  VerificationParams v;
  const std::string scheme =
      r.optional_enumeration("scheme", "none", {"none", "redundant", "spot_check", "zk"});
  v.scheme = scheme == "redundant"    ? VerificationScheme::Redundant
             : scheme == "spot_check" ? VerificationScheme::SpotCheck
             : scheme == "zk"         ? VerificationScheme::Zk
                                      : VerificationScheme::None;
  v.replication = r.optional_integer("replication", v.replication, Check::Positive);
  v.spot_check_share = r.optional_fraction("spot_check_share", v.spot_check_share);
  v.failure_probability = r.optional_fraction("failure_probability", v.failure_probability);
  const std::string on_rejection = r.optional_enumeration("on_rejection", "redo", {"redo", "lose"});
  v.on_rejection = on_rejection == "lose" ? RejectionPolicy::Lose : RejectionPolicy::Redo;
  if (auto prover = r.optional_map("prover")) v.prover = decode_prover(std::move(*prover));
  r.finish();
  // A key of another scheme would be silently ignored: say so instead.
  auto only_for = [&](std::string_view key, VerificationScheme owner, std::string_view name) {
    if (r.node().find(key) != nullptr && v.scheme != owner) {
      r.fail(key, "applies to scheme " + std::string(name) + " only, and the scheme is " + scheme);
    }
  };
  only_for("replication", VerificationScheme::Redundant, "redundant");
  only_for("spot_check_share", VerificationScheme::SpotCheck, "spot_check");
  only_for("prover", VerificationScheme::Zk, "zk");
  if (v.scheme == VerificationScheme::Zk && !v.prover) {
    r.fail("scheme",
           "scheme zk proves every job with the venue's prover pool: expected a 'prover' block "
           "beside it");
  }
  return v;
}

}  // namespace gpumarket::scenario_decode
