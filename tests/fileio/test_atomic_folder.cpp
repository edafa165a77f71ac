// fileio/atomic_folder: a folder written as a whole. Nothing is visible before commit; a previous
// folder of ours is replaced in one step (a failure or a signal midway leaves it intact, and no
// temporary beside it); a folder we did not write, a file, "." are refused with one line.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "fileio/atomic_folder.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tc0::fileio;

constexpr const char* kMarker = "made-by-us.json";

// A scratch folder of this test; `parent` holds the target "site" and nothing else, so that a
// leftover temporary beside it shows.
struct Scratch {
  fs::path parent;
  Scratch() {
    parent = fs::path(::testing::TempDir()) / ("tc0_atomic_folder_" + std::to_string(::getpid()) + "_" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(parent);
    fs::create_directories(parent);
  }
  ~Scratch() { fs::remove_all(parent); }
  std::string site() const { return (parent / "site").string(); }
  std::vector<std::string> beside() const {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(parent)) v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
  }
};

// Every file under `dir` (relative path -> bytes), folders as "path/".
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string rel = fs::relative(e.path(), dir).string();
    if (e.is_directory()) {
      m[rel + "/"] = "";
      continue;
    }
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    m[rel] = ss.str();
  }
  return m;
}

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A previous folder of ours: a few files in subfolders and the marker.
void old_site(const Scratch& s) {
  put(fs::path(s.site()) / "index.html", "old index");
  put(fs::path(s.site()) / "data/n/0.js", "old node");
  put(fs::path(s.site()) / "data/stray.js", "only in the old one");
  put(fs::path(s.site()) / kMarker, "{}");
}

void write_new(AtomicFolder& f) {
  f.write("index.html", "new index");
  f.write("data/n/0.js", "new node");
  f.write("data/t/7.js", std::string(100000, 't'));
  f.write(kMarker, "{\"new\": true}");
}

const std::map<std::string, std::string> kNew = {{"index.html", "new index"},
                                                  {"data/", ""},
                                                  {"data/n/", ""},
                                                  {"data/n/0.js", "new node"},
                                                  {"data/t/", ""},
                                                  {"data/t/7.js", std::string(100000, 't')},
                                                  {kMarker, "{\"new\": true}"}};

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

TEST(AtomicFolder, NothingIsVisibleBeforeCommit) {
  Scratch s;
  {
    AtomicFolder f(s.site(), "site", kMarker);
    write_new(f);
    EXPECT_FALSE(fs::exists(s.site()));
    ASSERT_EQ(s.beside().size(), 1u);  // the hidden temporary
    EXPECT_EQ(s.beside()[0].rfind(".site" + std::string(kTempMarker), 0), 0u) << s.beside()[0];
    f.commit();
  }
  EXPECT_EQ(snapshot(s.site()), kNew);
  EXPECT_EQ(s.beside(), std::vector<std::string>{"site"});
  struct stat st {};
  ASSERT_EQ(::stat(s.site().c_str(), &st), 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 07777, 0777u & ~mask);  // not the temporary's 0700
}

