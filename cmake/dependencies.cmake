# Every third-party dependency, found from Debian packages (scripts/debian-packages.txt).
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(Boost 1.74 REQUIRED)                   # Boost.Random is header-only
find_package(yaml-cpp REQUIRED)                     # 0.7 exports target `yaml-cpp`, no namespace
find_package(HDF5 REQUIRED COMPONENTS C HL)         # serial build unless HDF5_PREFER_PARALLEL; HL: dimension scales
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
# calibrate's derivative-free search: the C library's target NLopt::nlopt (libnlopt-dev, which
# libnlopt-cxx-dev pulls in) behind nlopt.hpp, libnlopt-cxx-dev's header-only C++ interface.
find_package(NLopt 2.7 REQUIRED CONFIG)
find_package(Threads REQUIRED)
# A run's state for checkpoints and forked sweeps: cereal's portable binary archive (libcereal-dev,
# header-only), one `serialize` per stateful class for both directions.
find_package(cereal REQUIRED CONFIG)
# Optional: sweeps spread their points over MPI ranks under mpirun/srun (libopenmpi-dev);
# without MPI they run on threads and as job-array shards.
find_package(MPI COMPONENTS C QUIET)
option(GPUMARKET_MPI "Spread sweep points over MPI ranks under mpirun or srun" ${MPI_C_FOUND})
if(GPUMARKET_MPI AND NOT MPI_C_FOUND)
  message(FATAL_ERROR "GPUMARKET_MPI is ON but no MPI was found: install libopenmpi-dev or pass -DGPUMARKET_MPI=OFF")
endif()
if(GPUMARKET_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(GPUMARKET_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
