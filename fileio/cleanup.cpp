#include "fileio/cleanup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>

#include "fileio/atomic_file.hpp"
#include "fileio/posix.hpp"

namespace tc0::fileio {

namespace detail {

namespace {

// Slot states: 0 free, 1 being filled, 2 a live file, 3 a live folder (the handler removes both).
// A slot's path is written only while the slot is 1, so the handler never reads a half-written path.
constexpr int kSlots = 32;
constexpr int kLiveFile = 2, kLiveFolder = 3;
struct Slot {
  std::atomic<int> state{0};
  char path[PATH_MAX];
};
Slot g_slots[kSlots];

int claim_slot(const std::string& path, TemporaryKind kind) {
  if (path.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_slots[i].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
      g_slots[i].state.store(kind == TemporaryKind::file ? kLiveFile : kLiveFolder);
      return i;
    }
  }
  return -1;
}

// Set by the handler before it looks at the table.
std::atomic<int> g_dying{0};

constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct sigaction g_previous[std::size(kCleanupSignals)];

extern "C" void remove_temporaries_and_reraise(int sig) {
  const int saved_errno = errno;
  g_dying.store(1);
  for (Slot& s : g_slots) {  // async-signal-safe calls only
    const int state = s.state.load();
    if (state == kLiveFile) ::unlink(s.path);
    else if (state == kLiveFolder) remove_tree(s.path);
  }
  for (size_t k = 0; k < std::size(kCleanupSignals); ++k)
    if (kCleanupSignals[k] == sig) ::sigaction(sig, &g_previous[k], nullptr);
  errno = saved_errno;
  ::raise(sig);  // delivered with the previous disposition once this handler returns
}

mode_t g_umask = 022;

bool is_dot(const char* name) { return name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)); }

// The entries of the folder open as `fd`, removed; folders recursively up to a depth (the stack of
// a signal handler is the thread's: 2 KiB a level). Entries are read again from the start until a
// pass finds none, since removing entries while reading a folder may skip some.
void empty_folder(int fd, int depth) {
  alignas(8) char buf[2048];
  for (int pass = 0; pass < 8; ++pass) {
    bool any = false;
    ::lseek(fd, 0, SEEK_SET);
    for (;;) {
      const ssize_t n = ::getdents64(fd, buf, sizeof buf);
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        const auto* d = reinterpret_cast<const struct dirent64*>(buf + off);
        off += d->d_reclen;
        if (is_dot(d->d_name)) continue;
        any = true;
        if (d->d_type != DT_DIR && ::unlinkat(fd, d->d_name, 0) == 0) continue;
        if (depth >= 16) continue;
        const int sub = ::openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) continue;
        empty_folder(sub, depth + 1);
        ::close(sub);
        ::unlinkat(fd, d->d_name, AT_REMOVEDIR);
      }
    }
    if (!any) return;
  }
}

}  // namespace

bool remove_tree(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;
  empty_folder(fd, 0);
  ::close(fd);
  return ::rmdir(path) == 0 || errno == ENOENT;
}

Temporary create_temporary(const std::string& prefix, TemporaryKind kind, const std::function<int(const std::string&)>& create,
                           const std::string& what, const std::string& target) {
  install_signal_handlers();
  static thread_local std::mt19937_64 rng(std::random_device{}() ^ uint64_t(::getpid()) << 20);
  Temporary t;
  for (int attempt = 0;; ++attempt) {
    std::string name = prefix;
    for (int i = 0; i < 12; ++i) name += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[rng() % 62];
    release_temporary(t.slot);
    t.slot = claim_slot(name, kind);
    if (t.slot < 0)
      throw FileError(fmt::format("cannot write {} '{}': path too long, or too many files open for writing at once",
                                  what, target));
    const int fd = create(name);
    if (fd >= 0) {
      t.path = name;
      t.fd = fd;
      if (g_dying.load()) {  // a signal handler already scanned the table
        if (kind == TemporaryKind::file) ::unlink(name.c_str());
        else remove_tree(name.c_str());
      }
      return t;
    }
    if (errno != EEXIST || attempt > 100) {
      const int err = errno;
      release_temporary(t.slot);
      throw FileError(fmt::format("cannot write {} '{}': {}", what, target, reason(err)));
    }
  }
}

void release_temporary(int slot) {
  if (slot >= 0) g_slots[slot].state.store(0);
}

unsigned process_umask() { return g_umask; }

}  // namespace detail

void install_signal_handlers() {
  using namespace detail;
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

}  // namespace tc0::fileio
