// Reads HDF5's error stack after a failed call, so that a message says why a read or write
// failed: HDF5 keeps the system's errno only in the text of its messages.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "hdf5_handle.hpp"

namespace gpumarket::hdf5 {
namespace {

// HDF5's file drivers end a failed system call's message with "errno = <n>, ...".
constexpr std::string_view kErrnoTag = "errno = ";

herr_t collect(unsigned /*n*/, const H5E_error2_t* error, void* messages) {
  if (error->desc != nullptr)
    static_cast<std::vector<std::string>*>(messages)->emplace_back(error->desc);
  return 0;
}

std::string system_reason(int error) {
  std::string reason = std::strerror(error);
  if (error == ENOSPC || error == EDQUOT) reason += ": the disk is full";
  if (error == EFBIG) reason += ": the file size limit is reached";
  return reason;
}

}  // namespace

std::string library_failure() {
  std::vector<std::string> messages;  // outermost call first
  if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &messages) < 0 || messages.empty()) {
    return {};
  }
  for (const std::string& message : messages) {
    const size_t tag = message.find(kErrnoTag);
    if (tag == std::string::npos) continue;
    const int error = std::atoi(message.c_str() + tag + kErrnoTag.size());
    if (error > 0) return system_reason(error);
  }
  for (const std::string& message : messages) {
    if (message.find("checksum") != std::string::npos) {
      return "a checksum does not match: the file is corrupted";
    }
  }
  // Anything else (a missing object, a wrong type) is what the caller's message already says.
  return {};
}

}  // namespace gpumarket::hdf5
