#include "input/file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "input/input_error.hpp"

namespace deploysim::input {
namespace {

namespace fs = std::filesystem;

// A private directory per test process, removed afterwards.
class ReadTextFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("deploysim-file-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    set_max_input_bytes(0);
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    EXPECT_TRUE(out) << "cannot write " << path;
    return path;
  }
  fs::path dir_;
};

// The single problem of the InputError that read_text_file(file) throws.
InputProblem refusal(const std::string& file) {
  try {
    read_text_file(file);
  } catch (const InputError& error) {
    EXPECT_EQ(error.problems().size(), 1u);
    return error.problems().front();
  }
  ADD_FAILURE() << file << " was read";
  return {};
}

TEST_F(ReadTextFile, ReadsARegularFileByteForByte) {
  const std::string text = std::string("line 1\r\nline 2\n\0tail", 20) + "\xc3\xa9";
  const auto path = write("a.json", text);
  EXPECT_EQ(read_text_file(path.string()), text);
  EXPECT_EQ(read_text_file(write("empty.json", "").string()), "");
}

TEST_F(ReadTextFile, ReadsLargerThanOneBufferWhole) {
  std::string text(200'000, 'x');
  text[65'535] = 'a';
  text[65'536] = 'b';
  text.back() = 'z';
  EXPECT_EQ(read_text_file(write("big.txt", text).string()), text);
}

TEST_F(ReadTextFile, DashReadsStandardInput) {
  const auto path = write("stdin.json", "{\"from\": \"stdin\"}\n");
  ASSERT_NE(std::freopen(path.c_str(), "rb", stdin), nullptr);
  EXPECT_EQ(read_text_file("-"), "{\"from\": \"stdin\"}\n");
}

TEST_F(ReadTextFile, MissingFileNamesTheFileAndTheReason) {
  const auto path = (dir_ / "absent.json").string();
  const auto problem = refusal(path);
  EXPECT_EQ(problem.file, path);
  EXPECT_EQ(problem.detail, "cannot read file: No such file or directory");
}

TEST_F(ReadTextFile, RefusesADirectory) {
  const auto problem = refusal(dir_.string());
  EXPECT_EQ(problem.file, dir_.string());
  EXPECT_EQ(problem.detail, "cannot read file: it is a directory");
}

TEST_F(ReadTextFile, RefusesAFifoWithoutWaitingForAWriter) {
  // Opening a FIFO with no writer blocks forever; refusing it by type must come first.
  const auto path = (dir_ / "pipe").string();
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  EXPECT_EQ(refusal(path).detail, "cannot read file: it is a FIFO (named pipe)");
}

TEST_F(ReadTextFile, RefusesDevZeroByTypeAndThroughALink) {
  ASSERT_TRUE(fs::exists("/dev/zero"));
  EXPECT_EQ(refusal("/dev/zero").detail, "cannot read file: it is a character device");
  const auto link = dir_ / "zero.json";
  fs::create_symlink("/dev/zero", link);
  EXPECT_EQ(refusal(link.string()).detail, "cannot read file: it is a character device");
}

TEST_F(ReadTextFile, SizeLimitAllowsExactlyTheLimit) {
  EXPECT_EQ(max_input_bytes(), kDefaultMaxInputBytes);
  EXPECT_EQ(kDefaultMaxInputBytes, 268'435'456u);
  set_max_input_bytes(10);
  EXPECT_EQ(max_input_bytes(), 10u);
  EXPECT_EQ(read_text_file(write("ten", "0123456789").string()), "0123456789");
  const auto eleven = write("eleven", "0123456789A").string();
  EXPECT_EQ(refusal(eleven).detail,
            "cannot read file: it is larger than the input limit of 10 bytes");
  set_max_input_bytes(1u << 20);
  EXPECT_EQ(read_text_file(eleven), "0123456789A");
  set_max_input_bytes(0);
  EXPECT_EQ(max_input_bytes(), kDefaultMaxInputBytes);
}

TEST_F(ReadTextFile, SizeLimitAppliesToStandardInputWhileReading) {
  // A pipe has no size up front, so the limit is enforced on the bytes read.
  const auto path = write("stdin.txt", "12345");
  ASSERT_NE(std::freopen(path.c_str(), "rb", stdin), nullptr);
  set_max_input_bytes(4);
  const auto problem = refusal("-");
  EXPECT_EQ(problem.file, "-");
  EXPECT_EQ(problem.detail, "cannot read file: it is larger than the input limit of 4 bytes");
}

TEST_F(ReadTextFile, SizeLimitInMebibytesIsNamedSo) {
  set_max_input_bytes(1u << 20);
  const auto path = write("big", std::string((1u << 20) + 1, 'x')).string();
  EXPECT_EQ(refusal(path).detail, "cannot read file: it is larger than the input limit of 1 MiB");
}

}  // namespace
}  // namespace deploysim::input
