// An ensemble's bands: for every timed series of its replications' run files, the mean and
// quantiles over the replications at each time and column, in /bands/<group> of the ensemble's
// sweep result file (docs/output.md, "Ensemble bands"). Private to sim/io.
#pragma once

#include <hdf5.h>

#include <string>
#include <vector>

#include "hdf5_handle.hpp"

namespace gpumarket::hdf5 {

/// Writes /bands of `file` from the run files of the replications, in the order given (the
/// order of accumulation, so the bands do not depend on which replication finished first).
/// Every run file must have the same groups, times, column labels and series: one scenario,
/// several seeds. NaN values are left out of a cell's statistics. Reads one block of times of
/// one series from every run file at a time, so memory does not grow with the run length.
void write_ensemble_bands(hid_t file, const std::vector<std::string>& run_files,
                          const std::vector<double>& quantiles, const Context& context);

}  // namespace gpumarket::hdf5
