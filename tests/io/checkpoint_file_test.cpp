#include "gpumarket/io/checkpoint_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "gpumarket/core/error.hpp"

namespace gpumarket {
namespace {

namespace fs = std::filesystem;

class CheckpointFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gpumarket_checkpoint_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static CheckpointHeader header() { return {"1.2.3", 0x1234abcdULL, 3'600'000'000, "2026-06-01"}; }
  static std::string bytes_of(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  static void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }
  // The message read_checkpoint_file throws for `path`, or "" when it reads.
  static std::string read_error(const fs::path& path) {
    try {
      read_checkpoint_file(path);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

TEST_F(CheckpointFileTest, ReadsBackWhatWasWrittenAndLeavesNoPartialFile) {
  const fs::path path = dir_ / "run.checkpoint";
  std::string payload(100000, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7);
  write_checkpoint_file(path, header(), payload);
  EXPECT_FALSE(fs::exists(path.string() + ".partial"));
  const CheckpointFile file = read_checkpoint_file(path);
  EXPECT_EQ(file.header.program_version, "1.2.3");
  EXPECT_EQ(file.header.scenario_prefix_hash, 0x1234abcdULL);
  EXPECT_EQ(file.header.at_micros, 3'600'000'000);
  EXPECT_EQ(file.header.at_text, "2026-06-01");
  EXPECT_EQ(file.payload, payload);
  EXPECT_NO_THROW(check_checkpoint_matches(path, file.header, header()));
}

TEST_F(CheckpointFileTest, EveryTruncationIsAClearError) {
  const fs::path path = dir_ / "run.checkpoint";
  write_checkpoint_file(path, header(), "some state");
  const std::string bytes = bytes_of(path);
  for (size_t size = 0; size < bytes.size(); ++size) {
    write_bytes(path, bytes.substr(0, size));
    const std::string message = read_error(path);
    ASSERT_NE(message, "") << size;
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  }
}

TEST_F(CheckpointFileTest, EveryFlippedByteIsAClearError) {
  const fs::path path = dir_ / "run.checkpoint";
  write_checkpoint_file(path, header(), "some state");
  const std::string bytes = bytes_of(path);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x10);
    write_bytes(path, damaged);
    EXPECT_NE(read_error(path), "") << "byte " << i;
  }
  write_bytes(path, bytes.substr(0, 20) + "x" + bytes.substr(20));
  EXPECT_NE(read_error(path), "");
}

TEST_F(CheckpointFileTest, AnotherFileOrFormatIsNamed) {
  const fs::path path = dir_ / "not.checkpoint";
  write_bytes(path, "name: a scenario\n");
  EXPECT_NE(read_error(path).find("is not a gpumarket checkpoint"), std::string::npos);
  EXPECT_NE(read_error(dir_ / "missing").find("cannot read checkpoint"), std::string::npos);
  EXPECT_NE(read_error(dir_).find("not a regular file"), std::string::npos);
  write_checkpoint_file(path, header(), "state");
  std::string bytes = bytes_of(path);
  bytes[8] = 2;  // the format version's low byte
  write_bytes(path, bytes);
  EXPECT_NE(read_error(path).find("format version is 2"), std::string::npos) << read_error(path);
}

TEST_F(CheckpointFileTest, AnotherVersionDateOrScenarioIsRefused) {
  const fs::path path = dir_ / "run.checkpoint";
  auto refusal = [&path](const CheckpointHeader& found) {
    try {
      check_checkpoint_matches(path, found, header());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CheckpointHeader other = header();
  other.program_version = "1.2.2";
  EXPECT_NE(refusal(other).find("written by gpumarket 1.2.2"), std::string::npos);
  other = header();
  other.at_micros += 1;
  other.at_text = "2026-06-02";
  EXPECT_NE(refusal(other).find("holds the state at 2026-06-02"), std::string::npos);
  other = header();
  other.scenario_prefix_hash ^= 1;
  EXPECT_NE(refusal(other).find("another scenario"), std::string::npos);
}

TEST_F(CheckpointFileTest, AnUnwritableDirectoryIsNamedAndNothingIsLeft) {
  const fs::path path = dir_ / "no_such_dir" / "run.checkpoint";
  try {
    write_checkpoint_file(path, header(), "state");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write checkpoint"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace gpumarket
