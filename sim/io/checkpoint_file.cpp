#include "gpumarket/io/checkpoint_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "gpumarket/core/error.hpp"
#include "gpumarket/core/hash.hpp"
#include "gpumarket/core/locked_file.hpp"

namespace gpumarket {
namespace {

constexpr std::string_view kMagic = "GPUMCKPT";
// Bumped whenever the container changes.
constexpr uint32_t kFormatVersion = 1;
// A checkpoint holds a run's state and its rows so far: large, but bounded by memory.
constexpr uint64_t kMaxCheckpointBytes = uint64_t{16} << 30;

// Little-endian fields, whatever the machine, so that a checkpoint moves between machines.
void put_u64(std::string& out, uint64_t x) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
}
void put_text(std::string& out, std::string_view text) {
  put_u64(out, text.size());
  out.append(text);
}

// Reads the fields back from the file's bytes, failing with the file's name and what is short.
class Fields {
 public:
  Fields(const std::filesystem::path& path, std::string_view bytes) : path_(path), bytes_(bytes) {}
  uint64_t u64(std::string_view what) {
    const std::string_view raw = take(8, what);
    uint64_t x = 0;
    for (int i = 7; i >= 0; --i) x = (x << 8) | static_cast<unsigned char>(raw[i]);
    return x;
  }
  std::string_view text(std::string_view what) {
    const uint64_t size = u64(what);
    return take(size, what);
  }
  std::string_view take(uint64_t size, std::string_view what) {
    if (size > bytes_.size() - pos_) {
      fail("it ends inside its " + std::string(what) + " (truncated?)");
    }
    const std::string_view out = bytes_.substr(pos_, size);
    pos_ += size;
    return out;
  }
  size_t position() const { return pos_; }
  [[noreturn]] void fail(const std::string& why) const {
    throw Error("checkpoint '" + path_.string() + "' cannot be used: " + why);
  }

 private:
  const std::filesystem::path& path_;
  std::string_view bytes_;
  size_t pos_ = 0;
};

std::string read_whole(const std::filesystem::path& path) {
  const auto fail = [&path](const std::string& why) {
    throw Error("cannot read checkpoint '" + path.string() + "': " + why);
  };
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error) fail(error.message());
  if (!std::filesystem::is_regular_file(status)) fail("it is not a regular file");
  const uint64_t size = std::filesystem::file_size(path, error);
  if (error) fail(error.message());
  if (size > kMaxCheckpointBytes) fail("it is larger than 16 GiB");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(std::strerror(errno));
  std::string bytes(size, '\0');
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, bytes.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int why = n < 0 ? errno : EIO;
      ::close(fd);
      fail(std::strerror(why));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return bytes;
}

}  // namespace

void write_checkpoint_file(const std::filesystem::path& path, const CheckpointHeader& header,
                           std::string_view payload) {
  std::string bytes(kMagic);
  put_u64(bytes, kFormatVersion);
  put_text(bytes, header.program_version);
  put_u64(bytes, header.scenario_prefix_hash);
  put_u64(bytes, static_cast<uint64_t>(header.at_micros));
  put_text(bytes, header.at_text);
  put_text(bytes, payload);
  put_u64(bytes, fnv1a(bytes));

  const std::filesystem::path partial = path.string() + ".partial";
  const auto fail = [&path](const std::string& why) {
    throw Error("cannot write checkpoint '" + path.string() + "': " + why);
  };
  LockedFile file(partial, O_WRONLY | O_CREAT);
  if (!file.locked()) fail(file.problem());
  bool published = false;
  struct RemoveUnlessPublished {
    const std::filesystem::path& partial;
    const bool& published;
    RemoveUnlessPublished(const std::filesystem::path& partial_path, const bool& is_published)
        : partial(partial_path), published(is_published) {}
    RemoveUnlessPublished(const RemoveUnlessPublished&) = delete;
    RemoveUnlessPublished& operator=(const RemoveUnlessPublished&) = delete;
    RemoveUnlessPublished(RemoveUnlessPublished&&) = delete;
    RemoveUnlessPublished& operator=(RemoveUnlessPublished&&) = delete;
    ~RemoveUnlessPublished() {
      std::error_code ignored;
      if (!published) std::filesystem::remove(partial, ignored);
    }
  } cleanup(partial, published);
  if (::ftruncate(file.fd(), 0) != 0) fail(std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(file.fd(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(std::strerror(errno));  // ENOSPC: "No space left on device"
    done += static_cast<size_t>(n);
  }
  if (::fsync(file.fd()) != 0) fail(std::strerror(errno));
  std::error_code error;
  std::filesystem::rename(partial, path, error);
  if (error) fail(error.message());
  published = true;
  file.close();
}

CheckpointFile read_checkpoint_file(const std::filesystem::path& path) {
  const std::string bytes = read_whole(path);
  Fields fields(path, bytes);
  if (fields.take(std::min(bytes.size(), kMagic.size()), "magic") != kMagic) {
    fields.fail("it is not a gpumarket checkpoint (its first bytes are not \"GPUMCKPT\")");
  }
  const uint64_t format = fields.u64("format version");
  if (format != kFormatVersion) {
    fields.fail("its format version is " + std::to_string(format) + "; this program reads " +
                std::to_string(kFormatVersion));
  }
  CheckpointFile file;
  file.header.program_version = std::string(fields.text("program version"));
  file.header.scenario_prefix_hash = fields.u64("scenario hash");
  file.header.at_micros = static_cast<int64_t>(fields.u64("date"));
  file.header.at_text = std::string(fields.text("date"));
  file.payload = std::string(fields.text("state"));
  const size_t checked = fields.position();
  const uint64_t checksum = fields.u64("checksum");
  if (checksum != fnv1a(std::string_view(bytes).substr(0, checked))) {
    fields.fail("its checksum does not match its contents (the file is damaged)");
  }
  if (fields.position() != bytes.size()) fields.fail("it has bytes after its checksum");
  return file;
}

void check_checkpoint_matches(const std::filesystem::path& path, const CheckpointHeader& found,
                              const CheckpointHeader& expected) {
  const std::string name = "checkpoint '" + path.string() + "'";
  if (found.program_version != expected.program_version) {
    throw Error(name + " was written by gpumarket " + found.program_version + "; this is " +
                expected.program_version + ", whose state may differ: rerun the scenario to " +
                "its date with this version");
  }
  if (found.at_micros != expected.at_micros) {
    throw Error(name + " holds the state at " + found.at_text + ", not at " + expected.at_text);
  }
  if (found.scenario_prefix_hash != expected.scenario_prefix_hash) {
    throw Error(name + " was written for another scenario: before its date (" + found.at_text +
                ") the scenario or the seed differ; only timeline steps from that date on may " +
                "change");
  }
}

}  // namespace gpumarket
