#pragma once
// The one way tc0flow reads a file: only regular files, with their size checked before a byte is
// read. A directory, a device (/dev/zero reads without end), a named pipe (blocks) or a socket is
// refused with one line naming the path, what it is and what was expected; so is a file larger
// than the caller's limit. The path is stat()ed before it is opened (opening some devices has
// effects), then opened non-blocking and checked again on the open descriptor (the path may change
// in between), and exactly the stated size is read.
#include <cstdint>
#include <string>
#include <vector>

#include "fileio/atomic_file.hpp"  // FileError

namespace tc0::fileio {

// Size limits of the inputs tc0flow reads (each far above any real file of its kind).
inline constexpr uint64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;

// Throws FileError unless `path` names a regular file (links are followed) of at most max_bytes;
// returns its size. `what` names the expected content ("circuit file", "model config").
uint64_t check_regular_file(const std::string& path, const std::string& what, uint64_t max_bytes);

std::string read_regular_file(const std::string& path, const std::string& what, uint64_t max_bytes);
std::vector<uint8_t> read_regular_file_bytes(const std::string& path, const std::string& what, uint64_t max_bytes);

// True when both paths exist and name the same file (same device and inode, links followed).
bool same_file(const std::string& a, const std::string& b);

// "512 bytes", "3.2 MiB", "1.5 GiB".
std::string size_text(uint64_t bytes);

// "a directory", "a character device", "a named pipe (FIFO)", ... of a stat mode.
std::string file_kind(unsigned mode);

}  // namespace tc0::fileio
