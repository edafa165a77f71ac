// fileio/: the atomic writer keeps the old file until commit and leaves no temporary behind
// (destroyed uncommitted, an exception mid-stream, a file-size limit, SIGTERM in a child process);
// the reader takes regular files only and names the path and what it found.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fileio/atomic_file.hpp"
#include "fileio/input_file.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tc0::fileio;

struct Folder {
  fs::path dir;
  Folder() {
    dir = fs::path(::testing::TempDir()) / ("tc0_fileio_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Folder() { fs::remove_all(dir); }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
  std::string read(const std::string& name) const {
    std::ifstream in(dir / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void put(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
  }
  // Every entry of the folder, so that a leftover temporary shows.
  std::vector<std::string> entries() const {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(dir)) v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
  }
};

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const FileError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no FileError";
  return "";
}

TEST(AtomicFile, ReplacesOnlyOnCommit) {
  Folder d;
  d.put("out.txt", "old");
  {
    AtomicFile f(d / "out.txt", "report");
    f.write("new ");
    f.stream() << "bytes";
    EXPECT_EQ(d.read("out.txt"), "old");  // not visible before commit
    EXPECT_EQ(d.entries().size(), 2u);    // the target and one temporary
    f.commit();
  }
  EXPECT_EQ(d.read("out.txt"), "new bytes");
  EXPECT_EQ(d.entries(), std::vector<std::string>{"out.txt"});
}

TEST(AtomicFile, UncommittedLeavesTheOldFileAndNoTemporary) {
  Folder d;
  d.put("out.txt", "old");
  try {
    AtomicFile f(d / "out.txt");
    f.write("half of it");
    throw std::runtime_error("the producer failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(d.read("out.txt"), "old");
  EXPECT_EQ(d.entries(), std::vector<std::string>{"out.txt"});
  { AtomicFile never(d / "new.txt"); }  // no target before: none after
  EXPECT_EQ(d.entries(), std::vector<std::string>{"out.txt"});
}

TEST(AtomicFile, KeepsPermissionsAndLinks) {
  Folder d;
  d.put("script.sh", "old");
  ::chmod((d / "script.sh").c_str(), 0750);
  write_file(d / "script.sh", "new");
  struct stat st {};
  ASSERT_EQ(::stat((d / "script.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  // a new file gets the usual 0666 & ~umask, not the temporary's 0600
  write_file(d / "fresh.txt", "x");
  ASSERT_EQ(::stat((d / "fresh.txt").c_str(), &st), 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 07777, 0666u & ~mask);
  // a link stays a link; the file it names is replaced
  d.put("real.txt", "old");
  fs::create_symlink("real.txt", d.dir / "link.txt");
  write_file(d / "link.txt", "through the link");
  EXPECT_TRUE(fs::is_symlink(d.dir / "link.txt"));
  EXPECT_EQ(d.read("real.txt"), "through the link");
}

TEST(AtomicFile, WriteAtPatchesAHeader) {
  Folder d;
  AtomicFile f(d / "h.bin");
  f.write("....body");
  f.write_at(0, "HEAD");
  f.commit();
  EXPECT_EQ(d.read("h.bin"), "HEADbody");
}

TEST(AtomicFile, RefusesWithOneLineNamingThePath) {
  Folder d;
  fs::create_directories(d.dir / "sub");
  d.put("plain", "x");
  EXPECT_NE(error_of([&] { AtomicFile f(d / "sub", "picture"); }).find("cannot write picture '" + (d / "sub") + "': it is a directory"),
            std::string::npos);
  EXPECT_NE(error_of([&] { AtomicFile f(d / "missing/x.svg"); }).find("folder '" + (d / "missing") + "' does not exist"),
            std::string::npos);
  EXPECT_NE(error_of([&] { AtomicFile f(d / "plain/x.svg"); }).find("'" + (d / "plain") + "' is not a folder"),
            std::string::npos);
  EXPECT_NE(error_of([&] { check_writable(d / "missing/x.svg"); }).find("does not exist"), std::string::npos);
  EXPECT_NO_THROW(check_writable(d / "new.svg"));
  EXPECT_EQ(d.entries(), (std::vector<std::string>{"plain", "sub"}));
}

TEST(AtomicFile, DevicesAreWrittenDirectly) {
  EXPECT_NO_THROW(write_file("/dev/null", "discarded"));
  // a full device: the error names the file and the reason
  EXPECT_NE(error_of([] { write_file("/dev/full", std::string(1 << 21, 'x'), "report"); })
                .find("cannot write report '/dev/full': No space left on device"),
            std::string::npos);
}

TEST(AtomicFile, APipeWithoutReaderIsAnErrorNotAHang) {
  Folder d;
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
  EXPECT_NE(error_of([&] { write_file(d / "fifo", "x"); }).find("a named pipe with no reader"), std::string::npos);
}

// In a child process: a file-size limit makes the write fail (SIGXFSZ is ignored), the old file
// stays, and no temporary is left.
TEST(AtomicFile, FileSizeLimitIsAnErrorAndKeepsTheOldFile) {
  Folder d;
  d.put("big.bin", "old");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    rlimit lim{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    try {
      write_file(d / "big.bin", std::string(1 << 20, 'x'));
    } catch (const FileError& e) {
      _exit(std::string(e.what()).find("File too large") != std::string::npos ? 42 : 2);
    }
    _exit(1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of a signal: " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  EXPECT_EQ(WEXITSTATUS(status), 42);
  EXPECT_EQ(d.read("big.bin"), "old");
  EXPECT_EQ(d.entries(), std::vector<std::string>{"big.bin"});
}

// A child writing a file is sent SIGTERM mid-write: it dies of SIGTERM, the handler removed its
// temporary, the old file is intact.
TEST(AtomicFile, SignalRemovesTheTemporaryAndReraises) {
  Folder d;
  d.put("out.bin", "old");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    AtomicFile f(d / "out.bin");
    f.write("partial");
    f.stream().flush();
    (void)!::write(ready[1], "r", 1);
    for (;;) ::pause();
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  EXPECT_EQ(d.entries().size(), 2u);  // the temporary exists now
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  EXPECT_EQ(d.read("out.bin"), "old");
  EXPECT_EQ(d.entries(), std::vector<std::string>{"out.bin"});
}

TEST(InputFile, ReadsRegularFilesOnly) {
  Folder d;
  d.put("ok.txt", "content");
  EXPECT_EQ(read_regular_file(d / "ok.txt", "input", 100), "content");
  EXPECT_EQ(read_regular_file_bytes(d / "ok.txt", "input", 100).size(), 7u);
  fs::create_directories(d.dir / "sub");
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
  fs::create_symlink("/dev/zero", d.dir / "zero.link");
  EXPECT_NE(error_of([&] { read_regular_file(d / "sub", "circuit file", 100); })
                .find("cannot read circuit file '" + (d / "sub") + "': it is a directory, not a regular file"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_regular_file("/dev/zero", "input", 100); }).find("it is a character device"), std::string::npos);
  EXPECT_NE(error_of([&] { read_regular_file(d / "zero.link", "weights", 100); }).find("it is a character device"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_regular_file(d / "fifo", "input", 100); }).find("it is a named pipe (FIFO)"), std::string::npos);
  EXPECT_NE(error_of([&] { read_regular_file(d / "none", "input", 100); }).find("'" + (d / "none") + "': no such file"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_regular_file(d / "ok.txt", "model config", 3); })
                .find("it is 7 bytes, more than the 3 bytes limit for a model config"),
            std::string::npos);
}

TEST(InputFile, SameFileByInode) {
  Folder d;
  d.put("a", "x");
  fs::create_symlink("a", d.dir / "b");
  fs::create_hard_link(d.dir / "a", d.dir / "c");
  EXPECT_TRUE(same_file(d / "a", d / "b"));
  EXPECT_TRUE(same_file(d / "a", d / "c"));
  EXPECT_TRUE(same_file(d / "a", (d.dir / "." / "a").string()));
  EXPECT_FALSE(same_file(d / "a", d / "missing"));
  d.put("other", "x");
  EXPECT_FALSE(same_file(d / "a", d / "other"));
}

}  // namespace
