// Fuzz target: bytes -> a file -> the HDF5 readers: a run's file (Hdf5Reader: provenance,
// summary, series) and a sweep's result (read_sweep_result). Seeds are files the gpumarket
// binary wrote, so mutations are damaged results. gpumarket::Error is what a damaged file must
// give; anything else is a finding.
#include <hdf5.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gpumarket/core/error.hpp"
#include "gpumarket/io/hdf5_reader.hpp"
#include "gpumarket/io/sweep_result_file.hpp"

namespace {

namespace fs = std::filesystem;

// One file per process (libFuzzer's -fork and -jobs run several), in memory when /dev/shm is.
fs::path input_path() {
  const fs::path dir =
      fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
  return dir / ("gpumarket_fuzz_" + std::to_string(getpid()) + ".h5");
}

// A run's file as `gpumarket compare` and the ensemble bands read it.
void read_run_file(const fs::path& path) {
  const gpumarket::Hdf5Reader reader(path);
  (void)reader.run_info();
  (void)reader.summary();
  // A per-venue series, a two-column one and a group's time, of both of a run's groups.
  for (const char* group : {"tick", "day"}) {
    for (const char* name : {"time", "arrivals", "hardware_index", "daa"}) {
      try {
        (void)reader.series(group, name);
      } catch (const gpumarket::Error&) {
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fs::path path = input_path();
  { std::ofstream(path, std::ios::binary | std::ios::trunc) << std::string(data, data + size); }
  try {
    read_run_file(path);
  } catch (const gpumarket::Error&) {
  }
  try {
    (void)gpumarket::read_sweep_result(path);
  } catch (const gpumarket::Error&) {
  }
  // Every file, group, dataset and attribute the readers opened is closed again, also when
  // they failed (fuzz/lsan.supp says why this, not LeakSanitizer, checks it).
  if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) != 0) std::abort();
  return 0;
}
