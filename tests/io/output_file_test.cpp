#include "io/output_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace deploysim::io {
namespace {

namespace fs = std::filesystem;

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("deploysim-output-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // Every name in the directory: a temporary file left behind shows here.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      out.push_back(entry.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path dir_;
};

TEST_F(OutputFileTest, WritesUnderATemporaryNameAndRenamesOnCommit) {
  const auto path = dir_ / "result.csv";
  OutputFile file(path.string());
  file.stream() << "a,b\n1,2\n";
  EXPECT_FALSE(fs::exists(path));  // not there until it is complete
  EXPECT_EQ(names().size(), 1u);
  file.commit();
  EXPECT_EQ(read(path), "a,b\n1,2\n");
  EXPECT_EQ(names(), std::vector<std::string>{"result.csv"});
}

TEST_F(OutputFileTest, AFileNeverCommittedLeavesThePreviousOneAndNoTemporary) {
  const auto path = dir_ / "report.json";
  write_output_file(path.string(), [](std::ostream& out) { out << "old and good\n"; });
  {
    OutputFile file(path.string());
    file.stream() << "half of a new";
  }
  EXPECT_EQ(read(path), "old and good\n");
  EXPECT_EQ(names(), std::vector<std::string>{"report.json"});
}

TEST_F(OutputFileTest, AFullDeviceFailsTheCommitNamingTheFile) {
  OutputFile file("/dev/full");
  file.stream() << "anything\n";
  try {
    file.commit();
    FAIL() << "a write to /dev/full succeeded";
  } catch (const OutputError& error) {
    EXPECT_EQ(error.file(), "/dev/full");
    EXPECT_EQ(std::string(error.what()), "/dev/full: cannot write: No space left on device");
  }
}

TEST_F(OutputFileTest, ALinkToADeviceIsWrittenThroughDirectly) {
  const auto link = dir_ / "trace.jsonl";
  fs::create_symlink("/dev/full", link);
  OutputFile file(link.string());
  file.stream() << "x\n";
  EXPECT_THROW(file.commit(), OutputError);
  EXPECT_TRUE(fs::is_symlink(link));
}

TEST_F(OutputFileTest, RefusesAMissingDirectoryAndADirectoryBeforeAnyWork) {
  const auto missing = (dir_ / "no-such-dir" / "out.csv").string();
  try {
    OutputFile file(missing);
    FAIL() << "opened " << missing;
  } catch (const OutputError& error) {
    EXPECT_EQ(std::string(error.what()),
              missing + ": cannot open for writing: No such file or directory");
  }
  EXPECT_THROW(OutputFile(dir_.string()), OutputError);
  EXPECT_THROW(OutputFile(""), OutputError);
}

TEST_F(OutputFileTest, AReplacedFileKeepsItsPermissionsAndALinkStaysALink) {
  const auto target = dir_ / "baseline.json";
  write_output_file(target.string(), [](std::ostream& out) { out << "1\n"; });
  fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write);
  const auto link = dir_ / "link.json";
  fs::create_symlink(target, link);
  write_output_file(link.string(), [](std::ostream& out) { out << "2\n"; });
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read(target), "2\n");
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(OutputFileTest, RepairsInvalidUtf8OnTheWayOut) {
  const auto path = dir_ / "names.csv";
  write_output_file(path.string(), [](std::ostream& out) { out << "host-\xFF\n"; });
  EXPECT_EQ(read(path), "host-\xEF\xBF\xBD\n");
}

}  // namespace
}  // namespace deploysim::io
