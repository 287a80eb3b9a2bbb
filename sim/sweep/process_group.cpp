#include "gpumarket/sweep/process_group.hpp"

#include <fmt/core.h>

#include <cstdlib>
#include <exception>
#include <string>

#include "gpumarket/core/error.hpp"

#if GPUMARKET_HAVE_MPI
// The C API only: the deprecated C++ bindings would need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace gpumarket {
namespace {

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value == nullptr || *value == '\0' ? fallback : std::atoi(value);
}

// The world size the launcher announced: mpirun sets OMPI_COMM_WORLD_SIZE; srun --mpi=pmix
// sets PMIX_RANK and SLURM_NTASKS; other PMI launchers set PMI_SIZE.
int launcher_size() {
  if (std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr) return env_int("OMPI_COMM_WORLD_SIZE", 1);
  if (std::getenv("PMI_SIZE") != nullptr) return env_int("PMI_SIZE", 1);
  if (std::getenv("PMIX_RANK") != nullptr) return env_int("SLURM_NTASKS", 1);
  return 0;
}

}  // namespace

bool ProcessGroup::launched_by_mpi() { return launcher_size() > 0; }

bool ProcessGroup::built_with_mpi() { return GPUMARKET_HAVE_MPI != 0; }

ProcessGroup::ProcessGroup() {
  if (!launched_by_mpi()) return;
#if GPUMARKET_HAVE_MPI
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised == 0) {
    // Only the main thread calls MPI; worker threads run points.
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
      throw Error("cannot initialise MPI (started by mpirun or srun).");
    }
  }
  uses_mpi_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
#else
  if (launcher_size() > 1) {
    throw Error(fmt::format(
        "started as one of {} MPI ranks, but this gpumarket was built without MPI, so every "
        "rank would run the whole sweep; rebuild with -DGPUMARKET_MPI=ON (needs libopenmpi-dev), "
        "or run one process with threads, or use --shard i/N.",
        launcher_size()));
  }
#endif
}

ProcessGroup::~ProcessGroup() {
#if GPUMARKET_HAVE_MPI
  if (!uses_mpi_) return;
  if (std::uncaught_exceptions() > 0 && size_ > 1) {
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
#endif
}

void ProcessGroup::barrier() {
#if GPUMARKET_HAVE_MPI
  if (uses_mpi_) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

}  // namespace gpumarket
