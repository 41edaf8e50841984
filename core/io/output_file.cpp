#include "io/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <system_error>

namespace deploysim::io {
namespace {

std::string reason(int error) {
  return error == 0 ? std::string() : ": " + std::generic_category().message(error);
}

// Unique among the temporary files of this process; the process id tells processes apart.
std::atomic<unsigned> g_temporaries{0};

}  // namespace

OutputError::OutputError(std::string file, const std::string& message)
    : std::runtime_error(file + ": " + message), file_(std::move(file)) {}

FdBuffer::FdBuffer(int fd) : fd_(fd) {
  setp(buffer_, buffer_ + sizeof buffer_);
}

FdBuffer::int_type FdBuffer::overflow(int_type c) {
  if (!flush_buffer()) return traits_type::eof();
  if (traits_type::eq_int_type(c, traits_type::eof())) return 0;
  *pptr() = traits_type::to_char_type(c);
  pbump(1);
  return c;
}

int FdBuffer::sync() {
  return flush_buffer() ? 0 : -1;
}

bool FdBuffer::flush_buffer() {
  const char* data = pbase();
  std::size_t size = static_cast<std::size_t>(pptr() - pbase());
  setp(buffer_, buffer_ + sizeof buffer_);
  // After a failure nothing more is written: a later write must not leave a file with a gap.
  if (error_ != 0) return false;
  while (size > 0) {
    const ssize_t written = ::write(fd_, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

void FdBuffer::detach() {
  setp(buffer_, buffer_ + sizeof buffer_);
  fd_ = -1;
  if (error_ == 0) error_ = EBADF;
}

OutputFile::OutputFile(std::string path) : path_(std::move(path)), target_(path_) {
  if (path_ == "-") {
    standard_output_ = true;
    stream_ = std::make_unique<std::ostream>(std::cout.rdbuf());
    return;
  }
  if (path_.empty()) fail("cannot open for writing", ENOENT);
  struct stat status {};
  if (::lstat(path_.c_str(), &status) == 0 && S_ISLNK(status.st_mode)) {
    // A link stays a link: the file it names is the one replaced.
    if (char* resolved = ::realpath(path_.c_str(), nullptr)) {
      target_ = resolved;
      std::free(resolved);
    }
  }
  const bool exists = ::stat(target_.c_str(), &status) == 0;
  if (exists && S_ISDIR(status.st_mode)) fail("cannot open for writing", EISDIR);
  if (exists && !S_ISREG(status.st_mode)) {
    fd_ = ::open(target_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) fail("cannot open for writing", errno);
  } else {
    if (exists && ::access(target_.c_str(), W_OK) != 0) fail("cannot open for writing", errno);
    open_temporary(target_, exists ? status.st_mode & 07777 : 0);
  }
  file_buffer_ = std::make_unique<FdBuffer>(fd_);
  filter_ = std::make_unique<input::Utf8Filter>(file_buffer_.get());
  stream_ = std::make_unique<std::ostream>(filter_.get());
}

void OutputFile::open_temporary(const std::string& target, unsigned mode) {
  const std::filesystem::path where(target);
  const std::string directory =
      where.has_parent_path() ? where.parent_path().string() + "/" : std::string();
  const std::string prefix =
      directory + "." + where.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-";
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string name = prefix + std::to_string(g_temporaries.fetch_add(1));
    fd_ = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0) {
      temporary_ = name;
      // A file that is replaced keeps its permissions.
      if (mode != 0 && ::fchmod(fd_, mode) != 0) fail("cannot set the permissions", errno);
      return;
    }
    if (errno != EEXIST) fail("cannot open for writing", errno);
  }
  fail("cannot open for writing", EEXIST);
}

OutputFile::~OutputFile() {
  if (!committed_) discard();
}

void OutputFile::commit() {
  if (committed_) return;
  if (standard_output_) {
    stream_->flush();
    if (!*stream_ || std::cout.rdbuf()->pubsync() != 0) {
      throw OutputError("standard output", "cannot write");
    }
    committed_ = true;
    return;
  }
  stream_->flush();
  if (!filter_->finish() || !*stream_) fail("cannot write", file_buffer_->error());
  const int fd = fd_;
  fd_ = -1;
  file_buffer_->detach();
  // Some file systems report a lost write only when the file is closed.
  if (::close(fd) != 0) fail("cannot write", errno);
  if (!temporary_.empty() && ::rename(temporary_.c_str(), target_.c_str()) != 0) {
    fail("cannot move the finished file into place", errno);
  }
  temporary_.clear();
  committed_ = true;
}

void OutputFile::fail(const std::string& what, int error) {
  discard();
  committed_ = true;  // nothing is left to remove
  throw OutputError(path_, what + reason(error));
}

void OutputFile::discard() {
  // Nothing the stream still holds may reach the descriptor once it is closed and reused.
  if (file_buffer_) file_buffer_->detach();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  temporary_.clear();
}

void write_output_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
  OutputFile file(path);
  write(file.stream());
  file.commit();
}

StandardStreams::StandardStreams()
    : saved_out_(std::cout.rdbuf(&out_filter_)), saved_err_(std::cerr.rdbuf(&err_filter_)) {}

StandardStreams::~StandardStreams() {
  std::cout.flush();
  out_filter_.finish();
  err_filter_.finish();
  std::cout.rdbuf(saved_out_);
  std::cerr.rdbuf(saved_err_);
}

void StandardStreams::check_output() {
  std::cout.flush();
  const bool written = out_filter_.finish() && out_buffer_.error() == 0 && std::cout.good();
  // Anything written through C stdio is checked too.
  const bool stdio_written = std::fflush(stdout) == 0 && std::ferror(stdout) == 0;
  if (written && stdio_written) return;
  const int error = out_buffer_.error() != 0 ? out_buffer_.error() : errno;
  throw OutputError("standard output", "cannot write" + reason(error));
}

}  // namespace deploysim::io