TEST(AtomicFolder, ReplacesAPreviousFolderOfOursAsAWhole) {
  Scratch s;
  old_site(s);
  ::chmod(s.site().c_str(), 0750);
  AtomicFolder f(s.site() + "/", "site", kMarker);  // "site/" names the folder "site"
  write_new(f);
  EXPECT_EQ(snapshot(s.site()).at("index.html"), "old index");
  f.commit();
  EXPECT_EQ(snapshot(s.site()), kNew);  // the stray file of the old folder is gone
  EXPECT_EQ(s.beside(), std::vector<std::string>{"site"});  // the old folder was removed
  struct stat st {};
  ASSERT_EQ(::stat(s.site().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  // an empty folder is replaced too
  fs::remove_all(s.site());
  fs::create_directories(s.site());
  AtomicFolder g(s.site(), "site", kMarker);
  write_new(g);
  g.commit();
  EXPECT_EQ(snapshot(s.site()), kNew);
}

TEST(AtomicFolder, AFailureMidwayLeavesTheOldFolderIntact) {
  Scratch s;
  old_site(s);
  const auto before = snapshot(s.site());
  try {
    AtomicFolder f(s.site(), "site", kMarker);
    f.write("index.html", "new index");
    f.write("data/n/0.js", "new node");
    throw std::runtime_error("the producer failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(snapshot(s.site()), before);
  EXPECT_EQ(s.beside(), std::vector<std::string>{"site"});
  // A commit without the marker is a bug of the caller, and changes nothing either.
  {
    AtomicFolder f(s.site(), "site", kMarker);
    f.write("index.html", "new index");
    EXPECT_THROW(f.commit(), std::logic_error);
    EXPECT_THROW(f.write("../escape.txt", "x"), std::logic_error);
    EXPECT_THROW(f.write("data/./x.js", "x"), std::logic_error);
  }
  EXPECT_EQ(snapshot(s.site()), before);
  EXPECT_EQ(s.beside(), std::vector<std::string>{"site"});
}

// In a child: a file-size limit (the disk running out works alike) makes a write fail midway; the
// error names the file inside the target, the old folder stays, no temporary is left.
TEST(AtomicFolder, AFullDiskMidwayLeavesTheOldFolderIntact) {
  Scratch s;
  old_site(s);
  const auto before = snapshot(s.site());
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    rlimit lim{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    try {
      AtomicFolder f(s.site(), "site", kMarker);
      write_new(f);  // data/t/7.js is 100 kB
      f.commit();
    } catch (const FileError& e) {
      const std::string m = e.what();
      _exit(m.find("cannot write site '" + s.site() + "/data/t/7.js': File too large") != std::string::npos ? 42 : 2);
    }
    _exit(1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of a signal";
  EXPECT_EQ(WEXITSTATUS(status), 42);
  EXPECT_EQ(snapshot(s.site()), before);
  EXPECT_EQ(s.beside(), std::vector<std::string>{"site"});
}

// A child building the new folder is sent SIGTERM after some files: it dies of SIGTERM, the signal
// handler removed the temporary folder with everything in it, the old folder is intact.
TEST(AtomicFolder, ASignalRemovesTheTemporaryFolder) {
  Scratch s;
  old_site(s);
  const auto before = snapshot(s.site());
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    AtomicFolder f(s.site(), "site", kMarker);
    f.write("index.html", "new index");
    f.write("data/n/0.js", "new node");
    f.write("data/u/deep/er/1.js", "deeper");
    (void)!::write(ready[1], "r", 1);
    for (;;) ::pause();
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  EXPECT_EQ(s.beside().size(), 2u);  // the temporary folder exists now
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  EXPECT_EQ(snapshot(s.site()), before);
  EXPECT_EQ(s.beside(), std::vector<std::string>{"site"});
}

TEST(AtomicFolder, RefusesWhatItDidNotWriteWithOneLine) {
  Scratch s;
  put(s.parent / "plain", "x");
  put(s.parent / "mine/notes.txt", "my notes");
  const std::string plain = (s.parent / "plain").string(), mine = (s.parent / "mine").string();
  std::string e = error_of([&] { AtomicFolder f(plain, "explorer site", kMarker); });
  EXPECT_EQ(e, "cannot write explorer site '" + plain + "': it exists and is not a folder; give the name of a folder to write");
  e = error_of([&] { AtomicFolder f(mine, "explorer site", kMarker); });
  EXPECT_EQ(e, "cannot write explorer site '" + mine + "': it is a folder that tc0flow did not write (it has files and no " +
                   kMarker + "); give another folder, or empty this one");
  EXPECT_NE(error_of([&] { check_folder_replaceable(mine, "site", kMarker); }).find("did not write"), std::string::npos);
  EXPECT_NE(error_of([&] { AtomicFolder f((s.parent / "missing/site").string(), "site", kMarker); }).find("does not exist"),
            std::string::npos);
  EXPECT_NE(error_of([&] { AtomicFolder f(".", "site", kMarker); }).find("name a folder of its own"), std::string::npos);
  EXPECT_NE(error_of([&] { AtomicFolder f("", "site", kMarker); }).find("no path given"), std::string::npos);
  // the refused ones are untouched, and nothing was created beside them
  EXPECT_EQ(snapshot(mine), (std::map<std::string, std::string>{{"notes.txt", "my notes"}}));
  EXPECT_EQ(s.beside(), (std::vector<std::string>{"mine", "plain"}));
}

TEST(AtomicFolder, ALinkToAFolderOfOursStaysALink) {
  Scratch s;
  old_site(s);
  fs::rename(s.site(), s.parent / "real");
  fs::create_directory_symlink("real", s.site());
  AtomicFolder f(s.site(), "site", kMarker);
  write_new(f);
  f.commit();
  EXPECT_TRUE(fs::is_symlink(s.site()));
  EXPECT_EQ(snapshot(s.parent / "real"), kNew);
  EXPECT_EQ(s.beside(), (std::vector<std::string>{"real", "site"}));
}

}  // namespace
