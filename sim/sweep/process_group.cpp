#include "gpumarket/sweep/process_group.hpp"

#include <fmt/core.h>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>

#include "gpumarket/core/error.hpp"

#if GPUMARKET_HAVE_MPI
// The C API only: the deprecated C++ bindings would need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace gpumarket {

struct ProcessGroup::Counter {
  std::atomic<uint64_t> local{0};
  std::mutex mutex;  // MPI calls from several threads are serialised
#if GPUMARKET_HAVE_MPI
  MPI_Win window = MPI_WIN_NULL;
  uint64_t* value = nullptr;  // rank 0's memory behind the window, allocated by MPI
  bool shared = false;        // every rank could create the window
#endif
};

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
    // Worker threads take rows through the shared counter, one MPI call at a time.
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
      throw Error("cannot initialise MPI (started by mpirun or srun).");
    }
  }
  uses_mpi_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node = MPI_COMM_NULL;
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
  const bool unwinding = std::uncaught_exceptions() > 0;
  if (counter_ != nullptr && !unwinding) stop_counter();
  delete counter_;
  if (!uses_mpi_) return;
  if (unwinding && size_ > 1) {
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

void ProcessGroup::start_counter() {
  delete counter_;
  counter_ = new Counter;
#if GPUMARKET_HAVE_MPI
  if (uses_mpi_) {
    // One uint64 exposed by rank 0; the others fetch-and-add it (passive target, no
    // message from rank 0 needed). Should the MPI library offer no one-sided support, every
    // rank falls back to a static split (take() then counts locally in steps of size).
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    const MPI_Aint bytes = rank_ == 0 ? static_cast<MPI_Aint>(sizeof(uint64_t)) : 0;
    int ok = MPI_Win_allocate(bytes, sizeof(uint64_t), MPI_INFO_NULL, MPI_COMM_WORLD,
                              &counter_->value, &counter_->window) == MPI_SUCCESS;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    int all_ok = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (all_ok != 0) {
      if (rank_ == 0) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, counter_->window);
        *counter_->value = 0;
        MPI_Win_unlock(0, counter_->window);
      }
      MPI_Barrier(MPI_COMM_WORLD);
      counter_->shared = true;
    } else {
      if (ok != 0) MPI_Win_free(&counter_->window);
      counter_->window = MPI_WIN_NULL;
      counter_->local = static_cast<uint64_t>(rank_);
    }
  }
#endif
}

uint64_t ProcessGroup::take() {
#if GPUMARKET_HAVE_MPI
  if (uses_mpi_ && !counter_->shared)
    return counter_->local.fetch_add(static_cast<uint64_t>(size_));
  if (uses_mpi_) {
    std::lock_guard lock(counter_->mutex);
    const uint64_t one = 1;
    uint64_t before = 0;
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, counter_->window);
    MPI_Fetch_and_op(&one, &before, MPI_UINT64_T, 0, 0, MPI_SUM, counter_->window);
    MPI_Win_unlock(0, counter_->window);
    return before;
  }
#endif
  return counter_->local.fetch_add(1);
}

bool ProcessGroup::counter_is_shared() const {
#if GPUMARKET_HAVE_MPI
  if (uses_mpi_) return counter_ != nullptr && counter_->shared;
#endif
  return true;
}

void ProcessGroup::stop_counter() {
#if GPUMARKET_HAVE_MPI
  if (counter_ != nullptr && counter_->window != MPI_WIN_NULL) MPI_Win_free(&counter_->window);
#endif
  delete counter_;
  counter_ = nullptr;
}

}  // namespace gpumarket
