#include "partial_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "hdf5_objects.hpp"

namespace gpumarket::hdf5 {
namespace {

std::filesystem::path partial_path(const std::filesystem::path& path) {
  std::filesystem::path partial = path;
  partial += ".partial";
  return partial;
}

}  // namespace

// No O_TRUNC: the bytes of a file another process holds must survive our attempt to lock it;
// H5Fcreate truncates the file once it is ours.
PartialFile::PartialFile(const std::filesystem::path& path, Context context)
    : final_path_(path), context_(std::move(context)), lock_(partial_path(path), O_RDWR | O_CREAT) {
  if (!lock_.locked()) context_.fail(lock_.problem());
}

PartialFile::~PartialFile() {
  if (published_ || !lock_.locked()) return;
  std::error_code ignored;
  std::filesystem::remove(lock_.path(), ignored);
}

PropertyList PartialFile::file_access() const {
  const std::string setup = "HDF5 failed to set up file properties";
  auto access = make<PropertyList>(H5Pcreate(H5P_FILE_ACCESS), context_, setup);
  check(H5Pset_file_locking(access.get(), false, true), context_, setup);
  return access;
}

void PartialFile::publish() {
  if (::fsync(lock_.fd()) != 0) {
    const int error = errno;
    context_.fail("cannot flush " + in_quotes(path().string()) +
                  " to disk: " + std::strerror(error));
  }
  std::error_code error;
  std::filesystem::rename(path(), final_path_, error);
  if (error) {
    context_.fail("cannot rename " + in_quotes(path().string()) + " to " +
                  in_quotes(final_path_.string()) + ": " + error.message());
  }
  published_ = true;
  // The lock guards the name "<path>.partial", which no longer names this file; a reader of
  // the published file in this process (HDF5 takes a shared flock) must not meet it.
  lock_.close();
  const std::filesystem::path directory =
      final_path_.has_parent_path() ? final_path_.parent_path() : std::filesystem::path(".");
  sync_to_disk(directory, O_RDONLY | O_DIRECTORY, context_);
}

}  // namespace gpumarket::hdf5
