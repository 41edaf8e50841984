#include "run_command.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "files.hpp"

namespace deploysim::testing {

CommandResult run_deploysim(const std::string& args) {
  return run_deploysim_in("", args);
}

CommandResult run_deploysim_in(const std::string& directory, const std::string& args) {
  static int counter = 0;
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("deploysim-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  const auto out_file = dir / "out";
  const auto err_file = dir / "err";
  const std::string command = (directory.empty() ? "" : "cd '" + directory + "' && ") + "'" +
                              DEPLOYSIM_BINARY + "' " + args + " >'" + out_file.string() + "' 2>'" +
                              err_file.string() + "' </dev/null";
  const int status = std::system(command.c_str());
  CommandResult result;
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else {
    result.exit_code = 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  }
  result.out = testing::read_file_text(out_file);
  result.err = testing::read_file_text(err_file);
  std::filesystem::remove_all(dir);
  return result;
}

}  // namespace deploysim::testing
