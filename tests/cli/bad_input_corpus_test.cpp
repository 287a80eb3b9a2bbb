// The corpus of bad input in tests/corpus/, through the real executable: each bad scenario,
// bad sweep file and bad command line fails with its expected, located message as the one
// line on stderr, prints nothing on stdout and writes no file. Adding a case is adding a file
// (bad_scenarios/, bad_sweeps/, bad_calibrations/) or a line (bad_invocations.txt):
// tests/corpus/README.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "run_binary.hpp"

namespace gpumarket {
namespace {

using gpumarket::testing::lines_of;
using gpumarket::testing::ProcessResult;
using gpumarket::testing::read_text;
using gpumarket::testing::run_gpumarket;
using gpumarket::testing::TempDir;
namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(GPUMARKET_SOURCE_DIR) / "tests" / "corpus";
constexpr std::string_view kErrorHeader = "# error: ";
constexpr std::string_view kErrorPrefix = "gpumarket: error: ";

// What every bad input must give: a failure with `exit_code`, nothing on stdout, one message
// (CLI11 adds a line pointing to --help) whose first line contains `expected`, and no file in
// `output_dir`.
void expect_failure(const ProcessResult& result, int exit_code, const std::string& expected,
                    const fs::path& output_dir) {
  EXPECT_EQ(result.term_signal, 0) << result.err;
  EXPECT_EQ(result.exit_code, exit_code) << result.err;
  EXPECT_EQ(result.out, "");
  const std::vector<std::string> lines = lines_of(result.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(lines.size() == 1 ||
              (lines.size() == 2 && lines[1].find("--help") != std::string::npos))
      << result.err;
  EXPECT_NE(lines[0].find(expected), std::string::npos)
      << "expected '" << expected << "' in: " << lines[0];
  EXPECT_TRUE(fs::is_empty(output_dir)) << "a bad input left a file in " << output_dir;
}

// The files of one corpus directory (not its subdirectories, which hold their parents),
// sorted so that failures come in a stable order.
std::vector<fs::path> corpus_files(const std::string& directory) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(kCorpus / directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Runs `command` on each file of `directory`, in that directory, so that messages name files
// as the header does: "# error: <file>:<line>:<col>: <message or its start>".
size_t expect_bad_files(const std::string& directory, const std::string& command) {
  const std::vector<fs::path> files = corpus_files(directory);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    const std::string header = lines_of(read_text(file)).at(0);
    if (header.rfind(kErrorHeader, 0) != 0) {
      ADD_FAILURE() << "the first line must be '# error: <location>: <message>'";
      continue;
    }
    const TempDir out;
    const ProcessResult result =
        run_gpumarket({command, file.filename().string(), "-o", (out / "out.h5").string(), "-q"},
                      file.parent_path());
    expect_failure(result, 1, std::string(kErrorPrefix) + header.substr(kErrorHeader.size()),
                   out.path());
    EXPECT_EQ(lines_of(result.err)[0].rfind(kErrorPrefix, 0), 0u) << result.err;
  }
  return files.size();
}

TEST(BadInputCorpus, EveryBadScenarioFailsWithItsLocatedMessage) {
  EXPECT_GE(expect_bad_files("bad_scenarios", "run"), 40u);
}

TEST(BadInputCorpus, EveryBadSweepFileFailsWithItsLocatedMessage) {
  EXPECT_GE(expect_bad_files("bad_sweeps", "sweep"), 8u);
}

TEST(BadInputCorpus, EveryBadCalibrationFileFailsWithItsLocatedMessage) {
  EXPECT_GE(expect_bad_files("bad_calibrations", "calibrate"), 6u);
}

std::string substituted(std::string text) {
  const std::vector<std::pair<std::string, std::string>> placeholders = {
      {"{scenarios}", (fs::path(GPUMARKET_SOURCE_DIR) / "scenarios").string()},
      {"{corpus}", kCorpus.string()}};
  for (const auto& [name, value] : placeholders) {
    for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at)) {
      text.replace(at, name.size(), value);
      at += value.size();
    }
  }
  return text;
}

// Arguments split at spaces; '...' is one argument with its spaces.
std::vector<std::string> split_arguments(const std::string& text) {
  std::vector<std::string> args;
  size_t at = 0;
  while (at < text.size()) {
    if (text[at] == ' ') {
      ++at;
    } else if (text[at] == '\'') {
      const size_t close = text.find('\'', at + 1);
      if (close == std::string::npos) throw std::runtime_error("unclosed quote in: " + text);
      args.push_back(text.substr(at + 1, close - at - 1));
      at = close + 1;
    } else {
      const size_t end = std::min(text.find(' ', at), text.size());
      args.push_back(text.substr(at, end - at));
      at = end;
    }
  }
  return args;
}

TEST(BadInputCorpus, EveryBadInvocationFailsWithItsMessage) {
  size_t cases = 0;
  for (const std::string& line : lines_of(read_text(kCorpus / "bad_invocations.txt"))) {
    if (line.empty() || line[0] == '#') continue;
    SCOPED_TRACE(line);
    // <name> <exit code>: <arguments> => <expected text>
    const size_t space = line.find(' ');
    const size_t colon = line.find(": ");
    const size_t arrow = line.find(" => ");
    ASSERT_TRUE(space < colon && colon < arrow && arrow != std::string::npos)
        << "expected '<name> <exit code>: <arguments> => <expected text>'";
    const int exit_code = std::stoi(line.substr(space + 1, colon - space - 1));
    const std::vector<std::string> args =
        split_arguments(substituted(line.substr(colon + 2, arrow - colon - 2)));
    const TempDir cwd;
    expect_failure(run_gpumarket(args, cwd.path()), exit_code, substituted(line.substr(arrow + 4)),
                   cwd.path());
    ++cases;
  }
  EXPECT_GE(cases, 20u);
}

}  // namespace
}  // namespace gpumarket
