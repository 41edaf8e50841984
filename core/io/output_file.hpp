#pragma once
// Writing an output file so that a failure is never silent and never leaves half a file: every
// write, the flush and the close are checked, and a regular file is written under a temporary
// name beside it and renamed into place only when all of it was written. A target that cannot be
// renamed into (a device such as /dev/stdout or /dev/full, a FIFO) is written directly, still
// checked; "-" is standard output. Text passes through input::Utf8Filter on its way out.

#include <functional>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>

#include "input/utf8.hpp"

namespace deploysim::io {

/// An output that could not be written: what() is "FILE: cannot ...: REASON".
class OutputError : public std::runtime_error {
 public:
  OutputError(std::string file, const std::string& message);
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

/// A stream buffer over a file descriptor whose every write is checked (short writes resumed,
/// EINTR retried); the first failure's errno is kept and fails every later write.
class FdBuffer : public std::streambuf {
 public:
  explicit FdBuffer(int fd);
  FdBuffer(const FdBuffer&) = delete;
  FdBuffer& operator=(const FdBuffer&) = delete;
  /// The errno of the first failed write, or 0.
  int error() const { return error_; }
  /// Stops writing to the descriptor (it is about to be closed): later writes fail.
  void detach();

 protected:
  int_type overflow(int_type c) override;
  int sync() override;

 private:
  bool flush_buffer();

  int fd_;
  int error_ = 0;
  char buffer_[1 << 16];
};

/// One output file being written. The constructor opens it (throwing OutputError when it cannot
/// be created, so that a command fails before its work); commit() makes it complete. Destroyed
/// without commit(), it removes the temporary file, and a previous file of that name stays.
class OutputFile {
 public:
  explicit OutputFile(std::string path);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  std::ostream& stream() { return *stream_; }
  const std::string& path() const { return path_; }
  /// Flushes, closes and renames into place; throws OutputError naming the file on any failure.
  void commit();

 private:
  void open_temporary(const std::string& target, unsigned mode);
  [[noreturn]] void fail(const std::string& what, int error);
  void discard();

  std::string path_;
  std::string target_;     // path_, or the file a symbolic link at path_ names
  std::string temporary_;  // empty when written directly
  int fd_ = -1;
  bool standard_output_ = false;
  bool committed_ = false;
  std::unique_ptr<FdBuffer> file_buffer_;
  std::unique_ptr<input::Utf8Filter> filter_;
  std::unique_ptr<std::ostream> stream_;
};

/// Writes `path` whole with `write`, committed as OutputFile does; throws OutputError.
void write_output_file(const std::string& path, const std::function<void(std::ostream&)>& write);

/// While it lives, std::cout and std::cerr write to file descriptors 1 and 2 through checked,
/// UTF-8-repairing buffers; it restores the streams' own buffers when destroyed. One per process,
/// made by a front end's main.
class StandardStreams {
 public:
  StandardStreams();
  StandardStreams(const StandardStreams&) = delete;
  StandardStreams& operator=(const StandardStreams&) = delete;
  ~StandardStreams();
  /// Flushes standard output; throws OutputError naming "standard output" when anything written
  /// to it was lost (a full disk, a closed pipe).
  void check_output();

 private:
  FdBuffer out_buffer_{1};
  FdBuffer err_buffer_{2};
  input::Utf8Filter out_filter_{&out_buffer_};
  input::Utf8Filter err_filter_{&err_buffer_};
  std::streambuf* saved_out_ = nullptr;
  std::streambuf* saved_err_ = nullptr;
};

}  // namespace deploysim::io
