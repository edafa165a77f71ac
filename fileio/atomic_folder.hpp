#pragma once
// The one way tc0flow writes a folder that is one output as a whole (the site of `tc0flow view`):
// every file goes into a hidden temporary sibling ".NAME.tc0tmp-XXXXXXXXXXXX" (same parent, so the
// swap stays on one file system), and only commit() puts the new folder at the target's path:
// - an absent target (or an empty folder) is replaced by rename();
// - a previous folder of ours is exchanged with the new one in one step (renameat2 with
//   RENAME_EXCHANGE), so that at every instant the path holds either the complete old folder or
//   the complete new one; the old one, now under the temporary's name, is then removed. A file
//   system without RENAME_EXCHANGE gets an error naming the folder, never a moment without one.
// - any other target is refused before anything is written: a regular file, or a folder without
//   the marker file that says we wrote it (the caller writes the marker; commit() checks it is
//   there, so every folder this installs can be replaced by the next run).
// Until commit(), an exception or destruction removes the temporary folder, and so do SIGINT,
// SIGTERM, SIGHUP and SIGQUIT: the folder is registered in the same signal-cleanup table as the
// temporaries of AtomicFile (fileio/cleanup.hpp). Files inside are written directly (the folder is
// not visible yet) and made durable by one syncfs before the swap. A target that is a symbolic
// link stays a link: the folder it names is replaced.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fileio/atomic_file.hpp"  // FileError

namespace tc0::fileio {

class AtomicFolder {
 public:
  // `what` names the folder in messages ("explorer site"); `marker` is the file name (at the top of
  // the folder) that marks a folder as one we wrote and may replace. Throws FileError when the
  // target may not be replaced, with one line naming it and why.
  AtomicFolder(const std::string& target, const std::string& what, const std::string& marker);
  ~AtomicFolder();
  AtomicFolder(const AtomicFolder&) = delete;
  AtomicFolder& operator=(const AtomicFolder&) = delete;

  // Writes `relative` (a path inside the folder without "." or ".." components; its subfolders
  // are created) with these bytes. A failure throws FileError naming the target's file.
  void write(const std::string& relative, std::string_view bytes);
  // Puts the new folder in place (see above); throws FileError when a step fails, the target then
  // holding its old folder.
  void commit();

  const std::string& target() const { return target_; }

 private:
  struct Impl;
  std::string target_;
  std::unique_ptr<Impl> impl_;
};

// The checks of the constructor alone, for a command that refuses bad outputs before its work.
void check_folder_replaceable(const std::string& target, const std::string& what, const std::string& marker);

}  // namespace tc0::fileio
