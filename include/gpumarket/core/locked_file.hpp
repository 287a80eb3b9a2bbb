// An open file that this process holds an exclusive advisory lock on: how two gpumarket
// processes that would write the same output, or append to the same sweep journal, find out
// about each other before either destroys anything of the other's.
#pragma once

#include <filesystem>
#include <string>

namespace gpumarket {

/// flock(2) on the open file: the lock belongs to this open file description, so it also
/// excludes a second open() in the same process, and it ends when the descriptor is closed
/// (or the process dies, even by SIGKILL). Advisory: only gpumarket processes honour it.
class LockedFile {
 public:
  enum class Status { kLocked, kBusy, kFailed };

  /// Opens `path` with open(2) `flags` (O_CLOEXEC is added; with O_CREAT, mode 0666 less the
  /// umask) and takes the lock without waiting. A file that was renamed or removed between
  /// the open and the lock (by the writer that held it) is opened again, so that a lock taken
  /// is always on the file `path` names. Never throws: see status() and problem().
  LockedFile(const std::filesystem::path& path, int flags);
  ~LockedFile();
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;
  LockedFile(LockedFile&& other) noexcept;
  LockedFile& operator=(LockedFile&& other) noexcept;

  Status status() const { return status_; }
  bool locked() const { return status_ == Status::kLocked; }
  /// The descriptor, valid while locked().
  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  /// Why the file is not locked, as the end of a sentence: "another gpumarket process is
  /// writing '<path>' (it holds its lock)", or "cannot create (open) '<path>': <reason>".
  std::string problem() const;
  /// Closes the file, which ends the lock; status() stays as it was.
  void close();

 private:
  std::filesystem::path path_;
  int flags_ = 0;
  int fd_ = -1;
  Status status_ = Status::kFailed;
  int error_ = 0;  // errno when status_ is kFailed
};

}  // namespace gpumarket
