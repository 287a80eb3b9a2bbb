// Fuzz target: bytes -> a sweep constraint parsed over three axes (two numeric, one not), then
// evaluated at a few points. gpumarket::Error is what bad input must give; anything else is a
// finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gpumarket/core/error.hpp"
#include "gpumarket/sweep/constraint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> names = {"rate", "servers", "policy"};
  static const std::vector<bool> numeric = {true, true, false};
  static const std::vector<std::vector<double>> points = {
      {0, 0, 0}, {2.4, 3, 0}, {-1e308, 1e-308, 0}};
  try {
    const gpumarket::Constraint constraint(std::string(data, data + size), names, numeric,
                                           gpumarket::SourceLocation{"sweep.yaml", 3, 5});
    for (const std::vector<double>& point : points) (void)constraint.holds(point);
  } catch (const gpumarket::Error&) {
  }
  return 0;
}
