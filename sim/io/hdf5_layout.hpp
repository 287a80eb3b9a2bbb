// The layout of a netCDF-style HDF5 file as its readers see it: which dimension scale a
// dataset's dimension has, its shape, what kind of object a name is. The sweep result's
// series (sweep_result_file_series.cpp) and an ensemble's bands (ensemble_bands.cpp) read run
// files with these. Private to sim/io.
#pragma once

#include <hdf5.h>

#include <string>
#include <vector>

#include "hdf5_objects.hpp"

namespace gpumarket::hdf5 {

/// The name of the dimension scale attached to dimension `dim` of `dataset`, "" for none.
std::string dimension_name(hid_t dataset, unsigned dim);

/// The shape of `dataset` (named `path` in messages).
std::vector<hsize_t> dims_of(hid_t dataset, const std::string& path, const Context& c);

bool is_dataset(hid_t parent, const std::string& name);
bool is_group(hid_t parent, const std::string& name);
/// Whether `dataset` holds strings (a column axis's labels).
bool holds_text(hid_t dataset);

/// Writes `labels` as the string dataset `name` of `group` and makes it a dimension scale
/// (a column axis: venue, segment, ...).
Dataset write_label_scale(hid_t group, const std::string& name,
                          const std::vector<std::string>& labels, const Context& c);

/// All of dataset `path` below `parent`, flattened row-major, as `memory_type`.
template <class T>
std::vector<T> read_vector(hid_t parent, const std::string& path, hid_t memory_type,
                           const Context& c) {
  const Dataset dataset = open_dataset(parent, path, c);
  hsize_t size = 1;
  for (hsize_t d : dims_of(dataset.get(), path, c)) size *= d;
  std::vector<T> v(size);
  if (size > 0) {
    check(H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), c,
          "HDF5 failed to read " + in_quotes(path));
  }
  return v;
}

}  // namespace gpumarket::hdf5
