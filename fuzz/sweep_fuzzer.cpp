// Fuzz target: bytes -> a sweep file decoded with decode_sweep (base scenario, axes, ranges,
// constraints, expansion into points). The file is placed in scenarios/sweeps/, so that a base
// may `extends: ../mmc.yaml` and a scenario axis may name ../world/*.yaml as the shipped sweeps
// do. gpumarket::Error is what bad input must give; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gpumarket/core/error.hpp"
#include "gpumarket/sweep/sweep_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = GPUMARKET_SOURCE_DIR "/scenarios/sweeps/fuzz_input.yaml";
  try {
    const gpumarket::SweepSpec spec = gpumarket::decode_sweep(std::string(data, data + size), path);
    // What the runner derives from a decoded sweep must not fail either.
    if (spec.row_count() > 0) {
      (void)spec.scenario_tree(spec.row(spec.row_count() - 1));
      (void)spec.fingerprint();
    }
  } catch (const gpumarket::Error&) {
  }
  return 0;
}
