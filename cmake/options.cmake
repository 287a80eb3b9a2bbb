# User-facing build options.
option(GPUMARKET_BUILD_TESTS "Build the GoogleTest suite" ON)
option(GPUMARKET_BUILD_BENCHMARKS "Build the Google Benchmark programs" ON)
option(GPUMARKET_WERROR "Treat compiler warnings as errors" OFF)
option(GPUMARKET_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
# libFuzzer targets in fuzz/ (clang only: the `fuzz` preset); instruments every library.
option(GPUMARKET_FUZZ "Build libFuzzer targets" OFF)
# Off by default: results must be bit-identical across machines of one build,
# and -march=native would make them depend on the build host's CPU.
option(GPUMARKET_NATIVE "Optimise for the build machine's CPU (-march=native)" OFF)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
  set(CMAKE_C_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()
