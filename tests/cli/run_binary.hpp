// Runs the real gpumarket executable in a child process, for tests of its command
// line: arguments go to execv unquoted, stdout and stderr are captured to files.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace gpumarket::testing {

struct ProcessResult {
  int exit_code = -1;   // when the child exited normally
  int term_signal = 0;  // when a signal ended it
  std::string out;
  std::string err;
  bool succeeded() const { return term_signal == 0 && exit_code == 0; }
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The non-empty lines of `text`, e.g. of a captured stderr.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  for (const char ch : text) {
    if (ch == '\n') {
      if (!line.empty()) lines.push_back(line);
      line.clear();
    } else {
      line += ch;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

/// Runs GPUMARKET_BINARY with `args` in the directory `cwd`. `while_running`, if
/// given, is called with the child's pid before waiting for it (e.g. to signal it).
inline ProcessResult run_gpumarket(const std::vector<std::string>& args,
                                   const std::filesystem::path& cwd,
                                   const std::function<void(pid_t)>& while_running = {}) {
  const TempDir capture;
  const std::string out_path = (capture / "stdout").string();
  const std::string err_path = (capture / "stderr").string();
  std::vector<std::string> argv_storage{GPUMARKET_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(argv_storage.size() + 1);
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Child: only async-signal-safe calls until execv.
    const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out_fd < 0 || err_fd < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
        dup2(err_fd, STDERR_FILENO) < 0 || chdir(cwd.c_str()) != 0) {
      _exit(126);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  if (while_running) while_running(pid);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ProcessResult result;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  result.out = read_text(out_path);
  result.err = read_text(err_path);
  return result;
}

/// The path of scenarios/mmc.yaml, the small scenario the CLI tests run.
inline std::string mmc_path() {
  return (std::filesystem::path(GPUMARKET_SOURCE_DIR) / "scenarios" / "mmc.yaml").string();
}

}  // namespace gpumarket::testing
