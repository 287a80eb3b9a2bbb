// What `gpumarket run` writes besides its results: progress on a terminal and on a stderr
// that is not one, and the directories of its output file.
#include <gtest/gtest.h>
#include <pty.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include "run_binary.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::mmc_path;
using gpumarket::testing::ProcessResult;
using gpumarket::testing::run_gpumarket;
using gpumarket::testing::TempDir;
namespace fs = std::filesystem;

size_t count_of(const std::string& text, const std::string& word) {
  size_t n = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

// Runs mmc for long enough (about half a second) to print several lines at a short interval.
const std::vector<std::string> kLongRun = {"run",    mmc_path(), "-o",
                                           "out.h5", "--set",    "horizon=400000h"};

// Runs GPUMARKET_BINARY with stdout and stderr on a pseudo-terminal in `cwd`; returns what
// it printed, or "exit <code>" when it failed.
std::string run_on_terminal(std::vector<std::string> args, const fs::path& cwd) {
  args.insert(args.begin(), GPUMARKET_BINARY);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int terminal = -1;
  const pid_t pid = forkpty(&terminal, nullptr, nullptr, nullptr);
  if (pid < 0) return "forkpty failed";
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  std::string out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(terminal, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;  // EIO once the child has closed the terminal
    }
  }
  close(terminal);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "exit " + std::to_string(status);
  return out;
}

TEST(CliProgress, RedrawsABarOnATerminal) {
  const TempDir dir;
  const std::string out = run_on_terminal(kLongRun, dir.path());
  // Redrawn in place: carriage returns, no status lines; then the bar's line ends at 100 %.
  EXPECT_GE(count_of(out, "\r["), 2u) << out;
  EXPECT_EQ(count_of(out, "gpumarket: " + mmc_path()), 0u) << out;
  EXPECT_NE(out.find("] 100.0% at "), std::string::npos) << out;
  for (const char* part : {"s elapsed, ETA ", " events/s"}) {
    EXPECT_NE(out.find(part), std::string::npos) << part << " in: " << out;
  }
  std::vector<std::string> quiet = kLongRun;
  quiet.emplace_back("-q");
  EXPECT_EQ(run_on_terminal(quiet, dir.path()), "");
}

TEST(CliProgress, PrintsStatusLinesWhenStderrIsNotATerminal) {
  const TempDir dir;
  std::vector<std::string> args = kLongRun;
  args.insert(args.end(), {"--progress-interval", "0.05"});
  const ProcessResult result = run_gpumarket(args, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_GE(count_of(result.err, "\n"), 2u) << result.err;
  EXPECT_EQ(count_of(result.err, "\r"), 0u) << "no bar off a terminal";
  // "gpumarket: <scenario>: 12.3% at 2027-01-02 03:00, 0.1s elapsed, ETA 0.7s, 2.31M events/s"
  const std::string first = result.err.substr(0, result.err.find('\n'));
  EXPECT_EQ(first.find("gpumarket: " + mmc_path() + ": "), 0u) << first;
  for (const char* part : {"% at 20", ", ", "s elapsed, ETA ", " events/s"}) {
    EXPECT_NE(first.find(part), std::string::npos) << part << " in: " << first;
  }
}

TEST(CliProgress, TheIntervalComesFromTheEnvironmentAndQuietSilencesIt) {
  const TempDir dir;
  setenv("GPUMARKET_PROGRESS_INTERVAL", "0.05", 1);
  const ProcessResult lines = run_gpumarket(kLongRun, dir.path());
  std::vector<std::string> quiet_args = kLongRun;
  quiet_args.emplace_back("-q");
  const ProcessResult quiet = run_gpumarket(quiet_args, dir.path());
  setenv("GPUMARKET_PROGRESS_INTERVAL", "soon", 1);
  const ProcessResult bad = run_gpumarket(kLongRun, dir.path());
  unsetenv("GPUMARKET_PROGRESS_INTERVAL");
  EXPECT_GE(count_of(lines.err, " events/s\n"), 2u) << lines.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("GPUMARKET_PROGRESS_INTERVAL=soon: expected a number of seconds"),
            std::string::npos)
      << bad.err;
}

TEST(CliProgress, PrintsNothingForARunShorterThanTheInterval) {
  const TempDir dir;
  const ProcessResult result =
      run_gpumarket({"run", mmc_path(), "-o", "out.h5", "--set", "horizon=2000h"}, dir.path());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
}

TEST(CliRunOutput, CreatesTheOutputFilesDirectories) {
  const TempDir dir;
  const ProcessResult result = run_gpumarket(
      {"run", mmc_path(), "-o", "new/dir/x.h5", "--set", "horizon=600h", "-q"}, dir.path());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::exists(dir / "new/dir/x.h5"));
}

TEST(CliRunOutput, CreatesNoDirectoryForABadScenario) {
  const TempDir dir;
  const ProcessResult result = run_gpumarket(
      {"run", mmc_path(), "-o", "new/x.h5", "--set", "horizon=-1h", "-q"}, dir.path());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_FALSE(fs::exists(dir / "new"));
}

}  // namespace
}  // namespace gpumarket
