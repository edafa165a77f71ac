#pragma once
// What an interrupt removes: the one table of live temporaries (files of AtomicFile, folders of
// AtomicFolder) and the signal handlers that remove them. Internal to fileio/.
//
// SIGINT, SIGTERM, SIGHUP and SIGQUIT run a handler that removes every live temporary (unlink for a
// file; for a folder, everything in it and then the folder, with system calls only) and re-raises
// the signal with its previous disposition, so the process still dies of it. The handler is
// async-signal-safe: the table is a fixed array of paths whose slots are claimed atomically, and a
// name enters it BEFORE its file or folder is created (a signal in between removes a name that is
// not there yet, which is harmless), so no moment leaves a temporary the handler does not know.
// (Blocking the signals around the creation would not do: a signal sent to the process goes to any
// thread that does not block it, e.g. an idle OpenMP worker.) The handler may run in another thread
// while this one goes on until the re-raised signal ends the process: a temporary created after its
// scan sees `dying()` and removes itself.
#include <functional>
#include <string>

namespace tc0::fileio::detail {

enum class TemporaryKind { file, folder };

// A temporary created next to a target and registered in the table.
struct Temporary {
  std::string path;
  int slot = -1;
  int fd = -1;  // what `create` returned (a descriptor for a file, 0 for a folder)
};

// Creates PREFIX + 12 random characters with `create(name)` (returns a descriptor or 0 on success, -1
// with errno set on failure; EEXIST tries another name). The name is registered first. Throws
// FileError("cannot write WHAT 'TARGET': ...") when it cannot.
Temporary create_temporary(const std::string& prefix, TemporaryKind kind, const std::function<int(const std::string&)>& create,
                           const std::string& what, const std::string& target);

// The temporary leaves the table (it was renamed into place, or removed).
void release_temporary(int slot);

// The umask of the process, read once when the handlers were installed.
unsigned process_umask();

// Removes a folder and everything in it (without following links), with system calls only; used by
// the signal handler, so async-signal-safe. Returns true when the folder is gone.
bool remove_tree(const char* path);

}  // namespace tc0::fileio::detail
