#include "gpumarket/sweep/journal.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "gpumarket/core/error.hpp"
#include "gpumarket/core/hash.hpp"

namespace gpumarket {
namespace {

constexpr const char* kMagic = "gpumarket-sweep-journal 1";

// Throws Error unless `path` is missing or a regular file of at most kMaxJournalPartBytes,
// checked before it is opened: a FIFO would block the read, a device never end it.
void check_journal_part(const std::filesystem::path& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return;
  if (!std::filesystem::is_regular_file(status)) {
    throw Error(fmt::format(
        "{}: cannot read the journal: it is not a regular file{}", path.string(),
        std::filesystem::is_directory(status) ? " (a directory)" : " (a FIFO, socket or device)"));
  }
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxJournalPartBytes) {
    throw Error(
        fmt::format("{}: cannot read the journal: it is {} bytes, larger than {} GiB "
                    "(docs/sweeps.md, \"The journal\")",
                    path.string(), size, kMaxJournalPartBytes >> 30));
  }
}

std::string header_line(const std::string& fingerprint, const std::vector<std::string>& names) {
  std::string line = fmt::format("{} {} {}", kMagic, fingerprint, names.size());
  for (const std::string& n : names) line += ' ' + n;
  return line;
}

// Percent-encodes everything but printable ASCII other than ' ' and '%', so an error message
// is one token.
std::string escape(std::string_view text) {
  if (text.empty()) return "-";
  std::string out;
  for (unsigned char c : text) {
    if (c > ' ' && c < 0x7f && c != '%' && c != '-') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// The text `escape` wrote; nullopt for a '%' not followed by two hex digits, which escape
// never writes.
std::optional<std::string> unescape(std::string_view token) {
  if (token == "-") return std::string();
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] != '%') {
      out += token[i];
      continue;
    }
    unsigned byte = 0;
    const char* digits = token.data() + i + 1;
    if (i + 2 >= token.size() || std::from_chars(digits, digits + 2, byte, 16).ptr != digits + 2) {
      return std::nullopt;
    }
    out += static_cast<char>(byte);
    i += 2;
  }
  return out;
}

std::string bits(double x) { return fmt::format("{:016x}", std::bit_cast<uint64_t>(x)); }

bool parse_bits(const std::string& token, double& x) {
  if (token.size() != 16) return false;
  char* end = nullptr;
  const uint64_t u = std::strtoull(token.c_str(), &end, 16);
  if (end != token.c_str() + 16) return false;
  x = std::bit_cast<double>(u);
  return true;
}

// Parses one entry line (without its newline); false when it is malformed or torn.
bool parse_entry(const std::string& line, size_t indicator_count, JournalEntry& e) {
  const size_t last_space = line.rfind(' ');
  if (line.size() < 2 || line[0] != 'R' || last_space == std::string::npos) return false;
  if (fmt::format("{:016x}", fnv1a(std::string_view(line).substr(0, last_space))) !=
      line.substr(last_space + 1)) {
    return false;
  }
  std::istringstream in(line.substr(0, last_space));
  std::string tag, status, run, error;
  size_t count = 0;
  if (!(in >> tag >> e.row >> status >> run >> count)) return false;
  if (count != indicator_count || (status != "d" && status != "f")) return false;
  e.done = status == "d";
  if (!parse_bits(run, e.run_seconds)) return false;
  e.indicators.assign(count, 0);
  for (size_t i = 0; i < count; ++i) {
    std::string token;
    if (!(in >> token) || !parse_bits(token, e.indicators[i])) return false;
  }
  if (!(in >> error)) return false;
  std::optional<std::string> text = unescape(error);
  if (!text) return false;
  e.error = std::move(*text);
  return true;
}

// Creates the journal directory and opens and locks the part, before anything reads it.
LockedFile open_part(const std::filesystem::path& dir, const std::string& part) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw Error(fmt::format("{}: cannot create the sweep journal directory: {}.", dir.string(),
                            ec.message()));
  }
  const std::filesystem::path path = dir / (part + ".log");
  check_journal_part(path);
  LockedFile file(path, O_WRONLY | O_CREAT | O_APPEND);
  if (!file.locked()) {
    throw Error(
        fmt::format("{}: cannot write the sweep journal: {}; one sweep at a time can run on a "
                    "journal.",
                    path.string(), file.problem()));
  }
  return file;
}

}  // namespace

