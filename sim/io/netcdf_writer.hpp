// A small netCDF-4 file written in one go (an attribution, a calibration): dimension scales,
// datasets attached to them with a long_name, all without timestamps, published atomically.
// Private to sim/io; the layouts that use it live in their own files.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "hdf5_objects.hpp"

namespace gpumarket::hdf5 {

/// A creation list (of a file or dataset) without timestamps: the same content, the same bytes.
PropertyList untimed(hid_t class_id, const Context& context);

/// Writes datasets below one file's root, each checksummed (numbers) and attached to its
/// dimension scales in order.
class NetcdfWriter {
 public:
  NetcdfWriter(hid_t root, const Context& context);

  hid_t root() const { return root_; }
  Dataset numbers(const std::string& path, hid_t file_type, hid_t memory_type,
                  const std::vector<hsize_t>& dims, const void* data,
                  const std::vector<hid_t>& scales);
  /// A double dataset with its long_name.
  void doubles(const std::string& path, const std::string& long_name,
               const std::vector<hsize_t>& dims, const double* data,
               const std::vector<hid_t>& scales);
  /// Text keeps HDF5's default layout: it lives in the global heap, which a chunk checksum
  /// would not cover (as in a sweep result).
  Dataset strings(const std::string& path, const std::vector<std::string>& values,
                  const std::vector<hid_t>& scales);
  /// Makes `d` the dimension `name` (netCDF-4's dimension scale) and returns it.
  Dataset scale(const std::string& name, Dataset d);
  void describe(const Dataset& d, const std::string& path, const std::string& long_name);

 private:
  void attach(hid_t dataset, const std::string& path, const std::vector<hid_t>& scales);

  hid_t root_;
  const Context& context_;
  PropertyList creation_;
};

/// Creates "<path>.partial" in the 1.8 format (its object headers carry checksums) without
/// timestamps, with the root attributes Conventions (CF-1.8), gpumarket_format and
/// program_version; calls fill(root), whose objects must be closed when it returns; flushes,
/// closes and renames the file to `path`. Throws Error (context) when HDF5 or the file
/// system fails.
void write_netcdf_file(const std::filesystem::path& path, const std::string& format,
                       const Context& context, const std::function<void(hid_t root)>& fill);

}  // namespace gpumarket::hdf5
