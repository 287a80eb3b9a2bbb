// RAII ownership of HDF5 C API identifiers, and checks that turn failed HDF5 calls
// into gpumarket::Error. Private to sim/io: no public header names HDF5 types.
#pragma once

#include <hdf5.h>

#include <string>
#include <string_view>
#include <utility>

#include "gpumarket/core/error.hpp"

namespace gpumarket::hdf5 {

/// Owns one HDF5 identifier and releases it with `Close`. Move-only; an invalid
/// (negative) identifier is never closed.
template <herr_t (*Close)(hid_t)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  // A destructor cannot report a failed close; code that must know calls close().
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

  /// Closes now; returns false when HDF5 reports a failure.
  bool close() {
    if (!valid()) return true;
    return Close(std::exchange(id_, H5I_INVALID_HID)) >= 0;
  }

 private:
  void reset() {
    if (valid()) Close(std::exchange(id_, H5I_INVALID_HID));
  }

  hid_t id_ = H5I_INVALID_HID;
};

using File = Handle<H5Fclose>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Dataspace = Handle<H5Sclose>;
using Attribute = Handle<H5Aclose>;
using PropertyList = Handle<H5Pclose>;
using Datatype = Handle<H5Tclose>;
using Object = Handle<H5Oclose>;  // a group, dataset or named type opened with H5Oopen

/// Turns off HDF5's printing of its error stack, so that users see only our
/// messages. The setting is per thread in a thread-safe HDF5, hence once per thread.
///
/// Before that, the first call in the process keeps HDF5 from closing files at exit: in HDF5
/// 1.10 a file whose H5Fclose failed (a full disk) stays half-closed, and closing it again in
/// HDF5's atexit handler crashes (SIGSEGV in H5F__close_cb) after the error was reported.
/// Every file gpumarket writes is closed by its Handle, and one whose close failed is removed.
inline void silence_library_errors() {
  static const bool no_close_at_exit = H5dont_atexit() >= 0;
  (void)no_close_at_exit;
  thread_local const bool silenced = H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
  (void)silenced;
}

/// What HDF5's error stack says about the call of this thread that just failed, as the end of
/// a sentence: the system's reason for a failed read or write (e.g. "No space left on device:
/// the disk is full") or "a checksum does not match: the file is corrupted"; "" otherwise, when
/// the caller's own message says all there is (a missing object, a wrong type).
std::string library_failure();

/// The file an operation works on and the sentence that opens its error messages,
/// e.g. {"out.h5", "cannot write the output file"}.
struct Context {
  std::string path;
  std::string_view failure;

  [[noreturn]] void fail(std::string_view what) const {
    std::string message = path;
    message += ": ";
    message += failure;
    message += ": ";
    message += what;
    message += '.';
    throw Error(message);
  }
};

/// Throws for an HDF5 call that just failed: `what`, followed by what HDF5 says about it.
[[noreturn]] inline void fail_call(const Context& context, std::string_view what) {
  const std::string reason = library_failure();
  if (reason.empty()) context.fail(what);
  context.fail(std::string(what) + ": " + reason);
}

/// Returns `id`, or throws when HDF5 signalled failure with a negative identifier.
inline hid_t check_id(hid_t id, const Context& context, std::string_view what) {
  if (id < 0) fail_call(context, what);
  return id;
}

/// Throws when an HDF5 call returned a negative status.
inline void check(herr_t status, const Context& context, std::string_view what) {
  if (status < 0) fail_call(context, what);
}

/// Makes a handle from a freshly created identifier, throwing when it is invalid.
template <class H>
H make(hid_t id, const Context& context, std::string_view what) {
  return H(check_id(id, context, what));
}

}  // namespace gpumarket::hdf5
