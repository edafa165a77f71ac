#include "fileio/atomic_folder.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>

#include "fileio/cleanup.hpp"
#include "fileio/posix.hpp"

namespace tc0::fileio {

namespace {

using detail::folder_of;
using detail::reason;

enum class TargetState { absent, empty, ours };

struct Checked {
  std::string final_path;  // where the new folder goes (the target, or the folder its link names)
  TargetState state = TargetState::absent;
  mode_t mode = 0;  // of the existing folder
};

// "site/" and "site//" name "site".
std::string without_trailing_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// Whether `final_path` may be replaced, and how; throws the one-line refusal otherwise.
Checked check(const std::string& target, const std::string& final_path, const std::string& what, const std::string& marker) {
  auto refuse = [&](const std::string& why) { throw FileError(fmt::format("cannot write {} '{}': {}", what, target, why)); };
  Checked c;
  c.final_path = final_path;
  struct stat st {};
  if (::stat(final_path.c_str(), &st) != 0) {
    if (errno != ENOENT) refuse(reason(errno));
    const std::string parent = folder_of(final_path);
    struct stat pst {};
    if (::stat(parent.c_str(), &pst) != 0)
      refuse(fmt::format("folder '{}' {}", parent, errno == ENOENT ? "does not exist" : reason(errno)));
    if (!S_ISDIR(pst.st_mode)) refuse(fmt::format("'{}' is not a folder", parent));
  } else if (!S_ISDIR(st.st_mode)) {
    refuse("it exists and is not a folder; give the name of a folder to write");
  } else {
    c.mode = st.st_mode & 07777;
    const int fd = ::open(final_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) refuse(reason(errno));
    struct stat mst {};
    const bool has_marker = ::fstatat(fd, marker.c_str(), &mst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(mst.st_mode);
    ::close(fd);
    bool empty = true;
    if (!has_marker) {
      std::error_code ec;
      empty = std::filesystem::is_empty(final_path, ec);
      if (ec) refuse(ec.message());
    }
    if (!has_marker && !empty)
      refuse(fmt::format("it is a folder that tc0flow did not write (it has files and no {}); give another folder, or "
                         "empty this one",
                         marker));
    c.state = has_marker ? TargetState::ours : TargetState::empty;
  }
  const std::string parent = folder_of(final_path);
  if (::access(parent.c_str(), W_OK) != 0) refuse(fmt::format("folder '{}': {}", parent, reason(errno)));
  return c;
}

std::string checked_target(const std::string& target, const std::string& what) {
  if (target.empty()) throw FileError(fmt::format("no path given for the {}", what));
  const std::string t = without_trailing_slashes(target);
  const std::string base = detail::base_of(t);
  if (t == "/" || base == "." || base == "..")
    throw FileError(fmt::format("cannot write {} '{}': name a folder of its own", what, target));
  return t;
}

// A relative path inside the folder: no leading '/', no empty, "." or ".." component.
bool plain_relative(const std::string& rel) {
  if (rel.empty() || rel[0] == '/') return false;
  size_t start = 0;
  for (;;) {
    const size_t slash = rel.find('/', start);
    const std::string part = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

struct AtomicFolder::Impl {
  std::string what, marker;
  Checked checked;
  detail::Temporary temp;
  bool committed = false;
};

void check_folder_replaceable(const std::string& target, const std::string& what, const std::string& marker) {
  const std::string t = checked_target(target, what);
  (void)check(target, detail::final_path_of(t, what), what, marker);
}

AtomicFolder::AtomicFolder(const std::string& target, const std::string& what, const std::string& marker)
    : target_(checked_target(target, what)), impl_(new Impl) {
  Impl& m = *impl_;
  m.what = what;
  m.marker = marker;
  m.checked = check(target_, detail::final_path_of(target_, what), what, marker);
  const std::string& final_path = m.checked.final_path;
  const std::string prefix =
      folder_of(final_path) + "/." + detail::base_of(final_path).substr(0, 200) + kTempMarker;
  m.temp = detail::create_temporary(
      prefix, detail::TemporaryKind::folder, [](const std::string& name) { return ::mkdir(name.c_str(), 0700); }, what,
      target_);
}

AtomicFolder::~AtomicFolder() {
  Impl& m = *impl_;
  if (!m.committed && !m.temp.path.empty()) detail::remove_tree(m.temp.path.c_str());
  detail::release_temporary(m.temp.slot);  // after the removal: a signal during it removes the rest
}

void AtomicFolder::write(const std::string& relative, std::string_view bytes) {
  Impl& m = *impl_;
  if (m.committed) throw std::logic_error("AtomicFolder::write after commit");
  if (!plain_relative(relative)) throw std::logic_error(fmt::format("AtomicFolder::write: '{}' is not a plain relative path", relative));
  const std::string shown = target_ + "/" + relative;  // the name the user will see
  for (size_t slash = relative.find('/'); slash != std::string::npos; slash = relative.find('/', slash + 1)) {
    const std::string sub = relative.substr(0, slash);
    if (::mkdir((m.temp.path + "/" + sub).c_str(), 0777) != 0 && errno != EEXIST) throw FileError(fmt::format("cannot write {} '{}': {}", m.what, shown, reason(errno)));
  }
  const std::string path = m.temp.path + "/" + relative;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw FileError(fmt::format("cannot write {} '{}': {}", m.what, shown, reason(errno)));
  try {
    detail::write_all(fd, bytes.data(), bytes.size(), m.what, shown);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw FileError(fmt::format("cannot write {} '{}': {}", m.what, shown, reason(errno)));
}

void AtomicFolder::commit() {
  Impl& m = *impl_;
  if (m.committed) throw std::logic_error("AtomicFolder::commit twice");
  const std::string& temp = m.temp.path;
  struct stat st {};
  if (::lstat((temp + "/" + m.marker).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw std::logic_error(fmt::format("AtomicFolder::commit: the marker file {} was not written", m.marker));
  // Durable before it becomes visible: one syncfs of the file system (an fsync per file costs a
  // device flush each: seconds for a site of thousands of files).
  {
    const int fd = ::open(temp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::syncfs(fd);
      ::close(fd);
    }
  }
  // The target may have changed since the constructor looked: look again.
  const Checked now = check(target_, m.checked.final_path, m.what, m.marker);
  const std::string& final_path = now.final_path;
  ::chmod(temp.c_str(), now.state == TargetState::absent ? (0777 & ~mode_t(detail::process_umask())) : now.mode);
  auto fail = [&](const char* step, int err) {
    throw FileError(fmt::format("cannot write {} '{}': {} failed: {}", m.what, target_, step, reason(err)));
  };
  if (now.state == TargetState::ours) {
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, final_path.c_str(), RENAME_EXCHANGE) != 0) {
      const int err = errno;
      if (err == EINVAL || err == ENOSYS || err == ENOTSUP)
        throw FileError(fmt::format("cannot replace {} '{}' in one step: its file system cannot exchange two folders "
                                    "(RENAME_EXCHANGE); remove the old one first, or write to a new folder",
                                    m.what, target_));
      fail("exchanging the old and the new folder", err);
    }
    m.committed = true;
    // The old folder now has the temporary's name, still in the cleanup table: remove it.
    detail::remove_tree(temp.c_str());
  } else {
    // Absent or an empty folder: rename() replaces an empty folder, and refuses (ENOTEMPTY,
    // EEXIST, ENOTDIR) anything that appeared meanwhile.
    if (::rename(temp.c_str(), final_path.c_str()) != 0) fail("rename", errno);
    m.committed = true;
  }
  detail::release_temporary(m.temp.slot);
  m.temp.slot = -1;
  fsync_path(folder_of(final_path), O_DIRECTORY);
}

}  // namespace tc0::fileio
