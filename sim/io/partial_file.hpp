// Where an HDF5 writer puts a file until it is complete: "<path>.partial", locked against
// other gpumarket processes, removed unless published under its final name. Private to sim/io.
#pragma once

#include <filesystem>

#include "gpumarket/core/locked_file.hpp"
#include "hdf5_handle.hpp"

namespace gpumarket::hdf5 {

class PartialFile {
 public:
  /// Creates "<path>.partial" and takes its lock before changing anything in it, so that a
  /// second writer of `path` fails (naming the first) and leaves the first writer's file as it
  /// was. Throws through `context` when the file cannot be created or another process holds it.
  PartialFile(const std::filesystem::path& path, Context context);
  /// Unless published: removes the partial file (still under the lock), then releases it.
  ~PartialFile();
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  const std::filesystem::path& path() const { return lock_.path(); }
  /// File access properties for H5Fcreate of path(): HDF5's own lock turned off, since its
  /// flock on a second descriptor would conflict with the lock this holds.
  PropertyList file_access() const;
  /// Flushes the closed HDF5 file to disk, renames it to the final path, releases the lock
  /// and flushes the directory, so that the final name appears only for a complete, durable
  /// file.
  void publish();

 private:
  std::filesystem::path final_path_;
  Context context_;
  LockedFile lock_;
  bool published_ = false;
};

}  // namespace gpumarket::hdf5
