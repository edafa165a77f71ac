#pragma once
// The one way tc0flow writes a file. A command never opens its output in place: the bytes go to a
// temporary file next to the target (".NAME.tc0tmp-XXXXXXXXXXXX" in the same folder, so that the final
// rename stays on one file system), and only commit() makes them visible: flush, fsync, rename
// over the target, fsync the folder. Whatever happens before that (an exception, a full disk, a
// file-size limit, Ctrl-C), the target keeps its old bytes and the temporary is removed:
// - an uncommitted AtomicFile removes its temporary when it is destroyed;
// - SIGINT, SIGTERM, SIGHUP and SIGQUIT run a handler that unlinks every live temporary (an
//   async-signal-safe table of paths, shared with AtomicFolder: fileio/cleanup.hpp; a name enters
//   it before its file is created) and then re-raises the signal with its previous disposition, so
//   the process still dies of that signal; the handler may run in any thread, so a temporary
//   created after its scan removes itself; a signal the process ignored stays ignored;
// - SIGXFSZ is ignored, so that exceeding `ulimit -f` makes write() fail with EFBIG, which becomes
//   a FileError naming the file, instead of killing the process silently.
// A target that exists and is not a regular file (/dev/null, /dev/stdout, a named pipe) has no old
// bytes to protect: it is written directly (a pipe without a reader is an error, never a hang).
// A target that is a symbolic link keeps the link: the file it points to is replaced.
#include <cstdint>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tc0::fileio {

// Any failure to read or write a file; the message names the path and the reason.
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AtomicFile {
 public:
  // `what` names the file in messages ("circuit file", "JSON report", "PNG grid").
  explicit AtomicFile(const std::string& target, const std::string& what = "file");
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // A buffered stream onto the temporary. The first failed write throws FileError (through the
  // stream: its exception mask has badbit), so a producer stops at once on a full disk.
  std::ostream& stream();
  void write(std::string_view bytes);
  // Overwrites bytes already written at `offset` (e.g. a header whose sizes are known at the end).
  void write_at(uint64_t offset, std::string_view bytes);
  // Makes the new file visible under the target's name; throws FileError when any step fails
  // (the target then keeps its old bytes).
  void commit();

  const std::string& target() const { return target_; }
  uint64_t bytes_written() const;

 private:
  struct Impl;
  std::string target_;
  std::unique_ptr<Impl> impl_;
};

// Checks before any work that `path` could be written: its folder exists and is a writable folder,
// and the path is not a directory. Throws the FileError that AtomicFile would throw later.
void check_writable(const std::string& path, const std::string& what = "file");

// The whole file at once: AtomicFile(path, what), write, commit.
void write_file(const std::string& path, std::string_view bytes, const std::string& what = "file");

// The name prefix of every temporary (".NAME" + kTempMarker + random suffix), for tests that look
// for leftovers.
inline constexpr const char* kTempMarker = ".tc0tmp-";

// Installs the signal handlers (idempotent; AtomicFile does it on first use). Programs call it
// early so that SIGXFSZ is ignored before any output is opened.
void install_signal_handlers();

}  // namespace tc0::fileio
