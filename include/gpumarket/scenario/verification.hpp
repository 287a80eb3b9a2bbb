// Parameters of verified work: how a venue checks the results its providers return
// (redundant copies, spot checks, zero-knowledge proofs) and the prover pools that prove
// jobs. Plain structs; the equations are in docs/model.md, "Verification and provers".
//
// Sources: docs/sources.md. "calibration §n" is its calibration section n; ASSUMPTION marks
// a value with no source.
#pragma once

#include <cstdint>
#include <optional>

#include "gpumarket/core/time.hpp"

namespace gpumarket {

/// FP16 dense PF of the GPU on which proof costs are quoted: one A100 SXM, 312 TFLOP/s
/// (calibration §2).
inline constexpr double kProofReferenceGpuPf = 0.312;

/// A pool of prover GPUs that proves jobs one at a time in arrival order, all its GPUs on
/// one proof (docs/model.md, "Prover pools").
struct ProverParams {
  /// Prover GPUs in the pool. ASSUMPTION: one.
  int64_t gpus = 1;
  /// FP16 dense PF of one prover GPU; proving speed scales with it (ASSUMPTION). Default:
  /// the reference A100 (calibration §2).
  double gpu_pf = kProofReferenceGpuPf;
  /// Seconds of one reference GPU per TFLOP of proven work. zkLLM (CCS'24) proves a 13 B
  /// model's 2,048-token inference (about 53 TFLOP) in under 15 min on one A100: 15–20 s per
  /// TFLOP (calibration §7); 17.5 is the middle.
  double seconds_per_tflop = 17.5;
  /// Proof cost halves every this long from the scenario's start (a learning curve);
  /// infinite: no learning. ASSUMPTION: none by default.
  Duration cost_halving = Duration::infinite();
  /// USD per prover-GPU-hour. calibration §11: a decentralised A100-80 rents for about
  /// 1.00 USD per GPU-hour (baseline).
  double price_usd_per_gpu_hour = 1.0;
};

/// How a venue checks results.
enum class VerificationScheme {
  /// No check: every result is accepted.
  None,
  /// r copies run side by side; a result is accepted only when all copies agree.
  Redundant,
  /// A sampled share of jobs is re-executed after it; a sampled bad result is caught.
  SpotCheck,
  /// Every result is proven by the venue's prover pool; a bad result is always caught.
  Zk,
};

/// What happens to a job whose bad result was caught.
enum class RejectionPolicy {
  /// The venue re-queues it: it joins the venue's line again.
  Redo,
  /// It leaves the system without a result.
  Lose,
};

/// A venue's verification (docs/model.md, "Verification").
struct VerificationParams {
  VerificationScheme scheme = VerificationScheme::None;
  /// Copies per job under `redundant`, ≥ 1. ASSUMPTION: 2, the least that can disagree.
  int64_t replication = 2;
  /// Share of jobs re-executed under `spot_check`, in [0, 1]. ASSUMPTION: 10 %.
  double spot_check_share = 0.1;
  /// Probability q that one run of a job by a provider returns a bad result (fault or
  /// cheating), in [0, 1]. ASSUMPTION: 0.
  double failure_probability = 0.0;
  RejectionPolicy on_rejection = RejectionPolicy::Redo;
  /// The pool that proves the venue's jobs: required by `zk`, not allowed otherwise.
  std::optional<ProverParams> prover;
};

}  // namespace gpumarket
