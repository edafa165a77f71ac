#include "fileio/input_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tc0::fileio {

std::string size_text(uint64_t n) {
  if (n >= kGiB) return fmt::format("{:.1f} GiB", double(n) / double(kGiB));
  if (n >= kMiB) return fmt::format("{:.1f} MiB", double(n) / double(kMiB));
  if (n >= kKiB) return fmt::format("{:.1f} KiB", double(n) / double(kKiB));
  return fmt::format("{} bytes", n);
}

namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& what, const std::string& why) {
  throw FileError(fmt::format("cannot read {} '{}': {}", what, path, why));
}

void check_stat(const std::string& path, const std::string& what, uint64_t max_bytes, const struct stat& st) {
  if (!S_ISREG(st.st_mode)) refuse(path, what, fmt::format("it is {}, not a regular file", file_kind(st.st_mode)));
  if (uint64_t(st.st_size) > max_bytes)
    refuse(path, what, fmt::format("it is {}, more than the {} limit for a {}", size_text(uint64_t(st.st_size)),
                                   size_text(max_bytes), what));
}

template <class Buffer>
Buffer read_into(const std::string& path, const std::string& what, uint64_t max_bytes) {
  const uint64_t size = check_regular_file(path, what, max_bytes);
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) refuse(path, what, std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) refuse(path, what, std::strerror(errno));
  check_stat(path, what, max_bytes, st);  // the path may have changed since the first look
  if (uint64_t(st.st_size) != size) refuse(path, what, "it changed while being opened");
  Buffer out(size, 0);
  size_t done = 0;
  while (done < size) {
    const ssize_t k = ::read(fd, reinterpret_cast<char*>(out.data()) + done, size - done);
    if (k < 0) {
      if (errno == EINTR) continue;
      refuse(path, what, std::strerror(errno));
    }
    if (k == 0) refuse(path, what, fmt::format("it shrank while being read ({} of {} bytes)", done, size));
    done += size_t(k);
  }
  char extra;
  if (::read(fd, &extra, 1) > 0) refuse(path, what, "it grew while being read");
  return out;
}

}  // namespace

std::string file_kind(unsigned mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISREG(mode)) return "a regular file";
  return "not a regular file";
}

uint64_t check_regular_file(const std::string& path, const std::string& what, uint64_t max_bytes) {
  if (path.empty()) throw FileError(fmt::format("no path given for the {}", what));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    refuse(path, what, errno == ENOENT ? std::string("no such file") : std::string(std::strerror(errno)));
  check_stat(path, what, max_bytes, st);
  return uint64_t(st.st_size);
}

std::string read_regular_file(const std::string& path, const std::string& what, uint64_t max_bytes) {
  return read_into<std::string>(path, what, max_bytes);
}

std::vector<uint8_t> read_regular_file_bytes(const std::string& path, const std::string& what, uint64_t max_bytes) {
  return read_into<std::vector<uint8_t>>(path, what, max_bytes);
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  if (a.empty() || b.empty() || ::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace tc0::fileio
