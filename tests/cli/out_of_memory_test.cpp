// A failed allocation reaches the user as a message naming the phase, not a bare
// std::bad_alloc: the command runs in a child process whose address space is capped.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>

#include "gpumarket/cli/commands.hpp"
#include "gpumarket/sweep/sweep_runner.hpp"
#include "gpumarket/sweep/sweep_spec.hpp"
#include "support/temp_dir.hpp"

namespace gpumarket {
namespace {

// Calls `work` in a child limited to `bytes` of address space; returns the message it gives
// (what it returns, or what it throws).
std::string error_in_child(const std::function<std::string()>& work, rlim_t bytes) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "pipe failed";
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    const rlimit limit{bytes, bytes};
    ::setrlimit(RLIMIT_AS, &limit);
    std::string message;
    try {
      message = work();
    } catch (const std::exception& error) {
      message = error.what();
    }
    (void)!::write(pipe_fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  ssize_t n = 0;
  while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0) {
    message.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return message;
}

TEST(OutOfMemory, DuringSetupNamesThePhase) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves more address space than the cap";
#endif
  testing::TempDir dir;
  RunCommand command;
  command.scenario_path = GPUMARKET_SOURCE_DIR "/scenarios/mmc.yaml";
  command.output_path = (dir / "out.h5").string();
  // 5e7 addresses: ~2 GB of alias tables, far beyond the cap; lifted past the limits' check.
  command.overrides = {"segments.jobs.addresses={count: 50000000}", "horizon=10h", "warmup=1h"};
  command.limits.allow_large = true;
  constexpr rlim_t kCap = 1ull << 30;  // 1 GiB: the program and a small scenario fit
  const std::string message = error_in_child(
      [&] {
        run_scenario_command(command);
        return std::string("no error");
      },
      kCap);
  EXPECT_EQ(message.rfind("out of memory while setting up " + command.scenario_path, 0), 0u)
      << message;
}

// Sweeps, ensembles, explain and calibrate run their scenarios as sweep rows: a row that runs
// out of memory records the phase and the row in its error.
TEST(OutOfMemory, InASweepRowNamesThePhaseAndTheRow) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves more address space than the cap";
#endif
  const std::string path = "/nonexistent/huge.sweep.yaml";  // base given inline: not read
  const SweepSpec spec = decode_sweep(
      "base:\n  extends: " GPUMARKET_SOURCE_DIR
      "/scenarios/mmc.yaml\n"
      "  horizon: 10h\n  warmup: 1h\n"
      "  segments: [{name: jobs, addresses: {count: 1000}}]\n"
      "axes:\n  - {name: count, path: segments.jobs.addresses.count, values: [50000000]}\n",
      path);
  ASSERT_EQ(spec.row_count(), 1u);
  constexpr rlim_t kCap = 1ull << 30;
  const std::string message = error_in_child(
      [&] {
        const JournalEntry entry = run_sweep_row(spec, spec.row(0), {}, {});
        return entry.done ? std::string("no error") : entry.error;
      },
      kCap);
  EXPECT_EQ(message.rfind("out of memory while setting up row 0 of " + path, 0), 0u) << message;
}

}  // namespace
}  // namespace gpumarket
