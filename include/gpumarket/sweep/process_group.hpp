// The processes that run one sweep together: the MPI ranks when started by mpirun or srun,
// otherwise this process alone. No MPI type appears here, so callers need no MPI headers.
#pragma once

#include <cstdint>

namespace gpumarket {

class ProcessGroup {
 public:
  /// Whether the environment says an MPI launcher (mpirun, or srun with PMIx) started this
  /// process with more than one rank, or as one rank of a job.
  static bool launched_by_mpi();
  /// Whether this program was built with MPI (CMake option GPUMARKET_MPI).
  static bool built_with_mpi();

  /// Initialises MPI when launched_by_mpi() and built with MPI; otherwise a group of one.
  /// Throws Error when launched with several ranks but built without MPI (each rank would
  /// run the whole sweep).
  ProcessGroup();
  /// Finalises MPI; when destroyed while an exception unwinds, aborts every rank instead, so
  /// that no rank waits forever for one that failed.
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  /// Ranks on this node (they share its cores).
  int local_size() const { return local_size_; }
  bool uses_mpi() const { return uses_mpi_; }
  /// Waits until every rank has called it.
  void barrier();

  /// Collective: starts a counter shared by all ranks at 0. Threads of every rank then take
  /// work items with take(), so a rank that runs faster (or has a less busy core) takes more.
  void start_counter();
  /// The counter's value before adding one to it; thread-safe. Each value goes to one caller.
  uint64_t take();
  /// Whether take() hands out items dynamically (false: MPI offered no one-sided operations,
  /// and rank k takes items k, k + size, ...).
  bool counter_is_shared() const;
  /// Collective: ends the counter.
  void stop_counter();

 private:
  struct Counter;
  Counter* counter_ = nullptr;
  int rank_ = 0;
  int size_ = 1;
  int local_size_ = 1;
  bool uses_mpi_ = false;
};

}  // namespace gpumarket
