// The kept series of a sweep file: each run group (tick, day, summary) of the rows that kept
// series, as arrays over (row, time[, axis]) in /series/<group>. Private to sim/io.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hdf5_handle.hpp"

namespace gpumarket::hdf5 {

/// Where one row's series are: a run file (`object` "/") or a sweep file (`object` "/series",
/// its row of number `row`).
struct SeriesSource {
  uint64_t row = 0;
  std::string file;
  std::string object;
};

/// Writes /series of a sweep file from each row's source, in the order given. Each group's
/// `time` is the union of the rows' times (hours since the earliest start date) and each
/// column axis the union of the rows' labels; a row has NaN where it has no value.
void write_sweep_series(hid_t file, const std::vector<SeriesSource>& rows, const Context& context);

/// The row numbers that /series of a sweep file holds (the union over its groups); none
/// without /series.
std::vector<uint64_t> sweep_series_rows(hid_t file, const Context& context);

}  // namespace gpumarket::hdf5
