#include "fileio/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <streambuf>
#include <vector>

#include "fileio/cleanup.hpp"
#include "fileio/posix.hpp"

namespace tc0::fileio {

namespace {

using detail::base_of;
using detail::folder_of;
using detail::reason;
using detail::write_all;

// A plain buffered streambuf over a file descriptor; a failed write throws FileError.
class FdBuf : public std::streambuf {
 public:
  FdBuf(int fd, const std::string& what, const std::string& target) : fd_(fd), what_(what), target_(target), buf_(1 << 20) {
    setp(buf_.data(), buf_.data() + buf_.size());
  }
  void drain() {
    const size_t n = size_t(pptr() - pbase());
    if (n) write_all(fd_, pbase(), n, what_, target_);
    written_ += n;
    setp(buf_.data(), buf_.data() + buf_.size());
  }
  uint64_t written() const { return written_ + uint64_t(pptr() - pbase()); }

 protected:
  int_type overflow(int_type ch) override {
    drain();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n >= std::streamsize(buf_.size()) / 2) {  // large pieces go straight to the file
      drain();
      write_all(fd_, s, size_t(n), what_, target_);
      written_ += uint64_t(n);
      return n;
    }
    return std::streambuf::xsputn(s, n);
  }
  int sync() override {
    drain();
    return 0;
  }

 private:
  int fd_;
  const std::string& what_;
  const std::string& target_;
  std::vector<char> buf_;
  uint64_t written_ = 0;
};

}  // namespace

struct AtomicFile::Impl {
  std::string what;
  std::string final_path;  // where the rename goes (the target, or the file its link points to)
  std::string temp;        // empty when writing directly (a device or pipe target)
  int fd = -1;
  int slot = -1;
  bool committed = false;
  std::unique_ptr<FdBuf> buf;
  std::unique_ptr<std::ostream> os;
};

AtomicFile::AtomicFile(const std::string& target, const std::string& what) : target_(target), impl_(new Impl) {
  install_signal_handlers();
  Impl& m = *impl_;
  m.what = what;
  if (target.empty()) throw FileError(fmt::format("no path given for the {}", what));
  m.final_path = detail::final_path_of(target, what);
  struct stat st {};
  if (::stat(m.final_path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      throw FileError(fmt::format("cannot write {} '{}': it is a directory; give a file name", what, target));
    if (!S_ISREG(st.st_mode)) {
      // A device or a pipe: no old bytes to keep. O_NONBLOCK makes a pipe without a reader fail
      // (ENXIO) instead of blocking; the flag is cleared once it is open.
      m.fd = ::open(m.final_path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (m.fd < 0)
        throw FileError(fmt::format("cannot write {} '{}': {}", what, target,
                                    errno == ENXIO ? "a named pipe with no reader" : reason(errno)));
      ::fcntl(m.fd, F_SETFL, ::fcntl(m.fd, F_GETFL) & ~O_NONBLOCK);
    }
  }
  if (m.fd < 0) {
    const std::string folder = folder_of(m.final_path);
    struct stat fst {};
    if (::stat(folder.c_str(), &fst) != 0)
      throw FileError(fmt::format("cannot write {} '{}': folder '{}' {}", what, target, folder,
                                  errno == ENOENT ? "does not exist" : reason(errno)));
    if (!S_ISDIR(fst.st_mode))
      throw FileError(fmt::format("cannot write {} '{}': '{}' is not a folder", what, target, folder));
    // ".NAME.tc0tmp-XXXXXXXXXXXX", NAME cut so that the whole stays within NAME_MAX (255), registered
    // with the signal handler before it exists (fileio/cleanup.hpp).
    const std::string prefix = folder + "/." + base_of(m.final_path).substr(0, 200) + kTempMarker;
    detail::Temporary t = detail::create_temporary(
        prefix, detail::TemporaryKind::file,
        [](const std::string& name) { return ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); }, what,
        target);
    m.temp = t.path;
    m.slot = t.slot;
    m.fd = t.fd;
    // created 0600; give the new file the old one's permissions, or the usual 0666 & ~umask.
    const mode_t mode = ::stat(m.final_path.c_str(), &st) == 0 ? (st.st_mode & 07777) : (0666 & ~mode_t(detail::process_umask()));
    ::fchmod(m.fd, mode);
  }
  m.buf = std::make_unique<FdBuf>(m.fd, m.what, target_);
  m.os = std::make_unique<std::ostream>(m.buf.get());
  m.os->exceptions(std::ios::badbit);
}

AtomicFile::~AtomicFile() {
  Impl& m = *impl_;
  if (m.fd >= 0) ::close(m.fd);
  if (!m.committed && !m.temp.empty()) ::unlink(m.temp.c_str());
  detail::release_temporary(m.slot);
}

std::ostream& AtomicFile::stream() { return *impl_->os; }

void AtomicFile::write(std::string_view bytes) { impl_->os->write(bytes.data(), std::streamsize(bytes.size())); }

void AtomicFile::write_at(uint64_t offset, std::string_view bytes) {
  Impl& m = *impl_;
  m.buf->drain();
  if (offset + bytes.size() > m.buf->written())
    throw std::logic_error("AtomicFile::write_at: past the bytes written so far");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t k = ::pwrite(m.fd, bytes.data() + done, bytes.size() - done, off_t(offset + done));
    if (k < 0) {
      if (errno == EINTR) continue;
      throw FileError(fmt::format("cannot write {} '{}': {}", m.what, target_, reason(errno)));
    }
    done += size_t(k);
  }
}

