#include "input/file.hpp"

#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

#include "input/input_error.hpp"

namespace deploysim::input {

namespace {

std::atomic<std::uint64_t> g_max_input_bytes{kDefaultMaxInputBytes};

[[noreturn]] void fail(const std::string& file, const std::string& reason) {
  throw InputError(InputProblem{.file = file, .detail = "cannot read file: " + reason});
}

// What a path is when it is not a regular file, for the message.
std::string kind_of(const struct stat& status) {
  if (S_ISDIR(status.st_mode)) return "it is a directory";
  if (S_ISFIFO(status.st_mode)) return "it is a FIFO (named pipe)";
  if (S_ISCHR(status.st_mode)) return "it is a character device";
  if (S_ISBLK(status.st_mode)) return "it is a block device";
  if (S_ISSOCK(status.st_mode)) return "it is a socket";
  return "it is not a regular file";
}

std::string size_text(std::uint64_t bytes) {
  if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::string read_stream(std::FILE* stream, const std::string& file) {
  const std::uint64_t limit = max_input_bytes();
  std::string text;
  char buffer[1 << 16];
  std::size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, stream)) > 0) {
    if (text.size() + count > limit) {
      fail(file, "it is larger than the input limit of " + size_text(limit));
    }
    text.append(buffer, count);
  }
  if (std::ferror(stream)) fail(file, std::generic_category().message(errno));
  return text;
}

}  // namespace

std::uint64_t max_input_bytes() {
  return g_max_input_bytes.load(std::memory_order_relaxed);
}

void set_max_input_bytes(std::uint64_t bytes) {
  g_max_input_bytes.store(bytes == 0 ? kDefaultMaxInputBytes : bytes, std::memory_order_relaxed);
}

std::string read_text_file(const std::string& file) {
  if (file == "-") return read_stream(stdin, file);
  struct stat status {};
  // stat follows links, so a link to /dev/zero is refused as the device it names.
  if (::stat(file.c_str(), &status) != 0) fail(file, std::generic_category().message(errno));
  if (!S_ISREG(status.st_mode)) fail(file, kind_of(status));
  if (static_cast<std::uint64_t>(status.st_size) > max_input_bytes()) {
    fail(file, "it is larger than the input limit of " + size_text(max_input_bytes()));
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> handle(std::fopen(file.c_str(), "rb"),
                                                         &std::fclose);
  if (!handle) fail(file, std::generic_category().message(errno));
  return read_stream(handle.get(), file);
}

}  // namespace deploysim::input
