// The sweep journal: an append-only text file per process, one fsync'd line per finished row,
// from which the HDF5 result is rebuilt and a killed sweep resumes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "gpumarket/core/locked_file.hpp"

namespace gpumarket {

/// One finished row. Values are stored as their bit patterns, so a row read back is
/// bit-identical to the row written.
struct JournalEntry {
  uint64_t row = 0;
  bool done = false;  // false: failed, with `error`
  double run_seconds = 0;
  std::vector<double> indicators;
  std::string error;
};

/// Appends entries to "<dir>/<part>.log". The file starts with a header line naming the
/// sweep's fingerprint and indicators; each entry is one line ending with a checksum, written
/// with one write() and fsync'd before append() returns, so that a SIGKILL at any moment loses
/// at most the line being written, which readers then ignore. The writer holds the part's lock
/// (LockedFile) while it lives: a second sweep on the same journal is refused rather than
/// running every row again. Not thread-safe: callers serialise append().
/// The largest journal part read back, so that a part that is not a journal cannot exhaust
/// memory: a row's line is ~20 bytes per indicator, so 4 GiB hold millions of rows.
inline constexpr uintmax_t kMaxJournalPartBytes = 4ull << 30;

class JournalWriter {
 public:
  /// Creates `dir` if needed and opens the part for appending. Throws Error when the directory
  /// or file cannot be created, when another process holds the part, when the part was
  /// written for another sweep, or when it is no regular file or larger than
  /// kMaxJournalPartBytes.
  JournalWriter(const std::filesystem::path& dir, const std::string& part,
                const std::string& fingerprint, const std::vector<std::string>& indicators);

  /// Throws Error when the write or fsync fails (e.g. a full disk).
  void append(const JournalEntry& entry);

 private:
  LockedFile file_;
};

/// Every valid entry of every "*.log" part in `dir` (none when `dir` does not exist), by row;
/// when a row appears more than once, the first entry in (part name, line) order wins and
/// `duplicates` counts the others. Malformed or torn lines are skipped. Throws Error when a
/// part was written for another sweep (fingerprint or indicators differ), and, naming it, when
/// a part is no regular file (checked before it is opened) or is larger than
/// kMaxJournalPartBytes.
std::map<uint64_t, JournalEntry> read_journal(const std::filesystem::path& dir,
                                              const std::string& fingerprint,
                                              const std::vector<std::string>& indicators,
                                              uint64_t* duplicates = nullptr);

/// Whether some part in `dir` was written for another sweep (its header names another
/// fingerprint or other indicators); a torn header is not another sweep's.
bool journal_of_another_sweep(const std::filesystem::path& dir, const std::string& fingerprint,
                              const std::vector<std::string>& indicators);

/// The number of entry lines in all parts, valid or not: one per finished run.
uint64_t count_journal_lines(const std::filesystem::path& dir);

}  // namespace gpumarket
