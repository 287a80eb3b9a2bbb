// The checkpoint file: a run's complete state at a date, as `run --checkpoint-at` writes it and
// `run --from` reads it. The container is fixed here; the payload is the model's serialized
// state. A file names the program that wrote it and the part of the scenario the state depends
// on, and carries a checksum, so that a checkpoint from another version or scenario, or a
// truncated or damaged one, is a clear error rather than a run that silently differs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace gpumarket {

/// What identifies a checkpoint.
struct CheckpointHeader {
  std::string program_version;        // program_version() of the writer
  uint64_t scenario_prefix_hash = 0;  // the scenario in force before `at`, and the seed
  int64_t at_micros = 0;              // simulated time of the state, µs since the start
  std::string at_text;                // the same as a date, for messages
};

struct CheckpointFile {
  CheckpointHeader header;
  std::string payload;
};

/// Writes `header` and `payload` to `path` atomically: into "<path>.partial" under an advisory
/// lock, flushed to disk, then renamed, so that `path` only ever names a complete checkpoint.
/// Throws Error naming the file on any failure (a second writer, a full disk).
void write_checkpoint_file(const std::filesystem::path& path, const CheckpointHeader& header,
                           std::string_view payload);

/// Reads `path` and verifies its container: the magic, the format version, every length and the
/// checksum. Throws Error naming the file and what is wrong.
CheckpointFile read_checkpoint_file(const std::filesystem::path& path);

/// Throws Error naming `path` unless `found` (read from it) was written by this program for a
/// scenario whose history up to the checkpoint matches `expected`.
void check_checkpoint_matches(const std::filesystem::path& path, const CheckpointHeader& found,
                              const CheckpointHeader& expected);

}  // namespace gpumarket
