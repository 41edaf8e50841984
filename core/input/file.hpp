#pragma once
// Reading input files: the one reader for scenarios, manifests, inventories, checker and delivery
// configurations, variant bases and load CSVs. It refuses what is not a regular file (a directory,
// a FIFO, a device) before opening it, so that `/dev/zero` or a FIFO without a writer cannot make
// a command hang or exhaust memory, and it stops reading past a size limit.

#include <cstdint>
#include <string>

namespace deploysim::input {

/// The largest input read, in bytes, unless set otherwise: 256 MiB, about a hundred times the
/// largest realistic manifest (a 100,000-host inventory is about 12 MB).
inline constexpr std::uint64_t kDefaultMaxInputBytes = 256ull << 20;

/// The current limit for every read_text_file in this process.
std::uint64_t max_input_bytes();
/// Changes the limit (a front end's option); 0 restores the default.
void set_max_input_bytes(std::uint64_t bytes);

/// The whole content of `file`, or of standard input for "-". Throws InputError labelled `file`
/// when it is missing, unreadable, not a regular file (standard input may be a pipe), or larger
/// than max_input_bytes().
std::string read_text_file(const std::string& file);

}  // namespace deploysim::input
