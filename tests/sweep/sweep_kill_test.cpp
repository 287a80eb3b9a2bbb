// Kills the real `gpumarket sweep` with SIGKILL part-way, resumes it, and compares the result
// with an uninterrupted run: the same points table, no row lost, none run twice.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "gpumarket/sweep/sweep_runner.hpp"
#include "sweep_fixtures.hpp"

namespace gpumarket {
namespace {

using testing::expect_same_table;
using testing::mmc_sweep_text;
using testing::TempDir;

pid_t start_sweep(const std::filesystem::path& file, const std::filesystem::path& output) {
  const pid_t pid = fork();
  if (pid == 0) {
    execl(GPUMARKET_BINARY, GPUMARKET_BINARY, "sweep", file.c_str(), "-o", output.c_str(),
          "--threads", "1", "--quiet", static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

TEST(SweepKill, AKilledSweepResumesToTheUninterruptedResult) {
  TempDir dir;
  const auto file = dir.write(
      "kill.yaml",
      mmc_sweep_text("  - {name: rate, path: segments.jobs.arrival_rate_per_hour, "
                     "range: {from: 1.0, to: 2.8, step: 0.2}}\n"
                     "  - {name: servers, path: venues.farm.servers, values: [3, 4]}\n",
                     "replications: 3\nindicators: [mean_wait_h, utilisation]\n", "3000h"));
  const SweepSpec spec = load_sweep(file.string());
  const uint64_t rows = spec.row_count();
  ASSERT_EQ(rows, 60u);

  ASSERT_EQ(wait_exit(start_sweep(file, dir / "whole.h5")), 0);

  const auto journal = journal_directory(dir / "killed.h5");
  const pid_t pid = start_sweep(file, dir / "killed.h5");
  // Kill once a few rows are journaled. If the machine is so fast that the sweep finishes
  // first, the kill comes too late and the test still checks the resume path.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (count_journal_lines(journal) < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kill(pid, SIGKILL);
  const int killed = wait_exit(pid);
  const uint64_t before = count_journal_lines(journal);
  std::cerr << "killed with " << before << " of " << rows << " rows journaled (exit " << killed
            << ")\n";
  if (killed == -SIGKILL) {
    EXPECT_FALSE(std::filesystem::exists(dir / "killed.h5"));
  }

  ASSERT_EQ(wait_exit(start_sweep(file, dir / "killed.h5")), 0);
  uint64_t duplicates = 0;
  const auto entries =
      read_journal(journal, spec.fingerprint(), sweep_indicators(spec), &duplicates);
  EXPECT_EQ(entries.size(), rows);                    // no row lost
  EXPECT_EQ(duplicates, 0u);                          // none run twice
  EXPECT_LE(count_journal_lines(journal), rows + 1);  // at most one line torn by the kill
  expect_same_table(read_sweep_result(dir / "whole.h5"), read_sweep_result(dir / "killed.h5"));
}

}  // namespace
}  // namespace gpumarket
