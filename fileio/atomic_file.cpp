#include "fileio/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <streambuf>
#include <vector>

namespace tc0::fileio {

namespace {

// ---- the table of live temporaries, read by the signal handler ----------------------------------
// Slot states: 0 free, 1 being filled, 2 live (the handler unlinks it). A slot's path is written
// only while the slot is 1, so the handler never reads a half-written path.
constexpr int kSlots = 32;
struct Slot {
  std::atomic<int> state{0};
  char path[PATH_MAX];
};
Slot g_slots[kSlots];

int claim_slot(const std::string& path) {
  if (path.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_slots[i].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
      g_slots[i].state.store(2);
      return i;
    }
  }
  return -1;
}

void release_slot(int i) {
  if (i >= 0) g_slots[i].state.store(0);
}

// Set by the handler before it looks at the table: a thread that creates a temporary after the
// handler's scan sees it and removes its own (the handler may run in another thread while this one
// goes on until the re-raised signal ends the process).
std::atomic<int> g_dying{0};

constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct sigaction g_previous[std::size(kCleanupSignals)];

extern "C" void remove_temporaries_and_reraise(int sig) {
  const int saved_errno = errno;
  g_dying.store(1);
  for (Slot& s : g_slots)
    if (s.state.load() == 2) ::unlink(s.path);  // async-signal-safe
  for (size_t k = 0; k < std::size(kCleanupSignals); ++k)
    if (kCleanupSignals[k] == sig) ::sigaction(sig, &g_previous[k], nullptr);
  errno = saved_errno;
  ::raise(sig);  // delivered with the previous disposition once this handler returns
}

mode_t g_umask = 022;

std::string reason(int err) { return std::strerror(err); }

std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void write_all(int fd, const char* data, size_t n, const std::string& what, const std::string& target) {
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

void install_signal_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    const mode_t m = ::umask(0);
    ::umask(m);
    g_umask = m;
    ::signal(SIGXFSZ, SIG_IGN);
    for (size_t k = 0; k < std::size(kCleanupSignals); ++k) {
      struct sigaction now {};
      ::sigaction(kCleanupSignals[k], nullptr, &g_previous[k]);
      if (g_previous[k].sa_handler == SIG_IGN) continue;  // an ignored signal stays ignored
      now.sa_handler = remove_temporaries_and_reraise;
      sigemptyset(&now.sa_mask);
      for (int s : kCleanupSignals) sigaddset(&now.sa_mask, s);
      now.sa_flags = 0;
      ::sigaction(kCleanupSignals[k], &now, nullptr);
    }
  });
}

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
  m.final_path = target;
  struct stat st {};
  if (::lstat(target.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    // Keep the link: replace the file it points to (which may not exist yet).
    char* real = ::realpath(target.c_str(), nullptr);
    if (real) {
      m.final_path = real;
      std::free(real);
    } else {
      std::vector<char> link(PATH_MAX + 1);
      const ssize_t n = ::readlink(target.c_str(), link.data(), PATH_MAX);
      if (n <= 0) throw FileError(fmt::format("cannot write {} '{}': {}", what, target, reason(errno)));
      std::string dest(link.data(), size_t(n));
      m.final_path = dest[0] == '/' ? dest : folder_of(target) + "/" + dest;
    }
  }
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
    // ".NAME.tc0tmp-XXXXXXXXXXXX", NAME cut so that the whole stays within NAME_MAX (255). The
    // name enters the signal handler's table BEFORE the file exists (a signal in between unlinks a
    // name that is not there yet, which is harmless), so no moment leaves a temporary the handler
    // does not know. (Blocking the signals around the creation would not do: a signal sent to the
    // process goes to any thread that does not block it, e.g. an idle OpenMP worker.)
    const std::string prefix = folder + "/." + base_of(m.final_path).substr(0, 200) + kTempMarker;
    static thread_local std::mt19937_64 rng(std::random_device{}() ^ uint64_t(::getpid()) << 20);
    for (int attempt = 0; m.fd < 0; ++attempt) {
      std::string name = prefix;
      for (int i = 0; i < 12; ++i) name += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[rng() % 62];
      release_slot(m.slot);
      m.slot = claim_slot(name);
      if (m.slot < 0)
        throw FileError(fmt::format("cannot write {} '{}': path too long, or too many files open for writing at once",
                                    what, target));
      m.fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (m.fd >= 0) {
        m.temp = name;
        if (g_dying.load()) ::unlink(name.c_str());  // a signal handler already scanned the table
      }
      else if (errno != EEXIST || attempt > 100) {
        const int err = errno;
        release_slot(m.slot);
        m.slot = -1;
        throw FileError(fmt::format("cannot write {} '{}': {}", what, target, reason(err)));
      }
    }
    // created 0600; give the new file the old one's permissions, or the usual 0666 & ~umask.
    const mode_t mode = ::stat(m.final_path.c_str(), &st) == 0 ? (st.st_mode & 07777) : (0666 & ~g_umask);
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
  release_slot(m.slot);
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
  release_slot(m.slot);
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