JournalWriter::JournalWriter(const std::filesystem::path& dir, const std::string& part,
                             const std::string& fingerprint,
                             const std::vector<std::string>& indicators)
    : file_(open_part(dir, part)) {
  const std::filesystem::path& path = file_.path();
  const std::string header = header_line(fingerprint, indicators);
  std::string existing;
  {
    std::ifstream in(path, std::ios::binary);
    existing.assign(std::istreambuf_iterator<char>(in), {});
  }
  // A kill while the header was written leaves a prefix of it and no newline: start over.
  const bool torn_header =
      !existing.empty() && existing.find('\n') == std::string::npos && header.starts_with(existing);
  if (torn_header) existing.clear();
  if (!existing.empty() && existing.substr(0, existing.find('\n')) != header) {
    throw Error(fmt::format(
        "{}: this journal belongs to another sweep (its file, seed or "
        "indicators differ); sweep --fresh moves it aside, or choose another output file.",
        path.string()));
  }
  const auto fail = [&] {
    throw Error(fmt::format("{}: cannot write the sweep journal: {}.", path.string(),
                            std::strerror(errno)));
  };
  if (torn_header && ::ftruncate(file_.fd(), 0) != 0) fail();
  std::string start;
  if (existing.empty()) {
    start = header + "\n";
  } else if (existing.back() != '\n') {
    start = "\n";  // ends a line torn by a kill, so the next entry starts on its own line
  }
  if (!start.empty()) {
    if (::write(file_.fd(), start.data(), start.size()) != static_cast<ssize_t>(start.size()) ||
        ::fsync(file_.fd()) != 0) {
      fail();
    }
    // The directory entry of a new file must be durable too.
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
      ::fsync(dir_fd);
      ::close(dir_fd);
    }
  }
}

void JournalWriter::append(const JournalEntry& e) {
  std::string line = fmt::format("R {} {} {} {}", e.row, e.done ? "d" : "f", bits(e.run_seconds),
                                 e.indicators.size());
  for (double x : e.indicators) line += ' ' + bits(x);
  line += ' ' + escape(e.error);
  line += fmt::format(" {:016x}\n", fnv1a(line));
  // One write() of the whole line: a kill leaves either nothing or a prefix of it.
  const ssize_t written = ::write(file_.fd(), line.data(), line.size());
  if (written != static_cast<ssize_t>(line.size()) || ::fdatasync(file_.fd()) != 0) {
    throw Error(fmt::format("{}: cannot write the sweep journal: {}.", file_.path().string(),
                            std::strerror(errno)));
  }
}

std::map<uint64_t, JournalEntry> read_journal(const std::filesystem::path& dir,
                                              const std::string& fingerprint,
                                              const std::vector<std::string>& indicators,
                                              uint64_t* duplicates) {
  std::map<uint64_t, JournalEntry> entries;
  if (duplicates != nullptr) *duplicates = 0;
  if (!std::filesystem::is_directory(dir)) return entries;
  std::vector<std::filesystem::path> parts;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    if (file.path().extension() == ".log") parts.push_back(file.path());
  }
  std::sort(parts.begin(), parts.end());
  const std::string header = header_line(fingerprint, indicators);
  for (const auto& part : parts) {
    check_journal_part(part);
    std::ifstream in(part, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    size_t start = 0;
    bool first = true;
    while (start < text.size()) {
      const size_t end = text.find('\n', start);
      if (end == std::string::npos) break;  // torn last line
      const std::string line = text.substr(start, end - start);
      start = end + 1;
      if (first) {
        first = false;
        if (line != header) {
          throw Error(fmt::format(
              "{}: this journal belongs to another sweep (its file, seed or "
              "indicators differ); sweep --fresh moves it aside, or choose another output file.",
              part.string()));
        }
        continue;
      }
      JournalEntry e;
      if (!parse_entry(line, indicators.size(), e)) continue;
      if (!entries.emplace(e.row, e).second && duplicates != nullptr) ++*duplicates;
    }
  }
  return entries;
}

bool journal_of_another_sweep(const std::filesystem::path& dir, const std::string& fingerprint,
                              const std::vector<std::string>& indicators) {
  if (!std::filesystem::is_directory(dir)) return false;
  const std::string header = header_line(fingerprint, indicators);
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    if (file.path().extension() != ".log") continue;
    check_journal_part(file.path());
    std::ifstream in(file.path(), std::ios::binary);
    std::string first;
    if (std::getline(in, first) && !in.eof() && first != header) return true;
  }
  return false;
}

uint64_t count_journal_lines(const std::filesystem::path& dir) {
  uint64_t n = 0;
  if (!std::filesystem::is_directory(dir)) return 0;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    if (file.path().extension() != ".log") continue;
    check_journal_part(file.path());
    std::ifstream in(file.path());
    std::string line;
    while (std::getline(in, line)) n += line.starts_with("R ") ? 1 : 0;
  }
  return n;
}

}  // namespace gpumarket
