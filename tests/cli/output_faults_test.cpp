// Faults in writing the output, through the real executable: a full disk (or a write that
// fails for another reason), an output file another gpumarket process is writing, and an
// output path that names one of the inputs.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "run_binary.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::mmc_path;
using gpumarket::testing::ProcessResult;
using gpumarket::testing::read_text;
using gpumarket::testing::run_gpumarket;
using gpumarket::testing::TempDir;
namespace fs = std::filesystem;

// A sweep of six rows over a shortened mmc; its result file is about 10 KiB.
std::string sweep_text() {
  return "base:\n  extends: " GPUMARKET_SOURCE_DIR
         "/scenarios/mmc.yaml\n  horizon: 300h\n  warmup: 20h\n"
         "replications: 3\nindicators: [mean_wait_h]\naxes:\n"
         "  - {name: servers, path: venues.farm.servers, values: [3, 4]}\n";
}

// Every file below `dir`, for messages: what a failed command left behind.
std::vector<std::string> files_below(const fs::path& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir).string());
  }
  return files;
}

bool any_partial(const fs::path& dir) {
  for (const std::string& file : files_below(dir)) {
    if (file.ends_with(".partial")) return true;
  }
  return false;
}

// Limits the size of every file the child writes (fork and exec keep the limit) to `bytes`,
// with SIGXFSZ ignored so that a write beyond it fails with EFBIG instead of killing the
// process: a failing write that needs no privileges and no filesystem of its own.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) : saved_handler_(std::signal(SIGXFSZ, SIG_IGN)) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    const rlimit limit{bytes, saved_.rlim_max};
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, saved_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  void (*saved_handler_)(int);
  rlimit saved_{};
};

// A 2 MiB tmpfs, the disk that fills up; mounting needs root (CAP_SYS_ADMIN).
class SmallDisk {
 public:
  SmallDisk() : mounted_(mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, "size=2m") == 0) {}
  ~SmallDisk() {
    if (mounted_) umount2(dir_.path().c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool mounted() const { return mounted_; }
  const fs::path& path() const { return dir_.path(); }
  /// Fills the disk up to `free_bytes`, with a file of zeros.
  void fill(size_t free_bytes) const {
    const fs::space_info space = fs::space(path());
    std::ofstream(path() / "filler", std::ios::binary)
        << std::string(space.available - free_bytes, '\0');
  }

 private:
  TempDir dir_;
  bool mounted_;
};

void expect_clean_failure(const ProcessResult& r, const fs::path& output, const std::string& why,
                          const fs::path& dir) {
  EXPECT_EQ(r.term_signal, 0) << "the process crashed: " << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(output.string() + ": cannot write"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("directory"), std::string::npos) << "blames the directory: " << r.err;
  EXPECT_FALSE(fs::exists(output));
  EXPECT_FALSE(any_partial(dir)) << ::testing::PrintToString(files_below(dir));
}

TEST(OutputFaults, AFailingWriteEndsARunWithExit1AndTheSystemsReason) {
  const TempDir dir;
  const fs::path output = dir / "out.h5";
  ProcessResult r;
  {
    const FileSizeLimit limit(rlim_t{256} * 1024);  // mmc writes 1.1 MB
    r = run_gpumarket({"run", mmc_path(), "-o", output.string(), "-q"}, dir.path());
  }
  expect_clean_failure(r, output, "File too large: the file size limit is reached", dir.path());
}

TEST(OutputFaults, AFailingWriteOfASweepResultLeavesNoPartialFile) {
  const TempDir dir;
  dir.write("sweep.yaml", sweep_text());
  const fs::path output = dir / "sweep.h5";
  ProcessResult r;
  {
    const FileSizeLimit limit(rlim_t{4} * 1024);  // the journal stays below, the result does not
    r = run_gpumarket({"sweep", "sweep.yaml", "-o", output.string(), "-q", "--threads", "1"},
                      dir.path());
  }
  expect_clean_failure(r, output, "File too large: the file size limit is reached", dir.path());
  // The rows are journalled: once there is room, the sweep resumes without running them again.
  const ProcessResult resumed =
      run_gpumarket({"sweep", "sweep.yaml", "-o", output.string(), "--threads", "1"}, dir.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("ran 0 now (6 skipped)"), std::string::npos) << resumed.err;
}

TEST(OutputFaults, AFullDiskEndsARunWithExit1NamingTheFullDisk) {
  const SmallDisk disk;
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  const fs::path output = disk.path() / "out.h5";
  const ProcessResult r =
      run_gpumarket({"run", mmc_path(), "-o", output.string(), "-q", "--set", "horizon=60000h"},
                    disk.path());  // about 3.5 MB
  expect_clean_failure(r, output, "No space left on device: the disk is full", disk.path());
}

TEST(OutputFaults, AFullDiskEndsASweepWithExit1NamingTheFullDisk) {
  const SmallDisk disk;
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  const TempDir dir;
  dir.write("sweep.yaml", sweep_text());
  disk.fill(size_t{8} * 1024);
  const fs::path output = disk.path() / "sweep.h5";
  const ProcessResult r = run_gpumarket(
      {"sweep", "sweep.yaml", "-o", output.string(), "-q", "--threads", "1"}, dir.path());
  EXPECT_EQ(r.term_signal, 0) << "the process crashed: " << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("No space left on device: the disk is full"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("directory"), std::string::npos) << "blames the directory: " << r.err;
  EXPECT_FALSE(fs::exists(output));
  EXPECT_FALSE(any_partial(disk.path())) << ::testing::PrintToString(files_below(disk.path()));
}

TEST(OutputFaults, ASecondRunToTheSameOutputFailsNamingTheFirstAndLeavesItsFile) {
  const TempDir dir;
  const std::vector<std::string> run = {"run",   mmc_path(),       "-o", "out.h5", "-q",
                                        "--set", "horizon=400000h"};
  ProcessResult second;
  const ProcessResult first = run_gpumarket(run, dir.path(), [&](pid_t) {
    // The first run holds out.h5.partial from its start until it publishes out.h5.
    while (!fs::exists(dir / "out.h5.partial")) usleep(1000);
    second = run_gpumarket(run, dir.path());
  });
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(second.err.find("out.h5: cannot write the output file: another gpumarket process is "
                            "writing 'out.h5.partial'"),
            std::string::npos)
      << second.err;
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(fs::exists(dir / "out.h5"));
  EXPECT_FALSE(fs::exists(dir / "out.h5.partial"));
}

TEST(OutputFaults, AnOutputThatIsTheScenarioIsAUsageErrorAndWritesNothing) {
  const TempDir dir;
  const std::string scenario = read_text(mmc_path());
  dir.write("mmc.yaml", scenario);
  fs::create_symlink(dir / "mmc.yaml", dir / "link.yaml");
  dir.write("child.yaml", "extends: mmc.yaml\nhorizon: 300h\n");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"run", "mmc.yaml", "-o", "mmc.yaml"},
       "-o mmc.yaml: the output would overwrite the scenario 'mmc.yaml'"},
      {{"run", "mmc.yaml", "-o", "./sub/../link.yaml"},
       "-o ./sub/../link.yaml: the output would overwrite the scenario 'mmc.yaml'"},
      {{"run", "link.yaml", "-o", dir.path().string() + "/mmc.yaml"},
       "the output would overwrite the scenario 'link.yaml'"},
      {{"run", "child.yaml", "-o", "mmc.yaml"},
       "-o mmc.yaml: the output would overwrite the base file 'mmc.yaml'"},
  };
  for (const Case& c : cases) {
    const ProcessResult r = run_gpumarket(c.args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << c.args[3] << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(read_text(dir / "mmc.yaml"), scenario) << c.args[3];
    EXPECT_FALSE(fs::exists(dir / "mmc.yaml.partial"));
  }
}

