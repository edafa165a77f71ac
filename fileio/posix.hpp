#pragma once
// Small POSIX pieces the writers of fileio/ share (internal): the folder and name of a path, the
// text of an errno, and a write loop that throws FileError.
#include <fmt/format.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fileio/atomic_file.hpp"

namespace tc0::fileio::detail {

inline std::string reason(int err) { return std::strerror(err); }

// "a/b/c" -> "a/b", "c" -> ".", "/c" -> "/".
inline std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

inline std::string base_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Writes all n bytes (retrying short writes and EINTR); a failure is "cannot write WHAT 'TARGET': why".
inline void write_all(int fd, const char* data, size_t n, const std::string& what, const std::string& target) {
  while (n > 0) {
    const ssize_t k = ::write(fd, data, n);
    if (k < 0) {
      if (errno == EINTR) continue;
      throw FileError(fmt::format("cannot write {} '{}': {}", what, target, reason(errno)));
    }
    data += k;
    n -= size_t(k);
  }
}

// Where a replacement of `target` goes: the target itself, or, when it is a symbolic link, the
// path it names (which may not exist yet), so that the link stays a link.
inline std::string final_path_of(const std::string& target, const std::string& what) {
  struct stat st {};
  if (::lstat(target.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return target;
  if (char* real = ::realpath(target.c_str(), nullptr)) {
    std::string r = real;
    std::free(real);
    return r;
  }
  char link[PATH_MAX + 1];
  const ssize_t n = ::readlink(target.c_str(), link, PATH_MAX);
  if (n <= 0) throw FileError(fmt::format("cannot write {} '{}': {}", what, target, reason(errno)));
  const std::string dest(link, size_t(n));
  return dest[0] == '/' ? dest : folder_of(target) + "/" + dest;
}

}  // namespace tc0::fileio::detail