uint64_t AtomicFile::bytes_written() const { return impl_->buf->written(); }

void AtomicFile::commit() {
  Impl& m = *impl_;
  if (m.committed) throw std::logic_error("AtomicFile::commit twice");
  m.buf->drain();
  if (m.temp.empty()) {  // a device or a pipe, written directly
    m.committed = true;
    return;
  }
  auto fail = [&](const char* step) {
    throw FileError(fmt::format("cannot write {} '{}': {} failed: {}", m.what, target_, step, reason(errno)));
  };
  if (::fsync(m.fd) != 0 && errno != EINVAL) fail("fsync");
  if (::close(m.fd) != 0) {
    m.fd = -1;
    fail("close");
  }
  m.fd = -1;
  if (::rename(m.temp.c_str(), m.final_path.c_str()) != 0) fail("rename");
  m.committed = true;
  detail::release_temporary(m.slot);
  m.slot = -1;
  // The rename is durable once the folder is synced; a folder that cannot be synced is not an error.
  const int dir = ::open(folder_of(m.final_path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void check_writable(const std::string& path, const std::string& what) {
  if (path.empty()) throw FileError(fmt::format("no path given for the {}", what));
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      throw FileError(fmt::format("cannot write {} '{}': it is a directory; give a file name", what, path));
    if (!S_ISREG(st.st_mode)) return;  // a device or a pipe
  }
  std::string folder = folder_of(path);
  char* real = ::realpath(path.c_str(), nullptr);  // a link: the folder of the file it names
  if (real) {
    folder = folder_of(real);
    std::free(real);
  }
  struct stat fst {};
  if (::stat(folder.c_str(), &fst) != 0)
    throw FileError(fmt::format("cannot write {} '{}': folder '{}' {}", what, path, folder,
                                errno == ENOENT ? "does not exist" : reason(errno)));
  if (!S_ISDIR(fst.st_mode))
    throw FileError(fmt::format("cannot write {} '{}': '{}' is not a folder", what, path, folder));
  if (::access(folder.c_str(), W_OK) != 0)
    throw FileError(fmt::format("cannot write {} '{}': folder '{}': {}", what, path, folder, reason(errno)));
}

void write_file(const std::string& path, std::string_view bytes, const std::string& what) {
  AtomicFile f(path, what);
  f.write(bytes);
  f.commit();
}

}  // namespace tc0::fileio