TEST(OutputFaults, ASweepOutputThatIsAnInputIsAUsageErrorAndWritesNothing) {
  const TempDir dir;
  const std::string scenario = read_text(mmc_path());
  dir.write("mmc.yaml", scenario);
  const std::string sweep =
      "base:\n  extends: mmc.yaml\n  horizon: 300h\n  warmup: 20h\n"
      "indicators: [mean_wait_h]\naxes:\n"
      "  - {name: servers, path: venues.farm.servers, values: [3, 4]}\n";
  dir.write("sweep.yaml", sweep);
  const ProcessResult to_sweep =
      run_gpumarket({"sweep", "sweep.yaml", "-o", "./sweep.yaml"}, dir.path());
  EXPECT_EQ(to_sweep.exit_code, 2) << to_sweep.err;
  EXPECT_NE(
      to_sweep.err.find("-o ./sweep.yaml: the output would overwrite the sweep file 'sweep.yaml'"),
      std::string::npos)
      << to_sweep.err;
  const ProcessResult to_base =
      run_gpumarket({"sweep", "sweep.yaml", "-o", "mmc.yaml"}, dir.path());
  EXPECT_EQ(to_base.exit_code, 2) << to_base.err;
  EXPECT_NE(
      to_base.err.find("-o mmc.yaml: the output would overwrite the base scenario 'mmc.yaml'"),
      std::string::npos)
      << to_base.err;
  EXPECT_EQ(read_text(dir / "sweep.yaml"), sweep);
  EXPECT_EQ(read_text(dir / "mmc.yaml"), scenario);
  EXPECT_FALSE(fs::exists(dir / "mmc.yaml.journal"));
  EXPECT_FALSE(fs::exists(dir / "sweep.yaml.journal"));
}

}  // namespace
}  // namespace gpumarket
