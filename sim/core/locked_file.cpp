#include "gpumarket/core/locked_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace gpumarket {
namespace {

// Each retry means another writer published or removed the file between our open and our
// lock; more than a few in a row would be a livelock between writers, reported as busy.
constexpr int kMaxOpenAttempts = 16;

bool same_file(int fd, const std::filesystem::path& path) {
  struct stat opened {};
  struct stat named {};
  return ::fstat(fd, &opened) == 0 && ::stat(path.c_str(), &named) == 0 &&
         opened.st_dev == named.st_dev && opened.st_ino == named.st_ino;
}

}  // namespace

LockedFile::LockedFile(const std::filesystem::path& path, int flags) : path_(path), flags_(flags) {
  for (int attempt = 0; attempt < kMaxOpenAttempts; ++attempt) {
    fd_ = ::open(path.c_str(), flags | O_CLOEXEC, 0666);
    if (fd_ < 0) {
      error_ = errno;
      status_ = Status::kFailed;
      return;
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      error_ = errno;
      status_ = error_ == EWOULDBLOCK ? Status::kBusy : Status::kFailed;
      close();
      return;
    }
    if (same_file(fd_, path)) {
      status_ = Status::kLocked;
      return;
    }
    close();
  }
  status_ = Status::kBusy;
}

LockedFile::~LockedFile() { close(); }

LockedFile::LockedFile(LockedFile&& other) noexcept
    : path_(std::move(other.path_)),
      flags_(other.flags_),
      fd_(std::exchange(other.fd_, -1)),
      status_(std::exchange(other.status_, Status::kFailed)),
      error_(other.error_) {}

LockedFile& LockedFile::operator=(LockedFile&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    flags_ = other.flags_;
    fd_ = std::exchange(other.fd_, -1);
    status_ = std::exchange(other.status_, Status::kFailed);
    error_ = other.error_;
  }
  return *this;
}

void LockedFile::close() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

std::string LockedFile::problem() const {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "'" + string.
  std::string quoted(1, '\'');
  quoted += path_.string();
  quoted += '\'';
  switch (status_) {
    case Status::kLocked:
      return {};
    case Status::kBusy:
      return "another gpumarket process is writing " + quoted + " (it holds its lock)";
    case Status::kFailed:
      break;
  }
  return ((flags_ & O_CREAT) != 0 ? "cannot create " : "cannot open ") + quoted + ": " +
         std::strerror(error_);
}

}  // namespace gpumarket
