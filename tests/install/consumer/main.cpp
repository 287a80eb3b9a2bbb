// Prints the installed library's version and the name of the scenario file it is given.
#include <cstdio>
#include <exception>

#include "gpumarket/core/version.hpp"
#include "gpumarket/io/scenario_loader.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer SCENARIO.yaml\n");
    return 2;
  }
  try {
    const gpumarket::LoadedScenario loaded = gpumarket::load_scenario(argv[1]);
    std::printf("gpumarket %s: scenario %s\n", gpumarket::program_version(),
                loaded.scenario.name.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
  }
  return 0;
}
